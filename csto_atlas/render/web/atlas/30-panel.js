/* The panel (a side panel, or a bottom sheet on a narrow screen), its citation of the view,
   and the map's text alternative. */

// --- the panel (a side panel, or a bottom sheet on a narrow screen) -------------------

/** @param {Atlas} atlas */
function buildPanel(atlas, parent) {
  var sheet = element("aside", "csto-sheet", parent);
  sheet.setAttribute("aria-label", atlas.config.text.panel);
  var toggle = element("button", "csto-sheet-toggle", sheet);
  toggle.type = "button";
  toggle.setAttribute("aria-controls", "csto-sheet-body");
  var body = element("div", "csto-sheet-body", sheet);
  body.id = "csto-sheet-body";
  body.setAttribute("tabindex", "0");
  body.setAttribute("role", "region");
  body.setAttribute("aria-label", atlas.config.text.panel);
  L.DomEvent.on(toggle, "click", function () {
    openSheet(atlas, !atlas.sheetOpen);
  });
  /* A date or year in the panel moves the slider there. */
  L.DomEvent.on(body, "click", function (event) {
    var target = event.target.closest ? event.target.closest("[data-goto]") : null;
    if (target) {
      stopPlaying(atlas);
      setYear(atlas, parseInt(target.getAttribute("data-goto"), 10), "replace");
    }
  });
  L.DomEvent.disableScrollPropagation(sheet);
  buildCitation(atlas, body);
  atlas.ui.sheet = sheet;
  atlas.ui.toggle = toggle;
  atlas.ui.panel = body;
}

/** @param {Atlas} atlas */
function isNarrow(atlas) {
  return window.innerWidth < atlas.config.narrowPx;
}

/** @param {Atlas} atlas */
function openSheet(atlas, open) {
  atlas.sheetOpen = open;
  if (!open) {
    atlas.ui.sheet.style.height = ""; /* a dragged height is forgotten once it is closed */
  }
  atlas.ui.sheet.setAttribute("data-open", open ? "true" : "false");
  atlas.ui.toggle.setAttribute("aria-expanded", open ? "true" : "false");
  showToggleText(atlas);
  if (isNarrow(atlas)) {
    atlas.map.invalidateSize({ pan: false });
  }
}

/** @param {Atlas} atlas */
function showToggleText(atlas) {
  var text = atlas.config.text;
  var name = atlas.selected ? atlas.regionLayers[atlas.selected].feature.properties.name : text.panel;
  setText(atlas.ui.toggle, (atlas.sheetOpen ? "\u25BC " : "\u25B2 ") + name + " \u2014 " +
    (atlas.sheetOpen ? text.hidePanel : text.showPanel));
}

/* What Python packed (render/contract.py, pack_json): base64 of gzipped JSON. */
function unpackJson(packed) {
  var bytes = Uint8Array.from(window.atob(packed), function (character) {
    return character.charCodeAt(0);
  });
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).json();
}

/* What the first paint does not need, unpacked after it (a frame, then a task): the panels
   and the citations, each shown once it is there. */
/** @param {Atlas} atlas */
function unpackAfterFirstPaint(atlas, packedPanels) {
  window.requestAnimationFrame(function () {
    window.setTimeout(function () {
      unpackJson(packedPanels).then(function (panels) {
        atlas.panels = panels;
        showPanel(atlas);
      }, function (error) {
        atlas.panels = {};
        atlas.panelsFailed = true;
        showPanel(atlas);
        window.console.error(error);
      });
      if (atlas.config.cite) {
        unpackJson(atlas.config.cite.templates).then(function (templates) {
          atlas.citeTemplates = templates;
          showCitation(atlas);
        });
      }
    }, 0);
  });
}

/** @param {Atlas} atlas */
function showPanel(atlas) {
  var body = atlas.ui.panel;
  if (atlas.selected && atlas.panels === null) {
    body.textContent = "";
    setText(element("p", "csto-hint", body), atlas.config.text.loadingPanel);
  } else if (atlas.selected && atlas.panels[atlas.selected]) {
    body.innerHTML = atlas.panels[atlas.selected]; /* prepared and escaped by Python */
  } else {
    var text = atlas.config.text;
    body.textContent = "";
    setText(element("p", "csto-hint", body), atlas.panelsFailed ? text.panelFailed : text.hint);
  }
  if (atlas.ui.cite) {
    body.appendChild(atlas.ui.cite.box); /* after the panel, kept open or closed */
  }
  body.scrollTop = 0;
  showPanelYear(atlas);
  showToggleText(atlas);
}

// --- cite this view: the citation of what the map shows now ------------------------------

/* Python wrote one citation per country (and one for the map) with slots for the year, the
   URL and the day of access (domain/citation.py, cite_view_templates); they are filled here
   as domain/citation.fill_citation fills them, and set as text. */
/** @param {Atlas} atlas */
function buildCitation(atlas, parent) {
  if (!atlas.config.cite) {
    return;
  }
  var text = atlas.config.text;
  var box = element("details", "csto-cite-view", parent);
  setText(element("summary", "", box), text.citeView);
  setText(element("p", "csto-cite-label", box), text.citePlain);
  var plain = element("pre", "csto-cite-plain", box);
  setText(element("p", "csto-cite-label", box), text.citeBibtex);
  var bibtex = element("pre", "csto-cite-bibtex", box);
  atlas.ui.cite = { box: box, plain: plain, bibtex: bibtex };
}

/** @param {Atlas} atlas */
function viewUrl(atlas) {
  var page = pageWindow(atlas);
  if (!page) {
    return "";
  }
  var url = new URL(page.location.href);
  url.search = "";
  url.hash = "";
  url.searchParams.set("year", String(atlas.year));
  if (atlas.selected) {
    url.searchParams.set("country", atlas.selected);
  }
  return url.toString();
}

function fillCitation(cite, text, year, url, bibtex) {
  var now = new Date();
  var two = function (number) {
    return (number < 10 ? "0" : "") + number;
  };
  var values = {};
  values[cite.slots.year] = String(year);
  values[cite.slots.url] = bibtex ? url.split("").map(function (character) {
    return cite.urlEscapes[character] || character;
  }).join("") : url;
  values[cite.slots.accessedYear] = String(now.getFullYear());
  values[cite.slots.accessedOn] =
    now.getDate() + " " + cite.months[now.getMonth()] + " " + now.getFullYear();
  values[cite.slots.urldate] =
    now.getFullYear() + "-" + two(now.getMonth() + 1) + "-" + two(now.getDate());
  Object.keys(values).forEach(function (slot) {
    text = text.split(slot).join(values[slot]);
  });
  return text;
}

/** @param {Atlas} atlas */
function showCitation(atlas) {
  var cite = atlas.config.cite;
  if (!cite || !atlas.ui.cite || !atlas.citeTemplates) {
    return;
  }
  var texts = atlas.citeTemplates[atlas.selected || ""] || atlas.citeTemplates[""];
  var url = viewUrl(atlas);
  setText(atlas.ui.cite.plain, fillCitation(cite, texts[0], atlas.year, url, false));
  setText(atlas.ui.cite.bibtex, fillCitation(cite, texts[1], atlas.year, url, true));
}

function applies(node, year) {
  var from = parseInt(node.getAttribute("data-from"), 10);
  var to = node.hasAttribute("data-to") ? parseInt(node.getAttribute("data-to"), 10) : Infinity;
  return from <= year && year <= to;
}

/* Each item of a split list (notes, incidents) in the panel's order, as Python wrote it. */
var splitItems = new WeakMap();

/* A split list shows the items of the year on the slider (data-until not before it) in its
   open list and folds the earlier ones, saying how many; items are moved, never rebuilt. */
function splitByYear(section, year) {
  if (!splitItems.has(section)) {
    splitItems.set(section, Array.prototype.slice.call(section.querySelectorAll("li[data-until]")));
  }
  var recent = section.querySelector(".csto-recent");
  var older = section.querySelector(".csto-older");
  var olderList = older.querySelector("ul");
  var count = 0;
  splitItems.get(section).forEach(function (item) {
    var isRecent = parseInt(item.getAttribute("data-until"), 10) >= year;
    (isRecent ? recent : olderList).appendChild(item);
    count += !isRecent && applies(item, year) ? 1 : 0;
  });
  older.hidden = count === 0;
  setText(older.querySelector(".csto-count"), String(count));
}

/* Show what holds in the year on the slider: tagged items, the year in the text, and
   "none" where a list has nothing to show that year. */
/** @param {Atlas} atlas */
function showPanelYear(atlas) {
  var panel = atlas.ui.panel.querySelector(".csto-panel");
  if (!panel) {
    return;
  }
  var year = atlas.year;
  panel.setAttribute("data-year", String(year));
  panel.querySelectorAll("[data-from]").forEach(function (node) {
    node.hidden = !applies(node, year);
  });
  panel.querySelectorAll(".csto-panel-year").forEach(function (node) {
    node.textContent = String(year);
  });
  panel.querySelectorAll(".csto-split").forEach(function (section) {
    splitByYear(section, year);
  });
  panel.querySelectorAll(".csto-section").forEach(function (section) {
    var none = section.querySelector(".csto-none");
    if (none) {
      none.hidden = section.querySelector("li[data-from]:not([hidden])") !== null;
    }
  });
}

// --- the text alternative: who is in what status, for the year shown ------------------

/** @param {Atlas} atlas */
function showSummary(atlas) {
  var groups = {};
  atlas.layers.countries.eachLayer(function (layer) {
    var status = statusOf(atlas, layer.feature, atlas.year);
    if (status.code !== atlas.config.fallback) {
      (groups[status.code] = groups[status.code] || []).push(layer.feature.properties.name);
    }
  });
  var parts = atlas.config.statuses
    .filter(function (status) {
      return groups[status.code];
    })
    .map(function (status) {
      return status.label + ": " + groups[status.code].sort().join(", ") + ".";
    });
  setText(atlas.ui.summary, atlas.config.text.summaryIn + " " + atlas.year + ". " + parts.join(" "));
}

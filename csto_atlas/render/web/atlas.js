/* CSTO Atlas: the map page as one loop in the browser (year box, map, panel, URL).
 *
 * Every country feature carries `codes`, one status letter per year from `config.first` (its
 * parent's while it is drawn as part of its parent), `terr`, one territory letter per year, and
 * `by`, who annexed it; every marker carries `options.csto` = {kind, id, from, to, fade, radius,
 * radiusKm, tip, popup} (a faint circle where radiusKm exceeds config.uncertainty.minKm);
 * `packedPanels` holds every region's panel, prepared (and escaped) by Python with each item
 * tagged by the years it applies to (data-from, data-to), gzipped and in base64: they are
 * unpacked after the map is drawn (render/contract.py, pack_json). Changing the year restyles
 * the map and shows the panel's items for that year in the same frame; choosing a country swaps the panel. Nothing here goes
 * to the server, and nothing here builds HTML from data strings: prepared HTML is inserted as it
 * is, anything else is set with textContent.
 *
 * The view lives in the page URL (?year=, ?country=): replaceState when the year changes,
 * pushState when the country does, so Back and Forward step through the countries opened.
 */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var VIEW_KEY = "csto-atlas-view";

  function element(tag, className, parent) {
    return L.DomUtil.create(tag, className, parent);
  }

  function setText(node, text) {
    node.textContent = text;
    return node;
  }

  // --- statuses and the look of a region --------------------------------------------------

  function statusByCode(config) {
    var byCode = {};
    config.statuses.forEach(function (status) {
      byCode[status.code] = status;
    });
    return byCode;
  }

  function statusOf(atlas, feature, year) {
    var code = feature.properties.codes.charAt(year - atlas.config.first);
    return atlas.byCode[code] || atlas.byCode[atlas.config.fallback];
  }

  function changedThisYear(atlas, iso3) {
    return (atlas.config.changes[String(atlas.year)] || []).some(function (change) {
      return change.iso3 === iso3;
    });
  }

  /* How a region is drawn in `year`: as a state, a breakaway, part of its parent, or annexed
     (one letter of config.territoryCodes per year in the feature's `terr`). */
  function territoryOf(atlas, feature, year) {
    var codes = atlas.config.territoryCodes;
    var terr = feature.properties.terr || "";
    var letter = terr.charAt(year - atlas.config.first) || codes.state;
    var found = codes.state;
    Object.keys(codes).forEach(function (name) {
      if (codes[name] === letter) {
        found = name;
      }
    });
    return found;
  }

  /* Part of its parent this year: the parent's status colour and no outline of its own (the
     stroke takes the fill colour, hiding the parent's edge around it). Annexed: its own grey
     hatched look, never a status colour. */
  function territoryStyle(atlas, territory, status) {
    var look = atlas.config.look;
    if (territory === "part of parent") {
      return {
        fillColor: status.colour,
        fillOpacity: look.fillOpacity,
        color: status.colour,
        weight: look.weight + 1,
        dashArray: null,
        opacity: look.fillOpacity,
      };
    }
    var annexed = atlas.config.annexedLook;
    return {
      fillColor: "url(#csto-hatch-annexed)",
      fillOpacity: 1,
      color: annexed.stroke,
      weight: annexed.weight,
      dashArray: annexed.dash,
      opacity: 1,
    };
  }

  /* A state's or a breakaway's own look: fill by status (hatched for a breakaway). */
  function regionStyle(atlas, feature, status) {
    var look = atlas.config.look;
    var breakaway = feature.properties.kind === "breakaway";
    return {
      fillColor: breakaway ? "url(#csto-hatch-" + status.code + ")" : status.colour,
      fillOpacity: breakaway ? 1 : look.fillOpacity,
      color: breakaway ? look.breakawayStroke : look.stroke,
      weight: breakaway ? look.breakawayWeight : look.weight,
      dashArray: breakaway ? look.breakawayDash : null,
      opacity: 1,
    };
  }

  /* Fill by status and territory; outline: selected (black, thick) > hovered (grey, dashed) >
     changed this year (orange) > its own (white; a breakaway's dashed purple; part of its
     parent: none; annexed: grey dotted). */
  function countryStyle(atlas, feature) {
    var look = atlas.config.look;
    var props = feature.properties;
    var status = statusOf(atlas, feature, atlas.year);
    var territory = territoryOf(atlas, feature, atlas.year);
    var style =
      territory === "part of parent" || territory === "annexed"
        ? territoryStyle(atlas, territory, status)
        : regionStyle(atlas, feature, status);
    if (props.iso3 === atlas.selected) {
      style.color = look.selectedStroke;
      style.weight = look.selectedWeight;
      style.dashArray = null;
      style.opacity = 1;
    } else if (props.iso3 === atlas.hovered) {
      style.color = look.hoverStroke;
      style.weight = look.hoverWeight;
      style.dashArray = look.hoverDash;
      style.opacity = 1;
    } else if (changedThisYear(atlas, props.iso3)) {
      style.color = look.changedStroke;
      style.weight = look.changedWeight;
      style.dashArray = null;
      style.opacity = 1;
    }
    return style;
  }

  function addHatchPatterns(atlas, svg) {
    var defs = document.createElementNS(SVG_NS, "defs");
    var look = atlas.config.look;
    atlas.config.statuses.forEach(function (status) {
      defs.appendChild(
        hatchPattern("csto-hatch-" + status.code, 8, 45, status.colour, 2.5, look.hatch, look.hatchOpacity)
      );
    });
    var annexed = atlas.config.annexedLook;
    defs.appendChild(hatchPattern("csto-hatch-annexed", 6, -45, annexed.fill, 2, annexed.hatch, 1));
    svg.insertBefore(defs, svg.firstChild);
  }

  /* A square SVG pattern of `size` px: a ground colour and one stripe, turned by `angle`. */
  function hatchPattern(id, size, angle, ground, stripeWidth, stripeColour, stripeOpacity) {
    var pattern = document.createElementNS(SVG_NS, "pattern");
    pattern.setAttribute("id", id);
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", String(size));
    pattern.setAttribute("height", String(size));
    pattern.setAttribute("patternTransform", "rotate(" + angle + ")");
    var fill = document.createElementNS(SVG_NS, "rect");
    fill.setAttribute("width", String(size));
    fill.setAttribute("height", String(size));
    fill.setAttribute("fill", ground);
    var stripe = document.createElementNS(SVG_NS, "rect");
    stripe.setAttribute("width", String(stripeWidth));
    stripe.setAttribute("height", String(size));
    stripe.setAttribute("fill", stripeColour);
    stripe.setAttribute("fill-opacity", String(stripeOpacity));
    pattern.appendChild(fill);
    pattern.appendChild(stripe);
    return pattern;
  }

  function restyleCountry(atlas, iso3) {
    var layer = iso3 ? atlas.regionLayers[iso3] : null;
    if (layer) {
      layer.setStyle(countryStyle(atlas, layer.feature));
    }
  }

  function restyleCountries(atlas) {
    atlas.layers.countries.eachLayer(function (layer) {
      layer.setStyle(countryStyle(atlas, layer.feature));
    });
  }

  // --- the countries: tooltips, hover, click -------------------------------------------

  function countryTooltip(atlas, layer) {
    var props = layer.feature.properties;
    var status = statusOf(atlas, layer.feature, atlas.year);
    var territory = territoryOf(atlas, layer.feature, atlas.year);
    var text = atlas.config.text;
    var box = document.createElement("div");
    setText(element("strong", "", box), props.name);
    if (props.parent) {
      setText(element("div", "csto-tip-parent", box), territoryTipLine(text, territory, props));
    }
    if (territory !== "annexed") {
      setText(element("div", "", box), status.label + " " + text.inYear + " " + atlas.year);
    }
    return box;
  }

  function territoryTipLine(text, territory, props) {
    if (territory === "part of parent") {
      return text.partOf + " " + props.parent;
    }
    if (territory === "annexed") {
      return text.annexedBy + " " + props.by + " " + text.notRecognised;
    }
    return text.breakawayOf + " " + props.parent;
  }

  function hoverCountry(atlas, iso3) {
    var previous = atlas.hovered;
    atlas.hovered = iso3;
    /* Restyled in place, never reordered: moving a path under the pointer loses its click. */
    restyleCountry(atlas, previous);
    restyleCountry(atlas, iso3);
  }

  /* Paths are not tab stops (the Country box is the keyboard path to a country) and never
     keep a focus ring after a click. */
  function unfocusable(layer) {
    var path = layer.getElement && layer.getElement();
    if (path) {
      path.setAttribute("tabindex", "-1");
      path.setAttribute("focusable", "false");
      path.setAttribute("aria-hidden", "true");
    }
  }

  function prepareCountries(atlas) {
    var countries = atlas.layers.countries;
    countries.options.style = function (feature) {
      return countryStyle(atlas, feature);
    };
    countries.eachLayer(function (layer) {
      var iso3 = layer.feature.properties.iso3;
      atlas.regionLayers[iso3] = layer;
      layer.on("add", function () {
        unfocusable(layer);
      });
      layer.bindTooltip(
        function () {
          return countryTooltip(atlas, layer);
        },
        { sticky: true, direction: "top", className: "csto-tip" }
      );
      layer.on("mouseover", function () {
        hoverCountry(atlas, iso3);
      });
      layer.on("mouseout", function () {
        if (atlas.hovered === iso3) {
          hoverCountry(atlas, null);
        }
      });
      layer.on("click", function () {
        selectCountry(atlas, iso3, "push");
      });
    });
  }

  function closeTooltips(atlas) {
    atlas.map.eachLayer(function (layer) {
      if (layer.closeTooltip && layer.getTooltip && layer.getTooltip()) {
        layer.closeTooltip();
      }
    });
  }

  // --- the view: year and country -------------------------------------------------------

  function clampYear(atlas, year) {
    return Math.max(atlas.config.first, Math.min(atlas.config.last, year));
  }

  function setYear(atlas, year, how) {
    atlas.year = clampYear(atlas, year);
    var text = String(atlas.year);
    restyleCountries(atlas);
    showMarkers(atlas);
    atlas.ui.slider.value = text;
    atlas.ui.slider.setAttribute("aria-valuetext", text);
    setText(atlas.ui.label, text);
    atlas.ui.box.setAttribute("data-year", text);
    setText(atlas.ui.legendYear, text);
    showCheckedUntil(atlas);
    showChanges(atlas);
    showPanelYear(atlas);
    showSummary(atlas);
    showCitation(atlas);
    if (how) {
      saveView(atlas, how);
    }
  }

  function selectCountry(atlas, iso3, how) {
    var chosen = iso3 && atlas.regionLayers[iso3] ? iso3 : null;
    var previous = atlas.selected;
    atlas.selected = chosen;
    restyleCountry(atlas, previous);
    restyleCountry(atlas, chosen);
    frontSelected(atlas);
    atlas.ui.picker.value = chosen || "";
    closeTooltips(atlas);
    showPanel(atlas);
    showCitation(atlas);
    if (chosen && chosen !== previous) {
      openSheet(atlas, true);
    }
    if (how && chosen !== previous) {
      saveView(atlas, how);
    }
  }

  /* The selected region's whole outline above its neighbours (once the regions are drawn). */
  function frontSelected(atlas) {
    var layer = atlas.selected ? atlas.regionLayers[atlas.selected] : null;
    if (layer && layer._map) {
      layer.bringToFront();
    }
  }

  // --- the year box: Play, slider, Country box, changes --------------------------------

  function showPlayState(atlas, playing) {
    var text = playing ? atlas.config.text.pause : atlas.config.text.play;
    setText(atlas.ui.play, playing ? "\u275A\u275A" : "\u25B6");
    atlas.ui.play.setAttribute("aria-label", text);
    atlas.ui.play.setAttribute("title", text);
    atlas.ui.play.setAttribute("aria-pressed", playing ? "true" : "false");
    atlas.ui.box.setAttribute("data-playing", playing ? "true" : "false");
  }

  function stopPlaying(atlas) {
    if (atlas.timer !== null) {
      window.clearInterval(atlas.timer);
      atlas.timer = null;
    }
    showPlayState(atlas, false);
  }

  function startPlaying(atlas) {
    if (atlas.year >= atlas.config.last) {
      setYear(atlas, atlas.config.first, "replace");
    }
    atlas.timer = window.setInterval(function () {
      setYear(atlas, atlas.year + 1, "replace");
      if (atlas.year >= atlas.config.last) {
        stopPlaying(atlas);
      }
    }, atlas.config.playMs);
    showPlayState(atlas, true);
  }

  function buildPicker(atlas, parent) {
    var row = element("label", "csto-picker", parent);
    setText(element("span", "csto-picker-label", row), atlas.config.text.country);
    var picker = element("select", "csto-country", row);
    setText(element("option", "", picker), atlas.config.text.chooseCountry).value = "";
    var entries = Object.keys(atlas.regionLayers).map(function (iso3) {
      return atlas.regionLayers[iso3].feature.properties;
    });
    entries.sort(function (a, b) {
      return a.name.localeCompare(b.name);
    });
    entries.forEach(function (props) {
      setText(element("option", "", picker), props.name).value = props.iso3;
    });
    L.DomEvent.on(picker, "change", function () {
      selectCountry(atlas, picker.value || null, "push");
    });
    return picker;
  }

  function buildYearBox(atlas, parent) {
    var box = element("div", "csto-year", parent);
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", atlas.config.text.year);
    var row = element("div", "csto-year-row", box);
    var play = element("button", "csto-play", row);
    play.type = "button";
    var slider = element("input", "csto-slider", row);
    slider.type = "range";
    slider.min = String(atlas.config.first);
    slider.max = String(atlas.config.last);
    slider.step = "1";
    slider.setAttribute("aria-label", atlas.config.text.year);
    var label = element("output", "csto-year-value", row);
    label.setAttribute("aria-hidden", "true");
    L.DomEvent.on(slider, "input", function () {
      stopPlaying(atlas);
      setYear(atlas, parseInt(slider.value, 10), "replace");
    });
    L.DomEvent.on(play, "click", function () {
      if (atlas.timer === null) {
        startPlaying(atlas);
      } else {
        stopPlaying(atlas);
      }
    });
    atlas.ui.box = box;
    atlas.ui.play = play;
    atlas.ui.slider = slider;
    atlas.ui.label = label;
    atlas.ui.picker = buildPicker(atlas, row);
    atlas.ui.changes = element("div", "csto-changes", box);
    atlas.ui.changes.setAttribute("aria-live", "polite");
    atlas.ui.checked = element("span", "csto-checked");
    setText(atlas.ui.checked, atlas.config.text.checkedUntil + " " + atlas.config.checkedUntil);
    showPlayState(atlas, false);
  }

  function showChanges(atlas) {
    var list = atlas.ui.changes;
    list.textContent = "";
    var changes = atlas.config.changes[String(atlas.year)] || [];
    setText(element("span", "csto-changes-title", list), atlas.config.text.changesIn + " " + atlas.year + ":");
    if (!changes.length) {
      setText(element("span", "csto-changes-none", list), atlas.config.text.noChanges);
    }
    changes.forEach(function (change) {
      var entry = setText(element("button", "csto-change", list), change.text);
      entry.type = "button";
      entry.setAttribute("data-iso3", change.iso3);
      L.DomEvent.on(entry, "click", function () {
        selectCountry(atlas, change.iso3, "push");
      });
    });
    list.appendChild(atlas.ui.checked); /* shown on the last year only (showCheckedUntil) */
  }

  /* While the slider is on the last (current) year, the year box says up to when the
     statuses were checked against the sources (kept out of the legend, which must stay short). */
  function showCheckedUntil(atlas) {
    atlas.ui.checked.hidden = !(atlas.year === atlas.config.last && atlas.config.checkedUntil);
  }

  // --- the panel (a side panel, or a bottom sheet on a narrow screen) -------------------

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

  function isNarrow(atlas) {
    return window.innerWidth < atlas.config.narrowPx;
  }

  function openSheet(atlas, open) {
    atlas.sheetOpen = open;
    atlas.ui.sheet.setAttribute("data-open", open ? "true" : "false");
    atlas.ui.toggle.setAttribute("aria-expanded", open ? "true" : "false");
    showToggleText(atlas);
    if (isNarrow(atlas)) {
      atlas.map.invalidateSize({ pan: false });
    }
  }

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

  /* Show what holds in the year on the slider: tagged items, the year in the text, and
     "none" where a list has nothing to show that year. */
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
    panel.querySelectorAll(".csto-section").forEach(function (section) {
      var none = section.querySelector(".csto-none");
      if (none) {
        none.hidden = section.querySelector("li[data-from]:not([hidden])") !== null;
      }
    });
  }

  // --- the text alternative: who is in what status, for the year shown ------------------

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

  // --- markers: clustered, so markers at one place spread out on a click -----------------

  function popupPadding(atlas) {
    /* Room kept clear of the map's controls when a popup pans into view. */
    var box = atlas.map.getContainer().getBoundingClientRect();
    var top = 10, left = 10, right = 10, bottom = 10;
    atlas.map.getContainer().querySelectorAll(".leaflet-control").forEach(function (control) {
      var rect = control.getBoundingClientRect();
      if (!rect.width) {
        return;
      }
      var corner = control.parentNode.className;
      if (corner.indexOf("leaflet-top") >= 0) {
        top = Math.max(top, rect.bottom - box.top + 8);
      } else {
        bottom = Math.max(bottom, box.bottom - rect.top + 8);
      }
      if (corner.indexOf("leaflet-right") >= 0) {
        right = Math.max(right, box.right - rect.left + 8);
      } else {
        left = Math.max(left, rect.right - box.left + 8);
      }
    });
    return { topLeft: L.point(left, top), bottomRight: L.point(right, bottom) };
  }

  function prepareMarkers(atlas) {
    atlas.cluster = L.markerClusterGroup({
      maxClusterRadius: 18,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: true,
      spiderfyDistanceMultiplier: 1.6,
      zoomToBoundsOnClick: true,
    });
    Object.keys(atlas.layers.markers).forEach(function (kind) {
      /* The group stays empty, the layer control's switch for its kind (elements.MarkerLayer). */
      atlas.layers.markers[kind].cstoMarkers.forEach(function (marker) {
        var data = marker.options.csto;
        atlas.markers.push(marker);
        atlas.markersById[data.id] = marker;
        marker.bindTooltip(data.tip, { direction: "top", className: "csto-tip" });
        /* Before bindPopup's own click handler: the popup pans clear of the controls. */
        marker.on("click", function () {
          var padding = popupPadding(atlas);
          var options = marker.getPopup().options;
          var room = atlas.map.getSize().x - padding.topLeft.x - padding.bottomRight.x - 40;
          options.autoPanPaddingTopLeft = padding.topLeft;
          options.autoPanPaddingBottomRight = padding.bottomRight;
          options.maxWidth = Math.max(160, Math.min(320, room));
          options.minWidth = Math.min(options.minWidth || 50, options.maxWidth);
        });
        marker.bindPopup(data.popup, { maxWidth: 320, className: "csto-popup", autoPan: true });
      });
    });
    atlas.circles = L.layerGroup().addTo(atlas.map);
    atlas.cluster.addTo(atlas.map);
    atlas.map.on("overlayadd overlayremove", function () {
      showMarkers(atlas);
    });
  }

  function markerShown(atlas, marker) {
    var data = marker.options.csto;
    var on = atlas.map.hasLayer(atlas.layers.markers[data.kind]);
    return on && data.from <= atlas.year && (data.to === null || atlas.year <= data.to);
  }

  /* A faint circle of the marker's uncertainty (radiusKm), where it exceeds
     config.uncertainty.minKm, shown and hidden with its marker. The circles are not clustered:
     they show how far the place may lie from its point at every zoom. */
  function showUncertainty(atlas, marker, visible) {
    var data = marker.options.csto;
    if (!(data.radiusKm > atlas.config.uncertainty.minKm)) {
      return;
    }
    if (!marker.cstoCircle) {
      var options = Object.assign({}, atlas.config.uncertainty.look, {
        radius: data.radiusKm * 1000,
        interactive: false,
        className: "csto-uncertainty csto-uncertainty-" + data.id,
      });
      marker.cstoCircle = L.circle(marker.getLatLng(), options);
    }
    var present = atlas.circles.hasLayer(marker.cstoCircle);
    if (visible && !present) {
      atlas.circles.addLayer(marker.cstoCircle);
    } else if (!visible && present) {
      atlas.circles.removeLayer(marker.cstoCircle);
    }
  }

  function showMarkers(atlas) {
    var add = [];
    var remove = [];
    atlas.markers.forEach(function (marker) {
      var data = marker.options.csto;
      var shown = markerShown(atlas, marker);
      var present = atlas.cluster.hasLayer(marker);
      showUncertainty(atlas, marker, shown);
      if (shown) {
        var look = atlas.config.markerLook[data.kind];
        var past = data.fade && data.from < atlas.year;
        marker.setStyle(past ? look.past : look.current);
        marker.setRadius(past ? look.pastRadius : data.radius);
        if (!present) {
          add.push(marker);
        }
      } else if (present) {
        remove.push(marker);
      }
    });
    if (remove.length) {
      atlas.cluster.removeLayers(remove);
    }
    if (add.length) {
      atlas.cluster.addLayers(add);
    }
  }

  // --- the URL: the view, Back and Forward -------------------------------------------------

  /* The window whose URL holds the view: in the app, the app's page around streamlit-folium's
     frame (same origin); in the static atlas (config.ownPage), this page itself, framed or not. */
  function pageWindow(atlas) {
    if (atlas.config.ownPage) {
      return window;
    }
    try {
      var page = window.parent;
      return page && page !== window && page.location.href ? page : null;
    } catch (error) {
      return null; /* a cross-origin parent: the view stays in this frame */
    }
  }

  function viewFromUrl(atlas, href) {
    var params = new URL(href).searchParams;
    if (!params.has("year") && !params.has("country")) {
      return null;
    }
    var text = (params.get("year") || "").trim();
    var year = /^[0-9]{4}$/.test(text) ? parseInt(text, 10) : NaN;
    var inRange = year >= atlas.config.first && year <= atlas.config.last;
    var country = (params.get("country") || "").trim().toUpperCase();
    return {
      year: inRange ? year : atlas.config.year,
      country: atlas.regionLayers[country] ? country : null,
    };
  }

  function storedView() {
    try {
      return JSON.parse(window.sessionStorage.getItem(VIEW_KEY) || "null");
    } catch (error) {
      return null;
    }
  }

  function openingView(atlas) {
    var page = pageWindow(atlas);
    var fromUrl = page ? viewFromUrl(atlas, page.location.href) : null;
    var view = fromUrl || storedView() || { year: atlas.config.year, country: null };
    return { year: clampYear(atlas, view.year), country: view.country };
  }

  /* how: "push" (a new country: a new history entry) or "replace" (the year). */
  function saveView(atlas, how) {
    var view = { year: atlas.year, country: atlas.selected };
    try {
      window.sessionStorage.setItem(VIEW_KEY, JSON.stringify(view));
    } catch (error) {
      /* storage refused: the URL still keeps the view */
    }
    var page = pageWindow(atlas);
    if (!page) {
      return;
    }
    var url = new URL(page.location.href);
    url.searchParams.set("year", String(view.year));
    if (view.country) {
      url.searchParams.set("country", view.country);
    } else {
      url.searchParams.delete("country");
    }
    if (how === "push") {
      page.history.pushState({ cstoAtlas: view }, "", url.toString());
    } else {
      page.history.replaceState(page.history.state, "", url.toString());
    }
  }

  function followHistory(atlas) {
    var page = pageWindow(atlas);
    if (!page) {
      return;
    }
    var onPopState = function () {
      var view = viewFromUrl(atlas, page.location.href);
      if (view) {
        stopPlaying(atlas);
        setYear(atlas, view.year, null);
        selectCountry(atlas, view.country, null);
      }
    };
    page.addEventListener("popstate", onPopState);
    window.addEventListener("pagehide", function () {
      page.removeEventListener("popstate", onPopState);
    });
  }

  // --- the frame's layout, legend, layer control, tile notice ----------------------------

  function buildShell(atlas) {
    var container = atlas.map.getContainer();
    var app = element("main", "csto-app");
    document.body.insertBefore(app, document.body.firstChild);
    setText(element("h1", "csto-visually-hidden", app), atlas.config.text.mapLabel);
    buildYearBox(atlas, app);
    var bodyRow = element("div", "csto-body", app);
    var mapBox = element("div", "csto-mapbox", bodyRow);
    mapBox.appendChild(container);
    /* streamlit-folium gave the map the frame's height-to-be: the page keeps it while the
       frame itself is still 0 px high, so the map is framed and drawn in this first task. */
    app.style.minHeight = container.style.height;
    container.style.height = "";
    container.style.width = "";
    container.setAttribute("role", "region");
    container.setAttribute("aria-label", atlas.config.text.mapLabel);
    container.setAttribute("aria-describedby", "csto-summary");
    /* Leaflet focuses the map on every press (for its keyboard handler) and then restores the
       frame's scroll, not the page's: on a phone the page jumped under the finger. */
    container.focus = function () {
      HTMLElement.prototype.focus.call(container, { preventScroll: true });
    };
    atlas.ui.notice = element("p", "csto-notice", mapBox);
    atlas.ui.notice.setAttribute("role", "status");
    atlas.ui.notice.hidden = true;
    buildPanel(atlas, bodyRow);
    atlas.ui.summary = element("p", "csto-visually-hidden", app);
    atlas.ui.summary.id = "csto-summary";
    var root = document.getElementById("root");
    if (root) {
      root.hidden = true;
    }
    document.documentElement.classList.add("csto-frame");
    /* Leaflet learns the container's new size in followSize, once everything around it is
       built: one layout of the frame instead of two before the first paint. */
  }

  function legendRow(parent, swatchClass, swatchStyle, text) {
    var row = element("div", "csto-legend-row", parent);
    var swatch = element("span", "csto-swatch " + swatchClass, row);
    Object.keys(swatchStyle).forEach(function (key) {
      swatch.style[key] = swatchStyle[key];
    });
    setText(element("span", "csto-legend-label", row), text);
    return row;
  }

  function buildLegend(atlas) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = element("details", "csto-legend");
      box.open = !isNarrow(atlas);
      atlas.ui.legend = box;
      var title = element("summary", "csto-legend-title", box);
      title.appendChild(document.createTextNode(atlas.config.text.legendTitle + " "));
      atlas.ui.legendYear = element("span", "csto-legend-year", title);
      atlas.config.statuses.forEach(function (status) {
        legendRow(box, "csto-swatch-area", { background: status.colour }, status.label);
      });
      legendRow(box, "csto-swatch-area csto-swatch-hatch", {}, atlas.config.text.breakaway);
      legendRow(box, "csto-swatch-area csto-swatch-annexed", {}, atlas.config.text.annexed);
      atlas.config.legendMarkers.forEach(function (item) {
        legendRow(
          box,
          "csto-swatch-dot",
          { background: item.fillColor, borderColor: item.color, opacity: String(item.opacity) },
          item.label
        );
      });
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      return box;
    };
    return control;
  }

  function buildLayerControl(atlas) {
    var names = atlas.config.layerNames;
    var backgrounds = {};
    backgrounds[names.plain] = atlas.layers.plain;
    backgrounds[names.osm] = atlas.layers.osm;
    var overlays = {};
    overlays[names.countries] = atlas.layers.countries;
    Object.keys(atlas.layers.markers).forEach(function (kind) {
      overlays[names[kind]] = atlas.layers.markers[kind];
    });
    var control = L.control.layers(backgrounds, overlays, {
      collapsed: isNarrow(atlas),
      position: "topright",
    });
    control.addTo(atlas.map);
    var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
    if (toggle) {
      toggle.setAttribute("aria-label", atlas.config.text.layers);
      toggle.setAttribute("title", atlas.config.text.layers);
    }
    return control;
  }

  function watchTiles(atlas) {
    atlas.layers.osm.on("tileerror", function () {
      setText(atlas.ui.notice, atlas.config.text.tilesFailed);
      atlas.ui.notice.hidden = false;
    });
    atlas.map.on("baselayerchange", function (event) {
      if (event.layer !== atlas.layers.osm) {
        atlas.ui.notice.hidden = true;
      }
    });
  }

  /* Frame the member states; an open legend (bottom right) keeps its width clear, so it
     never covers a member at the opening view. */
  function frameMap(atlas) {
    var pad = atlas.config.fitPadding;
    var legend = atlas.ui.legend;
    var right = legend && legend.open ? legend.offsetWidth + 2 * pad : pad;
    atlas.map.fitBounds(atlas.config.frame, {
      animate: false,
      paddingTopLeft: L.point(pad, pad),
      paddingBottomRight: L.point(right, pad),
    });
  }

  /* The regions are drawn once, at the opening frame: Leaflet projects every vertex of a
     layer when it is added and again at every zoom reset, so the region layer waits off the
     map (the map's script does not add it) until the frame has its size and is framed. */
  function drawRegions(atlas) {
    if (atlas.regionsDrawn) {
      return;
    }
    atlas.regionsDrawn = true;
    var regions = atlas.layers.countries.addTo(atlas.map).getLayers();
    /* Below the markers and circles drawn before them, in their own order (breakaway
       regions above their states). */
    for (var index = regions.length - 1; index >= 0; index -= 1) {
      regions[index].bringToBack();
    }
    frontSelected(atlas);
  }

  /* The frame gets its final height only after the map's script ran (streamlit-folium sets
     it): keep Leaflet's size in step, and frame the members again until the user moves the
     map themselves; the regions are drawn at the first frame with a size. */
  function followSize(atlas) {
    var container = atlas.map.getContainer();
    var moved = false;
    ["pointerdown", "wheel", "keydown", "touchstart"].forEach(function (name) {
      container.addEventListener(name, function () {
        moved = true;
      }, { passive: true });
    });
    var fit = function () {
      atlas.map.invalidateSize({ pan: false });
      if (!moved && container.clientHeight > 0) {
        frameMap(atlas);
      }
      if (container.clientHeight > 0 || moved) {
        drawRegions(atlas);
      }
    };
    if (window.ResizeObserver) {
      new ResizeObserver(fit).observe(container);
    }
    fit();
  }

  function attach(map, layers, config, packedPanels) {
    var atlas = {
      map: map,
      layers: layers,
      config: config,
      panels: null,
      byCode: statusByCode(config),
      year: config.year,
      selected: null,
      hovered: null,
      timer: null,
      sheetOpen: false,
      ui: {},
      markers: [],
      markersById: {},
      regionLayers: {},
      regionsDrawn: false,
      panelsFailed: false,
      citeTemplates: null,
    };
    addHatchPatterns(atlas, map.getRenderer(layers.countries)._container);
    prepareCountries(atlas);
    buildShell(atlas);
    prepareMarkers(atlas);
    buildLegend(atlas).addTo(map);
    buildLayerControl(atlas);
    watchTiles(atlas);
    var view = openingView(atlas);
    openSheet(atlas, !isNarrow(atlas));
    setYear(atlas, view.year, null);
    selectCountry(atlas, view.country, null);
    openSheet(atlas, !isNarrow(atlas));
    saveView(atlas, "replace");
    followHistory(atlas);
    followSize(atlas);
    map.getContainer().classList.add("csto-map");
    window.cstoAtlas = atlas;
    unpackAfterFirstPaint(atlas, packedPanels);
    return atlas;
  }

  window.CstoAtlas = { attach: attach };
})();

/* The view (year and country) and the year box that changes it: Play, slider, Country box,
   the year's changes. */

// --- the view: year and country -------------------------------------------------------

/** @param {Atlas} atlas */
function clampYear(atlas, year) {
  return Math.max(atlas.config.first, Math.min(atlas.config.last, year));
}

/** @param {Atlas} atlas */
function setYear(atlas, year, how) {
  atlas.year = clampYear(atlas, year);
  var text = String(atlas.year);
  restyleCountries(atlas);
  showMarkers(atlas);
  showLabels(atlas);
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
  showImageLinks(atlas);
  if (how) {
    saveView(atlas, how);
  }
}

/** @param {Atlas} atlas */
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
  showImageLinks(atlas);
  if (chosen && chosen !== previous) {
    openSheet(atlas, true);
    if (how) {
      bringIntoView(atlas, chosen);
    }
  }
  if (how && chosen !== previous) {
    saveView(atlas, how);
  }
}

/* The selected region's whole outline above its neighbours (once the regions are drawn). */
/** @param {Atlas} atlas */
function frontSelected(atlas) {
  var layer = atlas.selected ? atlas.regionLayers[atlas.selected] : null;
  if (layer && layer._map) {
    layer.bringToFront();
  }
}

// --- the year box: Play, slider, Country box, changes --------------------------------

/** @param {Atlas} atlas */
function showPlayState(atlas, playing) {
  var text = playing ? atlas.config.text.pause : atlas.config.text.play;
  setText(atlas.ui.play, playing ? "\u275A\u275A" : "\u25B6");
  atlas.ui.play.setAttribute("aria-label", text);
  atlas.ui.play.setAttribute("title", text);
  atlas.ui.play.setAttribute("aria-pressed", playing ? "true" : "false");
  atlas.ui.box.setAttribute("data-playing", playing ? "true" : "false");
}

/** @param {Atlas} atlas */
function stopPlaying(atlas) {
  if (atlas.timer !== null) {
    window.clearInterval(atlas.timer);
    atlas.timer = null;
  }
  showPlayState(atlas, false);
}

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
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
  buildImageLinks(atlas, row);
  atlas.ui.changes = element("div", "csto-changes", box);
  atlas.ui.changes.setAttribute("aria-live", "polite");
  atlas.ui.checked = element("span", "csto-checked");
  showPlayState(atlas, false);
}

/** @param {Atlas} atlas */
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
  list.appendChild(atlas.ui.checked); /* shown on the last and provisional years (showCheckedUntil) */
}

/* While the slider is on the last (current) year or a provisional one (its 31 December after
   the date the sources are checked up to), the year box says up to when the statuses were
   checked, and that a provisional year's are provisional (kept out of the legend, which must
   stay short). */
/** @param {Atlas} atlas */
function showCheckedUntil(atlas) {
  var config = atlas.config;
  var provisional = config.provisionalFrom > 0 && atlas.year >= config.provisionalFrom;
  atlas.ui.checked.hidden = !((provisional || atlas.year === config.last) && config.checkedUntil);
  atlas.ui.checked.classList.toggle("csto-provisional", provisional);
  atlas.ui.box.setAttribute("data-provisional", provisional ? "true" : "false");
  setText(atlas.ui.checked,
    (provisional ? config.text.provisional : config.text.checkedUntil) + " " + config.checkedUntil);
}

/* The map of the view as an image: PNG and SVG links to the app's HTTP API (config.imageApi,
   app/api.py), following the year and the country. The static atlas has no API (imageApi ""):
   no links there. */
var IMAGE_FORMATS = ["png", "svg"];

/** @param {Atlas} atlas */
function buildImageLinks(atlas, parent) {
  if (!atlas.config.imageApi) {
    return;
  }
  var group = element("span", "csto-images", parent);
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", atlas.config.text.mapImages);
  atlas.ui.imageLinks = IMAGE_FORMATS.map(function (fmt) {
    var link = setText(element("a", "csto-image-link", group), fmt.toUpperCase());
    link.setAttribute("download", "");
    link.setAttribute("data-format", fmt);
    return link;
  });
}

/** @param {Atlas} atlas */
function showImageLinks(atlas) {
  if (!atlas.ui.imageLinks) {
    return;
  }
  var query = "?year=" + atlas.year + (atlas.selected ? "&country=" + encodeURIComponent(atlas.selected) : "");
  atlas.ui.imageLinks.forEach(function (link) {
    var fmt = link.getAttribute("data-format");
    link.href = atlas.config.imageApi + "/map." + fmt + query;
    link.title = atlas.config.text.mapImages + " " + atlas.year + " (" + fmt.toUpperCase() + ")";
  });
}

/* The frame: its layout, legend, layer control, tile notice, and the map's size and framing. */

// --- the frame's layout, legend, layer control, tile notice ----------------------------

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
function buildLegend(atlas) {
  /* Bottom left: over Turkey and the Middle East, where no member lies at the opening view nor
     after a zoom step (bottom right held Kyrgyzstan and Tajikistan once zoomed in). */
  var control = L.control({ position: "bottomleft" });
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
    legendRow(box, "csto-swatch-area csto-swatch-uncertain", {}, atlas.config.text.extentUncertain);
    legendRow(box, "csto-swatch-area csto-swatch-annexed", {}, atlas.config.text.annexed);
    /* The markers' rows folded (open on a click): the open legend stays small enough to cover
       no member at the opening view and after a zoom step. */
    var markers = element("details", "csto-legend-markers", box);
    setText(element("summary", "csto-legend-more", markers), atlas.config.text.legendMarkers);
    atlas.config.legendMarkers.forEach(function (item) {
      legendRow(
        markers,
        "csto-swatch-dot",
        { background: item.fillColor, borderColor: item.color, opacity: String(item.opacity) },
        item.label
      );
    });
    setText(legendRow(markers, "csto-swatch-cluster", {}, atlas.config.text.cluster).firstChild, "2");
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    foldLegendWhenZoomedIn(atlas, box, title);
    return box;
  };
  return control;
}

/* Zoomed in past the opening frame, the members fill the map: the open legend folds to its title
   line (it would cover one), unless the user opened or closed it themselves. */
/** @param {Atlas} atlas */
function foldLegendWhenZoomedIn(atlas, box, title) {
  var chosenByUser = false;
  var folded = false;
  L.DomEvent.on(title, "click", function () {
    chosenByUser = true;
  });
  atlas.map.on("zoomend", function () {
    if (chosenByUser || atlas.framedZoom === null) {
      return;
    }
    var zoomedIn = atlas.map.getZoom() > atlas.framedZoom;
    if (zoomedIn && box.open) {
      box.open = false;
      folded = true;
    } else if (!zoomedIn && folded) {
      box.open = true; /* back at the opening frame: open again, as it was */
      folded = false;
    }
  });
}

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
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

/* Frame the member states, as large as they fit: the legend (bottom left) lies over Turkey and
   the Middle East, so it needs no room kept for it. */
/** @param {Atlas} atlas */
function frameMap(atlas) {
  var pad = atlas.config.fitPadding;
  atlas.map.fitBounds(atlas.config.frame, { animate: false, padding: L.point(pad, pad) });
  atlas.framedZoom = atlas.map.getZoom();
}

/* The regions are drawn once, at the opening frame: Leaflet projects every vertex of a
   layer when it is added and again at every zoom reset, so the region layer waits off the
   map (the map's script does not add it) until the frame has its size and is framed. */
/** @param {Atlas} atlas */
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
  showLabels(atlas);
}

/* The frame gets its final height only after the map's script ran (streamlit-folium sets
   it): keep Leaflet's size in step, and frame the members again until the user moves the
   map themselves; the regions are drawn at the first frame with a size. */
/** @param {Atlas} atlas */
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

/* What a choice or a finger reaches: a chosen country brought whole into view, the phone's sheet
   dragged down or dismissed, and taps that land beside a marker or a small country. */

// --- a chosen country, whole in view ----------------------------------------------------

/* A state wider than this (degrees of longitude: Russia) is never framed whole: it fills the
   map at every zoom that shows the others (style.FRAME_MAX_SPAN_DEG says the same). */
var MAX_FIT_SPAN_DEG = 60;

/* The map's height the open sheet covers on a phone (0 beside the map on a desktop). */
/** @param {Atlas} atlas */
function sheetCover(atlas) {
  if (!isNarrow(atlas)) {
    return 0;
  }
  var map = atlas.map.getContainer().getBoundingClientRect();
  var sheet = atlas.ui.sheet.getBoundingClientRect();
  return Math.max(0, map.bottom - sheet.top);
}

/* Bring the chosen region whole into the part of the map left uncovered: a pan when it fits at
   this zoom, else out as far as it needs; never in (the user's zoom stays). */
/** @param {Atlas} atlas */
function bringIntoView(atlas, iso3) {
  var layer = atlas.regionLayers[iso3];
  var map = atlas.map;
  var bounds = layer.getBounds();
  if (!map.getSize().y || bounds.getEast() - bounds.getWest() > MAX_FIT_SPAN_DEG) {
    return;
  }
  var pad = atlas.config.fitPadding;
  var topLeft = L.point(pad, pad);
  var bottomRight = L.point(pad, pad + sheetCover(atlas));
  var size = map.getSize();
  var north = map.latLngToContainerPoint(bounds.getNorthWest());
  var south = map.latLngToContainerPoint(bounds.getSouthEast());
  if (north.x >= topLeft.x && north.y >= topLeft.y &&
      south.x <= size.x - bottomRight.x && south.y <= size.y - bottomRight.y) {
    return;
  }
  map.fitBounds(bounds, {
    animate: false,
    paddingTopLeft: topLeft,
    paddingBottomRight: bottomRight,
    maxZoom: map.getZoom(),
  });
}

// --- the phone's sheet: dragged down, or dismissed -------------------------------------

var DRAG_SLOP_PX = 6;
/* A sheet dragged lower than this (CSS px, its handle included) is dismissed. */
var DISMISS_PX = 120;

/* The sheet's handle follows a finger (or a mouse) down and up; let go low, the sheet closes;
   a press that does not move is the handle's click (open or close). */
/** @param {Atlas} atlas */
function dragSheet(atlas) {
  var toggle = atlas.ui.toggle;
  var sheet = atlas.ui.sheet;
  var drag = null;
  var dragged = false;
  toggle.addEventListener("pointerdown", function (event) {
    if (isNarrow(atlas) && atlas.sheetOpen) {
      drag = { y: event.clientY, height: sheet.offsetHeight, moved: false };
      toggle.setPointerCapture(event.pointerId);
    }
  });
  toggle.addEventListener("pointermove", function (event) {
    if (!drag) {
      return;
    }
    var down = event.clientY - drag.y;
    drag.moved = drag.moved || Math.abs(down) > DRAG_SLOP_PX;
    if (drag.moved) {
      sheet.style.height = Math.max(toggle.offsetHeight, drag.height - down) + "px";
    }
  });
  var release = function () {
    if (drag && drag.moved) {
      dragged = true;
      if (sheet.offsetHeight < DISMISS_PX) {
        sheet.style.height = "";
        openSheet(atlas, false);
      }
    }
    drag = null;
  };
  toggle.addEventListener("pointerup", release);
  toggle.addEventListener("pointercancel", release);
  /* The click that ends a drag is not a press of the handle. */
  toggle.addEventListener("click", function (event) {
    if (dragged) {
      dragged = false;
      event.stopImmediatePropagation();
    }
  }, true);
}

// --- a finger: taps beside a marker, and on a bubble over a country ---------------------

/* Half a touch target (44 px): a tap this close to a marker's centre opens it. */
var TOUCH_PX = 22;

function insideRing(ring, lon, lat) {
  var inside = false;
  for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    var crosses = ring[i][1] > lat !== ring[j][1] > lat;
    if (crosses && lon < ((ring[j][0] - ring[i][0]) * (lat - ring[i][1])) / (ring[j][1] - ring[i][1]) + ring[i][0]) {
      inside = !inside;
    }
  }
  return inside;
}

function insideGeometry(geometry, lon, lat) {
  var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  return polygons.some(function (polygon) {
    return insideRing(polygon[0], lon, lat) && !polygon.slice(1).some(function (hole) {
      return insideRing(hole, lon, lat);
    });
  });
}

/* The region drawn at a point: of those holding it, the smallest (a breakaway over its state). */
/** @param {Atlas} atlas */
function regionAt(atlas, latlng) {
  var found = null;
  var smallest = Infinity;
  Object.keys(atlas.regionLayers).forEach(function (iso3) {
    var layer = atlas.regionLayers[iso3];
    var bounds = layer.getBounds();
    if (!bounds.contains(latlng) || !insideGeometry(layer.feature.geometry, latlng.lng, latlng.lat)) {
      return;
    }
    var size = (bounds.getEast() - bounds.getWest()) * (bounds.getNorth() - bounds.getSouth());
    if (size < smallest) {
      smallest = size;
      found = iso3;
    }
  });
  return found;
}

/* The marker drawn alone nearest to a point of the map, if within TOUCH_PX of it. */
/** @param {Atlas} atlas */
function markerNear(atlas, point) {
  var best = null;
  var nearest = TOUCH_PX;
  atlas.markers.forEach(function (marker) {
    if (atlas.map.hasLayer(marker)) {
      var distance = atlas.map.latLngToContainerPoint(marker.getLatLng()).distanceTo(point);
      if (distance <= nearest) {
        nearest = distance;
        best = marker;
      }
    }
  });
  return best;
}

/* A region narrower than a touch target at `zoom`: a finger cannot tap it beside the bubbles. */
/** @param {Atlas} atlas */
function smallOnScreen(atlas, iso3, zoom) {
  var bounds = atlas.regionLayers[iso3].getBounds();
  var west = atlas.map.project(bounds.getNorthWest(), zoom);
  var east = atlas.map.project(bounds.getSouthEast(), zoom);
  return Math.min(east.x - west.x, east.y - west.y) < 2 * TOUCH_PX;
}

/* On a touch screen a marker answers a tap within TOUCH_PX of it (its circle is 10 px), and a tap
   on a cluster bubble spreads it and, if the country under the finger is too small to tap beside
   it (Armenia at the opening view), opens that country. */
/** @param {Atlas} atlas */
function reachByTouch(atlas) {
  if (!window.matchMedia || !window.matchMedia("(pointer: coarse)").matches) {
    return;
  }
  var container = atlas.map.getContainer();
  /* Where the last tap landed and the zoom then, read before a bubble's zoom moves the map. */
  var tappedAt = null;
  var tappedZoom = 0;
  container.addEventListener("click", function (event) {
    tappedAt = atlas.map.mouseEventToLatLng(event);
    tappedZoom = atlas.map.getZoom();
    var target = /** @type {Element} */ (event.target);
    var hit = atlas.markers.some(function (marker) {
      return marker.getElement() === target;
    });
    if (hit || target.closest(".leaflet-control, .leaflet-popup, .marker-cluster")) {
      return;
    }
    var box = container.getBoundingClientRect();
    var marker = markerNear(atlas, L.point(event.clientX - box.left, event.clientY - box.top));
    if (marker) {
      event.stopPropagation();
      openMarkerPopup(atlas, marker);
    }
  }, true);
  atlas.cluster.on("clusterclick", function (event) {
    var iso3 = regionAt(atlas, tappedAt || event.layer.getLatLng());
    if (iso3 && smallOnScreen(atlas, iso3, tappedZoom)) {
      selectCountry(atlas, iso3, "push");
    }
  });
}

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

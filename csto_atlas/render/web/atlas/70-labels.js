/* Country labels: each member's name, where it fits inside its region's box on the screen and
   clear of the other labels (the larger region first), redrawn at every zoom and year. */

var LABEL_PANE = "csto-labels";
/* Above the regions (the overlay pane, 400), below the markers (600). */
var LABEL_PANE_Z = "450";
/* A label may be this much wider than its region's box before it is left out. */
var LABEL_OVERHANG = 1.15;
/* Where a label may sit (px below its point) when a bubble or a label covers its point. */
var LABEL_SHIFTS = [0, 18, -18, 36, -36];

/* The centroid of a region's largest outer ring (planar, in degrees): inside the region for the
   compact states the labels are for. */
function labelPoint(geometry) {
  var polygons = geometry.type === "Polygon" ? [geometry.coordinates] : geometry.coordinates;
  /** @type {{area: number, lat: number, lon: number} | null} */
  var best = null;
  polygons.forEach(function (polygon) {
    var ring = polygon[0];
    var area = 0;
    var x = 0;
    var y = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      area += cross;
      x += (ring[j][0] + ring[i][0]) * cross;
      y += (ring[j][1] + ring[i][1]) * cross;
    }
    if (area !== 0 && (!best || Math.abs(area) > best.area)) {
      best = { area: Math.abs(area), lat: y / (3 * area), lon: x / (3 * area) };
    }
  });
  return best ? L.latLng(best.lat, best.lon) : null;
}

/* One label (a non-interactive marker) per region that is a member in some year. */
/** @param {Atlas} atlas */
function buildLabels(atlas) {
  atlas.map.createPane(LABEL_PANE).style.zIndex = LABEL_PANE_Z;
  atlas.labels = [];
  var first = atlas.config.first;
  Object.keys(atlas.regionLayers).forEach(function (iso3) {
    var feature = atlas.regionLayers[iso3].feature;
    var codes = feature.properties.codes;
    var ever = false;
    for (var year = first; year < first + codes.length; year += 1) {
      ever = ever || statusOf(atlas, feature, year).member;
    }
    var point = ever ? labelPoint(feature.geometry) : null;
    if (!point) {
      return;
    }
    var text = document.createElement("span");
    setText(text, feature.properties.name);
    var icon = L.divIcon({ html: text, className: "csto-label", iconSize: null });
    var marker = L.marker(point, { icon: icon, pane: LABEL_PANE, interactive: false, keyboard: false });
    atlas.labels.push({ iso3: iso3, marker: marker });
  });
  atlas.map.on("zoomend", function () {
    showLabels(atlas);
  });
}

/* Show the labels of this year's members that fit, the larger region first. */
/** @param {Atlas} atlas */
function showLabels(atlas) {
  if (!atlas.labels || !atlas.regionsDrawn) {
    return;
  }
  var map = atlas.map;
  var candidates = atlas.labels.map(function (label) {
    var layer = atlas.regionLayers[label.iso3];
    var bounds = layer.getBounds();
    var north = map.latLngToContainerPoint(bounds.getNorthWest());
    var south = map.latLngToContainerPoint(bounds.getSouthEast());
    return {
      label: label,
      member: statusOf(atlas, layer.feature, atlas.year).member,
      width: south.x - north.x,
      area: (south.x - north.x) * (south.y - north.y),
    };
  });
  candidates.sort(function (a, b) {
    return b.area - a.area;
  });
  /* The cluster bubbles are kept clear too (a label half under one read "kistan"). */
  var placed = Array.prototype.map.call(
    map.getContainer().querySelectorAll(".marker-cluster"),
    function (bubble) {
      return bubble.getBoundingClientRect();
    }
  );
  candidates.forEach(function (candidate) {
    var marker = candidate.label.marker;
    if (!candidate.member) {
      marker.remove();
      return;
    }
    marker.addTo(map);
    var node = marker.getElement();
    var text = node.firstChild;
    node.style.visibility = "";
    var fits = text.getBoundingClientRect().width <= candidate.width * LABEL_OVERHANG;
    var free = fits && LABEL_SHIFTS.some(function (shift) {
      text.style.marginTop = shift + "px";
      var box = text.getBoundingClientRect();
      if (placed.every(function (other) {
        return box.right < other.left || box.left > other.right || box.bottom < other.top || box.top > other.bottom;
      })) {
        placed.push(box);
        return true;
      }
      return false;
    });
    if (!free) {
      node.style.visibility = "hidden";
    }
  });
}

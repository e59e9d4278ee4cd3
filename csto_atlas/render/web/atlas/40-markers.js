/* The markers: clustered, restyled per year, with their uncertainty circles and popups. */

// --- markers: clustered, so markers at one place spread out on a click -----------------

/* The room a popup keeps: its width, its height below which it scrolls, and the padding its
   pan keeps clear of the map's controls. */
var POPUP_WIDTH = { min: 160, max: 340 };
var POPUP_MIN_HEIGHT = 120;
/* What a popup adds around its content (.csto-popup's content margins, the tip, the popup's
   bottom margin over its point): its whole height is the content's plus this. */
var POPUP_CHROME_PX = 62;
/* How far north of its point a popup may pan the map's centre: none to speak of, so a popup
   opened at the opening view never throws the map off the region (issue 16). */
var POPUP_NORTH_PX = 20;

/* Each control (zoom, layers, legend, attribution) is kept clear either by a band along the
   top or bottom of the map or by one along its left or right side: of every choice, the one
   leaving the tallest room at least POPUP_WIDTH.max wide (or else the widest). */
function popupPadding(atlas) {
  var container = atlas.map.getContainer();
  var box = container.getBoundingClientRect();
  var obstacles = [];
  container.querySelectorAll(".leaflet-control").forEach(function (control) {
    var rect = control.getBoundingClientRect();
    if (!rect.width) {
      return;
    }
    var corner = control.parentNode.className;
    var top = corner.indexOf("leaflet-top") >= 0;
    var right = corner.indexOf("leaflet-right") >= 0;
    obstacles.push({
      top: top,
      right: right,
      band: top ? rect.bottom - box.top + 8 : box.bottom - rect.top + 8,
      side: right ? box.right - rect.left + 8 : rect.right - box.left + 8,
    });
  });
  var best = null;
  for (var choice = 0; choice < 1 << obstacles.length; choice += 1) {
    var pad = { top: 10, left: 10, right: 10, bottom: 10 };
    obstacles.forEach(function (obstacle, index) {
      if (choice & (1 << index)) {
        var edge = obstacle.top ? "top" : "bottom";
        pad[edge] = Math.max(pad[edge], obstacle.band);
      } else {
        var side = obstacle.right ? "right" : "left";
        pad[side] = Math.max(pad[side], obstacle.side);
      }
    });
    var width = box.width - pad.left - pad.right;
    var height = box.height - pad.top - pad.bottom;
    var score = width >= POPUP_WIDTH.max + 40 ? 1e6 + height : width;
    if (!best || score > best.score) {
      best = { score: score, pad: pad };
    }
  }
  var chosen = best.pad;
  return { topLeft: L.point(chosen.left, chosen.top), bottomRight: L.point(chosen.right, chosen.bottom) };
}

/* Before a popup opens: its width and height fit the room left by the controls, it scrolls
   beyond that (maxHeight), and its pan keeps it in that room without moving the map's centre
   north of its point (a popup as tall as the map once panned the map to the Arctic). */
function fitPopup(atlas, popup) {
  var padding = popupPadding(atlas);
  var size = atlas.map.getSize();
  var options = popup.options;
  var room = size.x - padding.topLeft.x - padding.bottomRight.x - 40;
  var tall = size.y - padding.topLeft.y - padding.bottomRight.y - POPUP_CHROME_PX;
  var calm = size.y / 2 - padding.topLeft.y - POPUP_CHROME_PX + POPUP_NORTH_PX;
  options.autoPanPaddingTopLeft = padding.topLeft;
  options.autoPanPaddingBottomRight = padding.bottomRight;
  options.maxWidth = Math.max(POPUP_WIDTH.min, Math.min(POPUP_WIDTH.max, room));
  options.minWidth = Math.min(options.minWidth || 50, options.maxWidth);
  options.maxHeight = Math.max(POPUP_MIN_HEIGHT, Math.min(tall, calm));
}

/* A marker's popup, opened on the map at the marker's point rather than bound to the marker: the
   pan that brings it into view may cluster the markers anew, and a popup bound to its marker
   closed as soon as the marker left the map for a cluster. */
/** @param {Atlas} atlas */
function openMarkerPopup(atlas, marker) {
  /** @type {MarkerData} */
  var data = marker.options.csto;
  /* A new popup each time: a popup kept from an earlier opening could carry Leaflet's "I am
     panning" mark (keepInView) from a pan cut short, and then skipped its next pan. */
  var popup = L.popup({
    maxWidth: POPUP_WIDTH.max,
    className: "csto-popup",
    autoPan: true,
    keepInView: true,
  }).setContent(data.popup);
  fitPopup(atlas, popup);
  /* The popup names the marker: its hover tooltip would peek out under the popup's edge. */
  marker.closeTooltip();
  popup.setLatLng(marker.getLatLng()).openOn(atlas.map);
  return popup;
}

/* A cluster bubble: neutral (white and grey, not a status's colour), its count inside, as large as
   a touch target (issue 16); the legend shows one (60-frame.js). */
var CLUSTER_PX = 44;

function clusterIcon(cluster) {
  var bubble = document.createElement("div");
  setText(element("span", "", bubble), String(cluster.getChildCount()));
  return L.divIcon({
    html: bubble,
    className: "marker-cluster csto-cluster",
    iconSize: L.point(CLUSTER_PX, CLUSTER_PX),
  });
}

/** @param {Atlas} atlas */
function prepareMarkers(atlas) {
  atlas.cluster = L.markerClusterGroup({
    iconCreateFunction: clusterIcon,
    maxClusterRadius: 18,
    showCoverageOnHover: false,
    spiderfyOnMaxZoom: true,
    spiderfyDistanceMultiplier: 1.6,
    zoomToBoundsOnClick: true,
  });
  Object.keys(atlas.layers.markers).forEach(function (kind) {
    /* The group stays empty, the layer control's switch for its kind (elements.MarkerLayer). */
    atlas.layers.markers[kind].cstoMarkers.forEach(function (marker) {
      /** @type {MarkerData} */
      var data = marker.options.csto;
      atlas.markers.push(marker);
      atlas.markersById[data.id] = marker;
      marker.bindTooltip(data.tip, { direction: "top", className: "csto-tip csto-marker-tip" });
      marker.on("click", function () {
        openMarkerPopup(atlas, marker);
      });
    });
  });
  atlas.circles = L.layerGroup().addTo(atlas.map);
  atlas.cluster.addTo(atlas.map);
  atlas.map.on("overlayadd overlayremove", function () {
    showMarkers(atlas);
  });
}

/** @param {Atlas} atlas */
function markerShown(atlas, marker) {
  /** @type {MarkerData} */
  var data = marker.options.csto;
  var on = atlas.map.hasLayer(atlas.layers.markers[data.kind]);
  return on && data.from <= atlas.year && (data.to === null || atlas.year <= data.to);
}

/* A faint circle of the marker's uncertainty (radiusKm), where it exceeds
   config.uncertainty.minKm, shown and hidden with its marker. The circles are not clustered:
   they show how far the place may lie from its point at every zoom. */
/** @param {Atlas} atlas */
function showUncertainty(atlas, marker, visible) {
  /** @type {MarkerData} */
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

/** @param {Atlas} atlas */
function showMarkers(atlas) {
  var add = [];
  var remove = [];
  atlas.markers.forEach(function (marker) {
    /** @type {MarkerData} */
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

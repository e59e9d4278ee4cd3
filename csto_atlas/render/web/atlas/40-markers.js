/* The markers: clustered, restyled per year, with their uncertainty circles and popups. */

// --- markers: clustered, so markers at one place spread out on a click -----------------

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
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
      /** @type {MarkerData} */
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

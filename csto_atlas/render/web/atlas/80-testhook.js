/* The test hook: window.__atlasTestHook, the one way the browser tests (tests/e2e, tooling/
   browser.py) read the map's state or move it. Named functions over the state object, using
   Leaflet's and Leaflet.markercluster's public API only, so the tests never read a private field
   of either; documented in docs/design.md. It changes nothing the user sees unless a test calls
   one of its actions (hoverRegion, centreOn, revealMarker, openPopup, closePopup, showYear,
   frameMembers). */

/* Map movement as Leaflet reports it (movestart/zoomstart .. moveend), and when the map or the
   clusters last moved (a cluster's animation or spread ends after the map's moveend). */
/** @param {Atlas} atlas */
function watchMovement(atlas) {
  var motion = { moving: false, quietSince: Date.now() };
  atlas.map.on("movestart zoomstart", function () {
    motion.moving = true;
  });
  atlas.map.on("moveend", function () {
    motion.moving = false;
    motion.quietSince = Date.now();
  });
  atlas.cluster.on("animationend spiderfied unspiderfied", function () {
    motion.quietSince = Date.now();
  });
  return motion;
}

var SETTLED_MS = 250;
var OPEN_POPUP_MS = 3000;

/** @param {Atlas} atlas */
function testHook(atlas) {
  var motion = watchMovement(atlas);

  function settled() {
    return !motion.moving && Date.now() - motion.quietSince >= SETTLED_MS;
  }

  function markerOf(id) {
    var marker = atlas.markersById[id];
    if (!marker) {
      throw new Error("no marker " + id);
    }
    return marker;
  }

  /* The marker's own circle is drawn (not inside a cluster bubble) inside the map's view. */
  function drawnAlone(marker) {
    return atlas.map.hasLayer(marker) && atlas.map.getBounds().contains(marker.getLatLng());
  }

  function tag(element, className) {
    document.querySelectorAll("." + className).forEach(function (node) {
      node.classList.remove(className);
    });
    element.classList.add(className);
  }

  /* Bring marker `id` onto the screen whatever the clusters and a running zoom or pan do
     meanwhile: centre the map on it at the highest zoom and look again until it is drawn with
     the map at rest. If markers share its point its cluster is drawn instead: spread it
     (`spread`) and go on, or stop there. What is drawn is given the class `tagClass` (for a
     real hover or click); resolves to "marker" or "cluster", or null when it never showed. */
  function revealMarker(id, spread, tagClass) {
    var marker = markerOf(id);
    var map = atlas.map;
    return new Promise(function (resolve) {
      var attempt = 0;
      var step = function () {
        attempt += 1;
        if (attempt > 40) {
          resolve(null);
          return;
        }
        if (settled()) {
          if (drawnAlone(marker)) {
            tag(marker.getElement(), tagClass);
            resolve("marker");
            return;
          }
          var bubble = atlas.cluster.getVisibleParent(marker);
          var atMax = map.getZoom() === map.getMaxZoom();
          if (atMax && bubble && map.getBounds().contains(bubble.getLatLng())) {
            if (!spread) {
              tag(bubble.getElement(), tagClass);
              resolve("cluster");
              return;
            }
            bubble.spiderfy();
          } else {
            map.setView(marker.getLatLng(), map.getMaxZoom(), { animate: false });
          }
        }
        window.setTimeout(step, 300);
      };
      step();
    });
  }

  /* Open a marker's popup as a click on it does (the marker must be drawn: revealMarker); resolves
     once it is open and any pan it started has ended, to whether it is open. */
  function openPopup(id) {
    var marker = markerOf(id);
    var map = atlas.map;
    return new Promise(function (resolve) {
      var panning = false;
      var popup = null;
      var onPan = function () {
        panning = true;
      };
      var onOpen = function (event) {
        popup = event.popup;
      };
      map.once("autopanstart", onPan);
      map.once("popupopen", onOpen);
      marker.fire("click", { latlng: marker.getLatLng() });
      map.off("autopanstart", onPan);
      map.off("popupopen", onOpen);
      var done = function () {
        resolve(popup !== null && map.hasLayer(popup));
      };
      if (panning) {
        map.once("moveend", done);
        window.setTimeout(done, OPEN_POPUP_MS); /* a pan that never ends: report, never hang */
      } else {
        done();
      }
    });
  }

  function bounds() {
    var box = atlas.map.getBounds();
    return [box.getWest(), box.getSouth(), box.getEast(), box.getNorth()];
  }

  return Object.freeze({
    /* The year and the country (ISO3 or null) shown. */
    year: function () {
      return atlas.year;
    },
    selected: function () {
      return atlas.selected;
    },
    /* {iso3: status code} of every region in the year shown. */
    regionStatuses: function () {
      var out = {};
      Object.keys(atlas.regionLayers).forEach(function (iso3) {
        out[iso3] = statusOf(atlas, atlas.regionLayers[iso3].feature, atlas.year).code;
      });
      return out;
    },
    /* The Leaflet path style a region has now (fill, outline), as countryStyle gives it. */
    regionStyle: function (iso3) {
      return countryStyle(atlas, atlas.regionLayers[iso3].feature);
    },
    /* Hover a region as the pointer would (its mouseover). */
    hoverRegion: function (iso3) {
      atlas.regionLayers[iso3].fire("mouseover");
    },
    /* The ids of the markers the year shows (on the map alone or inside a cluster), of one kind
       or of all. */
    markerIds: function (kind) {
      return atlas.markers
        .filter(function (marker) {
          /** @type {MarkerData} */
          var data = marker.options.csto;
          return (!kind || data.kind === kind) && atlas.cluster.hasLayer(marker);
        })
        .map(function (marker) {
          return marker.options.csto.id;
        });
    },
    /* A marker's kind, point and the look it has this year. */
    markerLook: function (id) {
      var marker = markerOf(id);
      var at = marker.getLatLng();
      return {
        kind: marker.options.csto.kind,
        lat: at.lat,
        lon: at.lng,
        fillOpacity: marker.options.fillOpacity,
        radius: marker.getRadius(),
      };
    },
    /* The marker is shown this year but drawn inside a cluster bubble at this zoom. */
    isClustered: function (id) {
      var marker = markerOf(id);
      return atlas.cluster.hasLayer(marker) && !atlas.map.hasLayer(marker);
    },
    revealMarker: revealMarker,
    openPopup: openPopup,
    closePopup: function () {
      atlas.map.closePopup();
    },
    /* Show a year (as the slider does, without touching the URL) and frame the members as the
       map opens. */
    showYear: function (year) {
      setYear(atlas, year, null);
    },
    frameMembers: function () {
      frameMap(atlas);
    },
    /* No pan or zoom running, and none ended in the last SETTLED_MS. */
    isSettled: settled,
    /* The map's zoom, centre [lat, lon] and bounds [west, south, east, north]. */
    view: function () {
      var centre = atlas.map.getCenter();
      return { zoom: atlas.map.getZoom(), center: [centre.lat, centre.lng], bounds: bounds() };
    },
    /* A marker's drawn element (its circle), or null while it is not drawn. */
    markerElement: function (id) {
      return markerOf(id).getElement() || null;
    },
    /* Where a point is in the frame now (CSS px from the frame's top left). */
    pointOf: function (lat, lon) {
      var point = atlas.map.latLngToContainerPoint([lat, lon]);
      var box = atlas.map.getContainer().getBoundingClientRect();
      return [box.left + point.x, box.top + point.y];
    },
    /* Centre the map on a point at `zoom` (no animation); where the point is in the frame. */
    centreOn: function (lat, lon, zoom) {
      atlas.map.setView([lat, lon], zoom, { animate: false });
      var point = atlas.map.latLngToContainerPoint([lat, lon]);
      var box = atlas.map.getContainer().getBoundingClientRect();
      return [box.left + point.x, box.top + point.y];
    },
  });
}

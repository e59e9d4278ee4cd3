/* CSTO Atlas: the year slider, Play control and legend of the map, restyling it in the browser.
 *
 * Every country feature carries `codes`, one status letter per year from `config.first`; every
 * marker carries `options.csto` = {from, to, fade, tip, popup}. Changing the year restyles the
 * layers in place: no server round trip, no rebuild, so the map keeps its zoom and pan.
 * The year the user is looking at is written into every feature's properties (so a click sends
 * it to Python with the feature) and into the page URL's ?year= (same origin only).
 * Dataset text arrives already HTML-escaped (tip, popup) or is set with textContent (tooltips).
 */
(function () {
  "use strict";

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
  function territoryStyle(atlas, feature, territory, status) {
    var chosen = feature.properties.iso3 === atlas.selected;
    var look = atlas.config.look;
    if (territory === "part of parent") {
      return {
        fillColor: status.colour,
        fillOpacity: look.fillOpacity,
        color: chosen ? look.selectedStroke : status.colour,
        weight: chosen ? look.selectedWeight : look.weight + 1,
        dashArray: null,
        opacity: chosen ? 1 : look.fillOpacity,
      };
    }
    var annexed = atlas.config.annexedLook;
    return {
      fillColor: "url(#csto-hatch-annexed)",
      fillOpacity: 1,
      color: chosen ? look.selectedStroke : annexed.stroke,
      weight: chosen ? look.selectedWeight : annexed.weight,
      dashArray: annexed.dash,
      opacity: 1,
    };
  }

  function countryStyle(atlas, feature) {
    var status = statusOf(atlas, feature, atlas.year);
    var look = atlas.config.look;
    var territory = territoryOf(atlas, feature, atlas.year);
    if (territory === "part of parent" || territory === "annexed") {
      return territoryStyle(atlas, feature, territory, status);
    }
    if (feature.properties.kind === "breakaway") {
      var chosen = feature.properties.iso3 === atlas.selected;
      return {
        fillColor: "url(#csto-hatch-" + status.code + ")",
        fillOpacity: 1,
        color: chosen ? look.selectedStroke : look.breakawayStroke,
        weight: chosen ? look.selectedWeight : look.breakawayWeight,
        dashArray: look.breakawayDash,
        opacity: 1,
      };
    }
    var selected = feature.properties.iso3 === atlas.selected;
    return {
      fillColor: status.colour,
      fillOpacity: look.fillOpacity,
      color: selected ? look.selectedStroke : look.stroke,
      weight: selected ? look.selectedWeight : look.weight,
      dashArray: null,
      opacity: 1,
    };
  }

  function addHatchPatterns(atlas, svg) {
    var ns = "http://www.w3.org/2000/svg";
    var defs = document.createElementNS(ns, "defs");
    atlas.config.statuses.forEach(function (status) {
      var pattern = document.createElementNS(ns, "pattern");
      pattern.setAttribute("id", "csto-hatch-" + status.code);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var ground = document.createElementNS(ns, "rect");
      ground.setAttribute("width", "8");
      ground.setAttribute("height", "8");
      ground.setAttribute("fill", status.colour);
      var stripe = document.createElementNS(ns, "rect");
      stripe.setAttribute("width", "3");
      stripe.setAttribute("height", "8");
      stripe.setAttribute("fill", atlas.config.look.hatch);
      pattern.appendChild(ground);
      pattern.appendChild(stripe);
      defs.appendChild(pattern);
    });
    defs.appendChild(annexedPattern(atlas, ns));
    svg.insertBefore(defs, svg.firstChild);
  }

  function annexedPattern(atlas, ns) {
    var look = atlas.config.annexedLook;
    var pattern = document.createElementNS(ns, "pattern");
    pattern.setAttribute("id", "csto-hatch-annexed");
    pattern.setAttribute("patternUnits", "userSpaceOnUse");
    pattern.setAttribute("width", "6");
    pattern.setAttribute("height", "6");
    pattern.setAttribute("patternTransform", "rotate(-45)");
    var ground = document.createElementNS(ns, "rect");
    ground.setAttribute("width", "6");
    ground.setAttribute("height", "6");
    ground.setAttribute("fill", look.fill);
    var stripe = document.createElementNS(ns, "rect");
    stripe.setAttribute("width", "2");
    stripe.setAttribute("height", "6");
    stripe.setAttribute("fill", look.hatch);
    pattern.appendChild(ground);
    pattern.appendChild(stripe);
    return pattern;
  }

  function countryTooltip(atlas, layer) {
    var props = layer.feature.properties;
    var status = statusOf(atlas, layer.feature, atlas.year);
    var territory = territoryOf(atlas, layer.feature, atlas.year);
    var text = atlas.config.text;
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = props.name;
    box.appendChild(name);
    if (props.parent) {
      var parent = document.createElement("div");
      parent.className = "csto-tip-parent";
      parent.textContent = territoryTipLine(text, territory, props);
      box.appendChild(parent);
    }
    if (territory !== "annexed") {
      var line = document.createElement("div");
      line.textContent = status.label + " " + text.inYear + " " + atlas.year;
      box.appendChild(line);
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

  function prepareCountries(atlas) {
    var countries = atlas.layers.countries;
    countries.options.style = function (feature) {
      return countryStyle(atlas, feature);
    };
    countries.eachLayer(function (layer) {
      layer.bindTooltip(
        function () {
          return countryTooltip(atlas, layer);
        },
        { sticky: true, direction: "top", className: "csto-tip" }
      );
      layer.on("mouseover", function () {
        layer.setStyle({ weight: atlas.config.look.hoverWeight, color: atlas.config.look.hoverStroke });
      });
      layer.on("mouseout", function () {
        countries.resetStyle(layer);
      });
    });
    /* Runs before streamlit-folium's own click handler, which then sends the feature (and
       with it the year) to Python: the one interaction that reruns the app. */
    countries.on("click", function (event) {
      atlas.clicks += 1;
      event.layer.feature.properties.year = atlas.year;
      event.layer.feature.properties.click = atlas.clicks;
      selectCountry(atlas, event.layer.feature.properties.iso3);
    });
  }

  function layerOf(atlas, iso3) {
    var found = null;
    atlas.layers.countries.eachLayer(function (layer) {
      if (layer.feature.properties.iso3 === iso3) {
        found = layer;
      }
    });
    return found;
  }

  function selectCountry(atlas, iso3) {
    var previous = atlas.selected;
    atlas.selected = iso3;
    [previous, iso3].forEach(function (code) {
      var layer = code ? layerOf(atlas, code) : null;
      if (layer) {
        layer.setStyle(countryStyle(atlas, layer.feature));
      }
    });
    if (atlas.ui.picker) {
      atlas.ui.picker.value = iso3 || "";
    }
  }

  /* The select box does what a click on the polygon does, so the same feature (and year)
     reaches Python by the same path. */
  function pickCountry(atlas, iso3) {
    var layer = layerOf(atlas, iso3);
    if (!layer) {
      return;
    }
    var latlng = layer.getBounds ? layer.getBounds().getCenter() : atlas.map.getCenter();
    layer.fire("click", { latlng: latlng }, true);
  }

  function buildPicker(atlas, box) {
    var row = element("label", "csto-picker", box);
    var caption = element("span", "csto-picker-label", row);
    caption.textContent = atlas.config.text.country;
    var picker = element("select", "csto-country", row);
    var none = element("option", "", picker);
    none.value = "";
    none.textContent = atlas.config.text.chooseCountry;
    var entries = [];
    atlas.layers.countries.eachLayer(function (layer) {
      entries.push(layer.feature.properties);
    });
    entries.sort(function (a, b) {
      return a.name.localeCompare(b.name);
    });
    entries.forEach(function (props) {
      var option = element("option", "", picker);
      option.value = props.iso3;
      option.textContent = props.name;
    });
    picker.value = atlas.selected || "";
    L.DomEvent.on(picker, "change", function () {
      if (picker.value) {
        pickCountry(atlas, picker.value);
      }
    });
    atlas.ui.picker = picker;
  }

  function markersOf(group) {
    var markers = [];
    group.eachLayer(function (marker) {
      if (marker.options && marker.options.csto) {
        markers.push(marker);
      }
    });
    return markers;
  }

  function prepareMarkers(atlas, group) {
    var markers = markersOf(group);
    markers.forEach(function (marker) {
      var data = marker.options.csto;
      atlas.markersById[data.id] = marker;
      marker.bindTooltip(data.tip, { direction: "top", className: "csto-tip" });
      marker.bindPopup(data.popup, { maxWidth: 340, className: "csto-popup" });
      /* A marker click opens its popup only: it must not reach the group, whose click
         handler would send it to Python and rerun the app. */
      marker.removeEventParent(group);
    });
    return { group: group, markers: markers };
  }

  /* A faint circle of the marker's uncertainty (radiusKm), where it exceeds
     config.uncertainty.minKm, shown and hidden with its marker. */
  function showUncertainty(atlas, set, marker, visible) {
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
    if (visible && !set.group.hasLayer(marker.cstoCircle)) {
      set.group.addLayer(marker.cstoCircle);
    } else if (!visible && set.group.hasLayer(marker.cstoCircle)) {
      set.group.removeLayer(marker.cstoCircle);
    }
  }

  function showMarkers(atlas, set) {
    set.markers.forEach(function (marker) {
      var data = marker.options.csto;
      var look = atlas.config.markerLook[data.kind];
      var visible = data.from <= atlas.year && (data.to === null || atlas.year <= data.to);
      showUncertainty(atlas, set, marker, visible);
      if (!visible) {
        if (set.group.hasLayer(marker)) {
          set.group.removeLayer(marker);
        }
        return;
      }
      var past = data.fade && data.from < atlas.year;
      marker.setStyle(past ? look.past : look.current);
      marker.setRadius(past ? look.pastRadius : data.radius);
      if (!set.group.hasLayer(marker)) {
        set.group.addLayer(marker);
        marker.removeEventParent(set.group);
      }
    });
  }

  function syncPageUrl(year) {
    try {
      var page = window.parent;
      if (!page || page === window) {
        return;
      }
      var url = new URL(page.location.href);
      url.searchParams.set("year", String(year));
      page.history.replaceState(page.history.state, "", url.toString());
    } catch (error) {
      /* A cross-origin parent: the year still travels with every clicked feature. */
    }
  }

  function setYear(atlas, year, fromUser) {
    var clamped = Math.max(atlas.config.first, Math.min(atlas.config.last, year));
    atlas.year = clamped;
    var countries = atlas.layers.countries;
    countries.eachLayer(function (layer) {
      layer.feature.properties.year = clamped;
      layer.setStyle(countryStyle(atlas, layer.feature));
    });
    atlas.markerSets.forEach(function (set) {
      showMarkers(atlas, set);
    });
    atlas.ui.slider.value = String(clamped);
    atlas.ui.slider.setAttribute("aria-valuetext", String(clamped));
    atlas.ui.label.textContent = String(clamped);
    atlas.ui.box.setAttribute("data-year", String(clamped));
    atlas.ui.legendYear.textContent = String(clamped);
    showCheckedUntil(atlas);
    if (fromUser) {
      syncPageUrl(clamped);
    }
  }

  /* While the slider is on the last (current) year, the legend says up to when the statuses
     were checked against the sources. */
  function showCheckedUntil(atlas) {
    var note = atlas.ui.checked;
    if (!note) {
      return;
    }
    note.hidden = !(atlas.year === atlas.config.last && atlas.config.checkedUntil);
  }

  function showPlayState(atlas, playing) {
    atlas.ui.play.textContent = playing ? "\u275A\u275A" : "\u25B6";
    atlas.ui.play.setAttribute("aria-label", playing ? atlas.config.text.pause : atlas.config.text.play);
    atlas.ui.play.setAttribute("title", playing ? atlas.config.text.pause : atlas.config.text.play);
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
      setYear(atlas, atlas.config.first, true);
    }
    atlas.timer = window.setInterval(function () {
      setYear(atlas, atlas.year + 1, true);
      if (atlas.year >= atlas.config.last) {
        stopPlaying(atlas);
      }
    }, atlas.config.playMs);
    showPlayState(atlas, true);
  }

  function element(tag, className, parent) {
    var node = L.DomUtil.create(tag, className, parent);
    return node;
  }

  function buildYearControl(atlas) {
    var control = L.control({ position: "topleft" });
    control.onAdd = function () {
      var box = element("div", "csto-year leaflet-bar");
      var row = element("div", "csto-year-row", box);
      var play = element("button", "csto-play", row);
      play.type = "button";
      var slider = element("input", "csto-slider", row);
      slider.type = "range";
      slider.min = String(atlas.config.first);
      slider.max = String(atlas.config.last);
      slider.step = "1";
      slider.value = String(atlas.year);
      slider.setAttribute("aria-label", atlas.config.text.year);
      var label = element("output", "csto-year-value", row);
      label.setAttribute("aria-live", "polite");
      L.DomEvent.disableClickPropagation(box);
      L.DomEvent.disableScrollPropagation(box);
      L.DomEvent.on(slider, "input", function () {
        stopPlaying(atlas);
        setYear(atlas, parseInt(slider.value, 10), true);
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
      buildPicker(atlas, box);
      showPlayState(atlas, false);
      return box;
    };
    return control;
  }

  function legendRow(parent, swatchClass, swatchStyle, text) {
    var row = element("div", "csto-legend-row", parent);
    var swatch = element("span", "csto-swatch " + swatchClass, row);
    Object.keys(swatchStyle).forEach(function (key) {
      swatch.style[key] = swatchStyle[key];
    });
    var label = element("span", "csto-legend-label", row);
    label.textContent = text;
    return row;
  }

  function buildLegend(atlas) {
    var control = L.control({ position: "bottomright" });
    control.onAdd = function () {
      var box = element("details", "csto-legend");
      box.open = true;
      var title = element("summary", "csto-legend-title", box);
      title.appendChild(document.createTextNode(atlas.config.text.legendTitle + " "));
      atlas.ui.legendYear = element("span", "csto-legend-year", title);
      atlas.config.statuses.forEach(function (status) {
        legendRow(box, "csto-swatch-area", { background: status.colour }, status.label);
      });
      legendRow(box, "csto-swatch-area csto-swatch-hatch", {}, atlas.config.text.breakaway);
      legendRow(box, "csto-swatch-area csto-swatch-annexed", {}, atlas.config.text.annexed);
      atlas.ui.checked = element("div", "csto-checked", box);
      atlas.ui.checked.textContent = atlas.config.text.checkedUntil + " " + atlas.config.checkedUntil;
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

  function attach(map, layers, config) {
    var atlas = {
      map: map,
      layers: layers,
      config: config,
      byCode: statusByCode(config),
      year: config.year,
      selected: config.selected,
      clicks: 0,
      timer: null,
      ui: {},
      markerSets: [],
      markersById: {},
    };
    var svg = map.getRenderer(layers.countries)._container;
    addHatchPatterns(atlas, svg);
    prepareCountries(atlas);
    atlas.markerSets = layers.markers.map(function (group) {
      return prepareMarkers(atlas, group);
    });
    buildYearControl(atlas).addTo(map);
    buildLegend(atlas).addTo(map);
    setYear(atlas, config.year, false);
    map.getContainer().classList.add("csto-map");
    window.cstoAtlas = atlas;
    return atlas;
  }

  window.CstoAtlas = { attach: attach };
})();

/* The regions: a region's status, territory and look in a year (restyled in place), and
   their tooltips, hover and click. */

// --- statuses and the look of a region --------------------------------------------------

/** @param {ClientConfig} config */
function statusByCode(config) {
  /** @type {Object<string, StatusEntry>} */
  var byCode = {};
  config.statuses.forEach(function (status) {
    byCode[status.code] = status;
  });
  return byCode;
}

/** @param {Atlas} atlas */
function statusOf(atlas, feature, year) {
  var code = feature.properties.codes.charAt(year - atlas.config.first);
  return atlas.byCode[code] || atlas.byCode[atlas.config.fallback];
}

/** @param {Atlas} atlas */
function changedThisYear(atlas, iso3) {
  return (atlas.config.changes[String(atlas.year)] || []).some(function (change) {
    return change.iso3 === iso3;
  });
}

/* How a region is drawn in `year`: as a state, a breakaway, part of its parent, or annexed
   (one letter of config.territoryCodes per year in the feature's `terr`). */
/** @param {Atlas} atlas */
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

/* A region's look in `year`, as Python chose it (render/style.py, domain/yearmodel.py): the
   feature's `looks` holds one index per year into config.regionLooks. Nothing is derived here. */
/** @param {Atlas} atlas */
function lookOf(atlas, feature, year) {
  var looks = atlas.config.regionLooks;
  var look = looks[feature.properties.looks[year - atlas.config.first]] || looks[0];
  return {
    fillColor: look.fillColor,
    fillOpacity: look.fillOpacity,
    color: look.color,
    weight: look.weight,
    dashArray: look.dashArray,
    opacity: look.opacity,
  };
}

/* Its look this year (lookOf); outline: selected (black, thick) > hovered (grey, dashed) >
   changed this year > its own. */
/** @param {Atlas} atlas */
function countryStyle(atlas, feature) {
  var look = atlas.config.look;
  var props = feature.properties;
  var style = lookOf(atlas, feature, atlas.year);
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

/** @param {Atlas} atlas */
function addHatchPatterns(atlas, svg) {
  var defs = document.createElementNS(SVG_NS, "defs");
  atlas.config.regionLooks.forEach(function (look) {
    var p = look.pattern;
    if (p) {
      defs.appendChild(hatchPattern(p.id, p.size, p.angle, p.ground, p.stripeWidth, p.stripe, p.stripeOpacity));
    }
  });
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

/** @param {Atlas} atlas */
function restyleCountry(atlas, iso3) {
  var layer = iso3 ? atlas.regionLayers[iso3] : null;
  if (layer) {
    layer.setStyle(countryStyle(atlas, layer.feature));
  }
}

/** @param {Atlas} atlas */
function restyleCountries(atlas) {
  atlas.layers.countries.eachLayer(function (layer) {
    layer.setStyle(countryStyle(atlas, layer.feature));
  });
}

// --- the countries: tooltips, hover, click -------------------------------------------

/** @param {Atlas} atlas */
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
  if (extentUncertain(atlas, layer.feature, atlas.year)) {
    setText(element("div", "csto-tip-uncertain", box), text.extentUncertainNote);
  }
  return box;
}

/* Whether Python drew the region with the uncertain-extent look in `year` (the look key's form,
   domain/yearmodel.py UNCERTAIN_FORM). */
/** @param {Atlas} atlas */
function extentUncertain(atlas, feature, year) {
  var look = atlas.config.regionLooks[feature.properties.looks[year - atlas.config.first]];
  return Boolean(look) && look.key.indexOf("extent uncertain:") === 0;
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

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
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

/** @param {Atlas} atlas */
function closeTooltips(atlas) {
  atlas.map.eachLayer(function (layer) {
    if (layer.closeTooltip && layer.getTooltip && layer.getTooltip()) {
      layer.closeTooltip();
    }
  });
}

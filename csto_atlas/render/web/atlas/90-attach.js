/* attach: the one entry point (elements.AtlasControls calls window.CstoAtlas.attach). */

/**
 * @param {any} map
 * @param {AtlasLayers} layers
 * @param {ClientConfig} config
 * @param {string} packedPanels
 */
function attach(map, layers, config, packedPanels) {
  var atlas = newAtlas(map, layers, config);
  addHatchPatterns(atlas, map.getRenderer(layers.countries)._container);
  prepareCountries(atlas);
  buildShell(atlas);
  dragSheet(atlas);
  prepareMarkers(atlas);
  buildLabels(atlas);
  reachByTouch(atlas);
  buildLegend(atlas).addTo(map);
  buildLayerControl(atlas);
  watchTiles(atlas);
  var view = openingView(atlas);
  openSheet(atlas, !isNarrow(atlas));
  setYear(atlas, view.year, null);
  selectCountry(atlas, view.country, null);
  openSheet(atlas, !isNarrow(atlas));
  saveView(atlas, "replace");
  followHistory(atlas);
  followSize(atlas);
  map.getContainer().classList.add("csto-map");
  window.__atlasTestHook = testHook(atlas);
  unpackAfterFirstPaint(atlas, packedPanels);
  return atlas;
}

window.CstoAtlas = { attach: attach };

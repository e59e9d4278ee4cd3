/* CSTO Atlas: the map page as one loop in the browser (year box, map, panel, URL).
 *
 * Every country feature carries `looks`, one index per year from `config.first` into
 * `config.regionLooks` (its look, chosen in Python), `codes`, one status letter per year (its
 * parent's while it is drawn as part of its parent), `terr`, one territory letter per year, and
 * `by`, who annexed it; every marker carries `options.csto` = {kind, id, from, to, fade, radius,
 * radiusKm, tip, popup} (a faint circle where radiusKm exceeds config.uncertainty.minKm);
 * `packedPanels` holds every region's panel, prepared (and escaped) by Python with each item
 * tagged by the years it applies to (data-from, data-to), gzipped and in base64: they are
 * unpacked after the map is drawn (render/contract.py, pack_json). Changing the year restyles
 * the map and shows the panel's items for that year in the same frame; choosing a country swaps
 * the panel. Nothing here goes to the server, and nothing here builds HTML from data strings:
 * prepared HTML is inserted as it is, anything else is set with textContent.
 *
 * The view lives in the page URL (?year=, ?country=): replaceState when the year changes,
 * pushState when the country does, so Back and Forward step through the countries opened.
 *
 * The files of this folder are joined in the order of render/web/__init__.py's ATLAS_PARTS
 * (their names sort the same way) inside one function scope in strict mode: each is a plain
 * script of functions, sharing this file's state object and helpers, and nothing but
 * window.CstoAtlas (90-attach.js) and window.__atlasTestHook (80-testhook.js, documented in
 * docs/design.md) leaves that scope.
 */

var SVG_NS = "http://www.w3.org/2000/svg";
var VIEW_KEY = "csto-atlas-view";

function element(tag, className, parent) {
  return L.DomUtil.create(tag, className, parent);
}

function setText(node, text) {
  node.textContent = text;
  return node;
}

/* The one state of the map page: what is shown (year, selected, hovered), what was built
   (ui, markers, regionLayers) and what arrived later (panels, citeTemplates). Every function
   of the other files takes it as its first argument. */
/**
 * @param {any} map
 * @param {AtlasLayers} layers
 * @param {ClientConfig} config
 * @returns {Atlas}
 */
function newAtlas(map, layers, config) {
  return {
    map: map,
    layers: layers,
    config: config,
    panels: null,
    byCode: statusByCode(config),
    year: config.year,
    selected: null,
    hovered: null,
    timer: null,
    sheetOpen: false,
    ui: {},
    markers: [],
    markersById: {},
    regionLayers: {},
    regionsDrawn: false,
    framedZoom: null,
    panelsFailed: false,
    citeTemplates: null,
  };
}

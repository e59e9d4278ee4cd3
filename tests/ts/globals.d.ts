// What atlas.js finds in the map's page besides itself: Leaflet and Leaflet.markercluster
// (inlined before it, typed `any`: the check is of our own code and the contract), and the two
// names it leaves on the window.
declare const L: any;

interface Window {
  CstoAtlas: { attach: (map: any, layers: any, config: any, packedPanels: string) => any };
  __atlasTestHook: Readonly<Record<string, (...args: any[]) => any>>;
}

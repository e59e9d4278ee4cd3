/* The types of what Python hands the map (render/contract.py's TypedDicts, the same names and
   keys: tests/test_jstypes.py keeps them in step) and of the page's state. Comments only:
   `tsc --noEmit --checkJs` reads them (tests/ts/), the browser skips them. */

/**
 * @typedef {Object} StatusEntry
 * @property {string} code
 * @property {string} name
 * @property {string} label
 * @property {string} colour
 * @property {boolean} member
 */

/**
 * @typedef {Object} MarkerData
 * @property {string} kind
 * @property {string} id
 * @property {number} from
 * @property {number | null} to
 * @property {boolean} fade
 * @property {number} radius
 * @property {number} radiusKm
 * @property {string} tip
 * @property {string} popup
 */

/**
 * @typedef {Object} MarkerOptions
 * @property {number} lat
 * @property {number} lon
 * @property {Object<string, any>} options
 */

/**
 * @typedef {Object} RegionLookEntry
 * @property {string} key
 * @property {string} fillColor
 * @property {number} fillOpacity
 * @property {string} color
 * @property {number} weight
 * @property {string | null} dashArray
 * @property {number} opacity
 * @property {Object<string, any> | null} pattern
 */

/**
 * @typedef {Object} MarkerLookEntry
 * @property {Object<string, any>} current
 * @property {Object<string, any> | null} past
 * @property {number} pastRadius
 */

/**
 * @typedef {Object} LegendMarker
 * @property {string} label
 * @property {string} color
 * @property {string} fillColor
 * @property {number} opacity
 */

/**
 * @typedef {Object} ChangeEntry
 * @property {string} iso3
 * @property {string} status
 * @property {string} text
 */

/**
 * @typedef {Object} CiteConfig
 * @property {string} templates
 * @property {Object<string, string>} slots
 * @property {string[]} months
 * @property {Object<string, string>} urlEscapes
 */

/**
 * @typedef {Object} ClientConfig
 * @property {number} first
 * @property {number} last
 * @property {number} year
 * @property {number[][]} frame
 * @property {number} fitPadding
 * @property {number} narrowPx
 * @property {Object<string, ChangeEntry[]>} changes
 * @property {Object<string, string>} layerNames
 * @property {string} fallback
 * @property {StatusEntry[]} statuses
 * @property {Object<string, any>} look
 * @property {Object<string, MarkerLookEntry>} markerLook
 * @property {LegendMarker[]} legendMarkers
 * @property {number} playMs
 * @property {Object<string, string>} text
 * @property {Object<string, string>} territoryCodes
 * @property {RegionLookEntry[]} regionLooks
 * @property {Object<string, any>} uncertainty
 * @property {string} checkedUntil
 * @property {number} provisionalFrom
 * @property {CiteConfig | null} cite
 * @property {boolean} ownPage
 * @property {string} imageApi
 */

/* Leaflet's own objects are typed `any` here (tests/ts/globals.d.ts declares L): what is
   checked is our side, the contract and the state. */

/**
 * The layers the map's script made (elements.AtlasControls) and hands to attach.
 * @typedef {Object} AtlasLayers
 * @property {any} countries
 * @property {any} plain
 * @property {any} osm
 * @property {Object<string, any>} markers
 */

/**
 * The page's one state object (newAtlas).
 * @typedef {Object} Atlas
 * @property {any} map
 * @property {AtlasLayers} layers
 * @property {ClientConfig} config
 * @property {Object<string, string> | null} panels
 * @property {Object<string, StatusEntry>} byCode
 * @property {number} year
 * @property {string | null} selected
 * @property {string | null} hovered
 * @property {number | null} timer
 * @property {boolean} sheetOpen
 * @property {Object<string, any>} ui
 * @property {any[]} markers
 * @property {Object<string, any>} markersById
 * @property {Object<string, any>} regionLayers
 * @property {boolean} regionsDrawn
 * @property {number | null} framedZoom
 * @property {boolean} panelsFailed
 * @property {Object<string, string[]> | null} citeTemplates
 * @property {any} [cluster]
 * @property {any} [circles]
 * @property {{iso3: string, marker: any}[]} [labels]
 */

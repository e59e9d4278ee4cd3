"""Our folium elements: the regions, the marker layers and the controls, embedding JSON as it is."""

from typing import Any

import folium
from branca.element import Element, JavascriptLink, MacroElement


class Verbatim(Element):
    """Text that goes into the page as it is."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def render(self, **kwargs: Any) -> str:
        return self.text


class VerbatimMacro(MacroElement):
    """A MacroElement whose rendered macros go into the page as they are.

    branca's MacroElement.render wraps each macro's output in an Element, which compiles it as
    a Jinja template: for the regions' GeoJSON alone that took about 20 ms, and st_folium
    renders the map on every rerun.
    """

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        for part in ("header", "html", "script"):
            macro = self._template.module.__dict__.get(part)
            if macro is not None:
                getattr(figure, part).add_child(Verbatim(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


class OfflineMap(VerbatimMacro, folium.Map):
    """A folium.Map whose script starts with Leaflet's own code, or that loads it with the map
    file (render/mapfile.py).

    streamlit-folium fetches a map's script files one after another before it runs the map's
    script; with Leaflet inlined (and its style, in AtlasControls) it fetches none, and with the
    map file one, so nothing else waits on the network between the map's message and its first
    paint. The macros are folium.Map's own, with Leaflet before the script, rendered verbatim
    (VerbatimMacro): branca would compile Leaflet's code as a Jinja template on every run.
    `leaflet_js`: Leaflet's code ("" when a file in `js_links` brings it).
    """

    _template = folium.template.Template(
        """
        {% macro header(this, kwargs) %}{{ this.folium_macro("header", kwargs) }}{% endmacro %}
        {% macro html(this, kwargs) %}{{ this.folium_macro("html", kwargs) }}{% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this.leaflet_js }}
            {{ this.folium_macro("script", kwargs) }}
        {% endmacro %}
        """
    )

    def __init__(self, leaflet_js: str, js_links: tuple[str, ...] = (), **options: Any) -> None:
        super().__init__(**options)
        self.leaflet_js = leaflet_js
        # The map loads no file but these (streamlit-folium's js_links; a whole page's head).
        self.default_js = [(f"csto_atlas_{index}", url) for index, url in enumerate(js_links)]
        self.default_css = []

    def render(self, **kwargs: Any) -> None:
        # folium.Map's own render would put its CDN links in the page's head; only ours go there.
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        super().render(**kwargs)

    def folium_macro(self, part: str, kwargs: dict[str, Any]) -> str:
        """folium.Map's own macro `part` for this map."""
        return str(getattr(folium.Map._template.module, part)(self, kwargs))


class RegionLayer(VerbatimMacro, folium.map.Layer):
    """The countries and breakaway regions, from the payload's pre-serialised GeoJSON (or the
    expression naming it in the map file, render/mapfile.py).

    Each path gets its classes (`csto-region csto-iso-XXX`) here; atlas.js adds the layer to
    the map once the map is framed at its size (so Leaflet projects the regions once), colours
    them for the opening year before the first paint, and for every year after.
    """

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.geoJson({{ this.data_json }}, {
                smoothFactor: {{ this.smooth_factor }},
                style: function (feature) {
                    return {className: "csto-region csto-iso-" + feature.properties.iso3};
                }
            }); // added to the map by atlas.js, once the map is framed at its size
        {% endmacro %}
        """
    )

    def __init__(self, data_json: str, name: str, smooth_factor: float = 0.5) -> None:
        super().__init__(name=name, overlay=True, control=True, show=True)
        self._name = "RegionLayer"
        self.data_json = data_json
        self.smooth_factor = smooth_factor


class MarkerLayer(VerbatimMacro, folium.map.Layer):
    """One toggleable kind of circle markers, from pre-serialised positions and options (or the
    expression naming them in the map file, render/mapfile.py): the markers themselves go into
    atlas.js's clusters (`cstoMarkers`), the empty group is the layer control's switch."""

    _template = folium.template.Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }} = L.featureGroup();
            // The markers are drawn by atlas.js in its clusters; the group stays empty, the layer
            // control's switch for its kind (adding them here drew each one only to remove it).
            {{ this.get_name() }}.cstoMarkers = {{ this.markers_json }}.map(function (marker) {
                return L.circleMarker([marker.lat, marker.lon], marker.options);
            });
            {% if this.show %}{{ this.get_name() }}.addTo({{ this._parent.get_name() }});{% endif %}
        {% endmacro %}
        """
    )

    def __init__(self, markers_json: str, name: str, show: bool) -> None:
        super().__init__(name=name, overlay=True, control=True, show=show)
        self._name = "MarkerLayer"
        self.markers_json = markers_json


class AtlasControls(VerbatimMacro):
    """Our own JS and CSS: the year box, the panel, the legend and layer control, restyling by year.

    `panels_js` is every region's prepared panel (render/templates/panel.html.j2), by code,
    packed (render/contract.pack_json): a JSON string, or the expression naming it in the map
    file (render/mapfile.py).
    """

    _template = folium.template.Template(
        """
        {% macro header(this, kwargs) %}
            {% if this.css %}<style>{{ this.css }}</style>{% endif %}
        {% endmacro %}
        {% macro script(this, kwargs) %}
            {{ this.js }}
            CstoAtlas.attach(
                {{ this._parent.get_name() }},
                {
                    plain: {{ this.plain.get_name() }},
                    osm: {{ this.osm.get_name() }},
                    countries: {{ this.countries.get_name() }},
                    markers: {
                        {% for kind, group in this.groups.items() %}{{ kind | tojson }}: {{ group.get_name() }},
                        {% endfor %}
                    }
                },
                {{ this.config_json }},
                {{ this.panels_js }}
            );
        {% endmacro %}
        """
    )

    def __init__(
        self,
        backgrounds: tuple[folium.map.Layer, folium.map.Layer],
        countries: RegionLayer,
        groups: dict[str, MarkerLayer],
        config_json: str,
        panels_js: str,
        js: str,
        css: str,
    ) -> None:
        super().__init__()
        self._name = "AtlasControls"
        self.plain, self.osm = backgrounds
        self.countries = countries
        self.groups = groups
        self.config_json = config_json
        self.panels_js = panels_js
        # Leaflet.markercluster, then our own (render/mapfile.code_js), and their style with
        # Leaflet's first of all (its code starts the map's script, OfflineMap); "" for both
        # when the map file brings them.
        self.js = js
        self.css = css

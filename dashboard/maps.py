"""Choropleth maps with folium: served Leaflet (works offline), no tiles needed, legend inside the map.

Nothing here reads data or knows Streamlit; pages hand in frames from the query layer.
"""
from __future__ import annotations

import html
from dataclasses import dataclass

import branca
import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from planning.classification import MISSING_COLOUR, Classes
from planning.formatting import number

# Leaflet from the app's own static folder (installed from npm by scripts/setup.sh): no CDN at run time.
STATIC = "/app/static/vendor"
folium.Map.default_js = [("leaflet", f"{STATIC}/leaflet/leaflet.js")]
folium.Map.default_css = [("leaflet_css", f"{STATIC}/leaflet/leaflet.css")]
# MarkerCluster (and its subclasses) likewise from the served leaflet.markercluster package.
folium.plugins.MarkerCluster.default_js = [("markerclusterjs", f"{STATIC}/leaflet.markercluster/leaflet.markercluster.js")]
folium.plugins.MarkerCluster.default_css = [
    ("markerclustercss", f"{STATIC}/leaflet.markercluster/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{STATIC}/leaflet.markercluster/MarkerCluster.Default.css"),
]

OUTLINE_COLOUR = "#2b2b2b"
SELECTED_COLOUR = "#d7301f"
BASE_TILES = "OpenStreetMap"


def markup_text(value: object) -> str:
    """Text for HTML inside a folium map: HTML-escaped, and braces as entities. branca compiles a map's rendered
    script as a Jinja template a second time, so '{{ … }}' in an area name or label would run on the server."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


def legend_html(
    title: str, unit: str, classes: Classes | None, decimals: int, missing_label: str | None, note: str | None = None
) -> str:
    """The legend box: title with unit, one row per class, one for areas without a value; ``note`` e.g. the scheme."""
    rows = []
    if classes is not None:
        for colour, label in zip(classes.colours, classes.labels(decimals)):
            rows.append(_legend_row(colour, label))
    if missing_label:
        rows.append(_legend_row(MISSING_COLOUR, missing_label))
    unit_text = f" ({markup_text(unit)})" if unit and unit != "Personen" else ""
    note_html = f'<div class="pa-legend-note" style="color:#555;font-size:11px">{markup_text(note)}</div>' if note else ""
    return f'<div class="pa-legend" style="{_LEGEND_BOX}"><b>{markup_text(title)}{unit_text}</b><br>{note_html}{"".join(rows)}</div>'


_LEGEND_BOX = (
    "background:rgba(255,255,255,.92);padding:6px 9px;border-radius:4px;"
    "font:12px/1.35 sans-serif;color:#222;box-shadow:0 0 4px rgba(0,0,0,.3);max-width:260px"
)


def _legend_row(colour: str, label: str, swatch: str = "width:14px;height:11px") -> str:
    return (
        f'<div><span style="display:inline-block;{swatch};background:{colour};'
        f'border:1px solid #777;margin-right:6px;vertical-align:middle"></span>{markup_text(label)}</div>'
    )


def points_legend_html(title: str, entries: list[tuple[str, str]], note: str | None = None) -> str:
    """A legend box for point symbols: one round swatch per (colour, label); text escaped."""
    rows = "".join(_legend_row(colour, label, "width:11px;height:11px;border-radius:50%") for colour, label in entries)
    note_html = f'<div style="color:#555;font-size:11px">{markup_text(note)}</div>' if note else ""
    return f'<div class="pa-legend-points" style="{_LEGEND_BOX};margin-top:6px"><b>{markup_text(title)}</b><br>{rows}{note_html}</div>'


class _MapControl(MacroElement):
    """The legend as a Leaflet control, a metric scale bar and the attribution: part of the map itself."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create('div');
                div.innerHTML = {{ this.html|tojson }};
                return div;
            };
            control.addTo({{ this._parent.get_name() }});
            {% if this.scale %}
            L.control.scale({imperial: false, position: 'bottomleft'}).addTo({{ this._parent.get_name() }});
            {% endif %}
            {% if this.attribution %}
            {{ this._parent.get_name() }}.attributionControl.setPrefix({{ this.attribution|tojson }});
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str = "bottomright", attribution: str | None = None, scale: bool = True):
        super().__init__()
        self._name = "MapControl"
        self.html = html_text
        self.position = position
        self.attribution = attribution
        self.scale = scale


def add_legend(fmap: folium.Map, html_text: str, position: str = "topright") -> None:
    """A further legend box (HTML already escaped, e.g. from ``points_legend_html``) in another corner of the map."""
    fmap.add_child(_MapControl(html_text, position, scale=False))


def choropleth(
    shapes: gpd.GeoDataFrame,
    outline: gpd.GeoDataFrame,
    *,
    value_column: str,
    tooltip_fields: dict[str, str],
    classes: Classes | None,
    legend: str,
    attribution: str,
    tiles: bool = False,
    legend_room: tuple[int, int] = (170, 0),
) -> folium.Map:
    """A map of ``shapes`` coloured by ``value_column`` over a light blank base with the Kreis outline.

    ``tooltip_fields`` maps property names to German aliases; all property text is HTML-escaped because
    Leaflet tooltips render HTML. ``legend_room`` (pixels right, bottom) keeps the county clear of the legend:
    beside it on wide maps, above it on tall ones.
    """
    minx, miny, maxx, maxy = outline.total_bounds
    fmap = folium.Map(tiles=None, zoom_snap=0.25)
    if tiles:
        folium.TileLayer(BASE_TILES, name="OpenStreetMap", attr="© OpenStreetMap-Mitwirkende").add_to(fmap)
    else:
        fmap.get_root().header.add_child(branca.element.Element("<style>.leaflet-container{background:#f7f7f4}</style>"))
    properties = ["area_id", *tooltip_fields]
    data = shapes[[*dict.fromkeys(properties), value_column, "geometry"]].copy()
    for column in tooltip_fields:
        data[column] = data[column].map(lambda v: markup_text(v) if v is not None else "")
    data["fill"] = [classes.colour_of(v) if classes else MISSING_COLOUR for v in data[value_column]]
    data = data.drop(columns=[value_column])
    folium.GeoJson(
        data.__geo_interface__,
        name="Gebiete",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff", "weight": 1, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 3, "color": SELECTED_COLOUR},
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip_fields), aliases=[markup_text(a) for a in tooltip_fields.values()], sticky=True),
    ).add_to(fmap)
    folium.GeoJson(
        outline[["geometry"]].__geo_interface__,
        name="Kreisgrenze",
        style_function=lambda f: {"fill": False, "color": OUTLINE_COLOUR, "weight": 2.5},
        interactive=False,
    ).add_to(fmap)
    fmap.add_child(_MapControl(legend, "bottomright", attribution=markup_text(attribution)))
    # room for the legend in the bottom-right corner, so it does not cover the county
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding_bottom_right=legend_room)
    return fmap


def highlight(shape: gpd.GeoDataFrame) -> folium.FeatureGroup:
    """The selected area's border, as a layer that st_folium can swap without redrawing the map."""
    group = folium.FeatureGroup(name="Auswahl")
    folium.GeoJson(
        shape[["geometry"]].__geo_interface__,
        style_function=lambda f: {"fill": False, "color": SELECTED_COLOUR, "weight": 4},
        interactive=False,
    ).add_to(group)
    return group

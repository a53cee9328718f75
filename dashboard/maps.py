"""Choropleth maps with folium: served Leaflet (works offline), no tiles needed, legend inside the map.

Nothing here reads data or knows Streamlit; pages hand in frames from the query layer.
"""
from __future__ import annotations

import functools
import html
import warnings
from dataclasses import dataclass

import branca
import folium
import folium.plugins
import geopandas as gpd
import mapclassify
import numpy as np
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from dashboard.formatting import number
from etl.markers import STATUS_LABELS_DE

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

MISSING_COLOUR = "#d9d9d9"
OUTLINE_COLOUR = "#2b2b2b"
SELECTED_COLOUR = "#d7301f"
PALETTE = "YlGnBu"
BASE_TILES = "OpenStreetMap"


def markup_text(value: object) -> str:
    """Text for HTML inside a folium map: HTML-escaped, and braces as entities. branca compiles a map's rendered
    script as a Jinja template a second time, so '{{ … }}' in an area name or label would run on the server."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


@dataclass(frozen=True)
class Classes:
    """Class breaks (upper bounds) and one colour per class."""

    lower: float
    bounds: tuple[float, ...]
    colours: tuple[str, ...]

    def colour_of(self, value: float | None) -> str:
        if value is None or np.isnan(value):
            return MISSING_COLOUR
        index = int(np.searchsorted(self.bounds, value, side="left"))
        return self.colours[min(index, len(self.colours) - 1)]

    def labels(self, decimals: int) -> list[str]:
        """Class labels; up to two more decimals than the indicator's where rounding would make bounds equal."""
        edges = (self.lower, *self.bounds)
        for extra in range(3):
            if len({round(e, decimals + extra) for e in edges}) == len(set(edges)):
                break
        decimals += extra
        lows = (self.lower, *self.bounds[:-1])
        return [
            f"{number(lo, decimals)} bis {number(hi, decimals)}" if i == 0 else f"über {number(lo, decimals)} bis {number(hi, decimals)}"
            for i, (lo, hi) in enumerate(zip(lows, self.bounds))
        ]


SCHEMES = {
    "quantile": "Quantile",
    "fisher_jenks": "natürliche Unterbrechungen (Fisher-Jenks)",
    "equal_interval": "gleiche Intervalle",
}
_FISHER_JENKS_SAMPLE_FROM = 1500  # exact Fisher-Jenks is O(k·n²) in pure Python; beyond this, mapclassify's sampled variant


def classify(values: pd.Series, scheme: str = "quantile", k: int = 5, palette: str = PALETTE) -> Classes | None:
    """Classes over the known values by ``scheme`` (a key of SCHEMES), computed with mapclassify.

    Fewer classes when there are fewer distinct values than ``k``; duplicate class bounds (ties) are merged.
    ``palette`` is a ColorBrewer sequential scheme (light = low). None when no value is known.
    """
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; expected one of {', '.join(SCHEMES)}")
    known = values.dropna().astype(float)
    if known.empty:
        return None
    k = max(1, min(int(k), known.nunique()))
    bounds = _bounds(tuple(sorted(known.tolist())), scheme, k)
    k = len(bounds)
    if k >= 3:
        colours = tuple(branca.utilities.color_brewer(palette, max(k, 3))[-k:])
    else:  # ColorBrewer starts at three classes: the darker two of three
        colours = tuple(branca.utilities.color_brewer(palette, 3)[1:][-k:])
    return Classes(float(known.min()), bounds, colours)


@functools.lru_cache(maxsize=256)
def _bounds(values: tuple[float, ...], scheme: str, k: int) -> tuple[float, ...]:
    """Upper class bounds (memoised: Fisher-Jenks takes tens of milliseconds for a hundred areas)."""
    if k == 1:
        return (values[-1],)
    y = np.asarray(values)
    with warnings.catch_warnings():
        # mapclassify warns about missing numba (pure Python is fast enough for a county) and about ties
        warnings.simplefilter("ignore", UserWarning)
        bins = _bins(y, scheme, k)
    bounds = sorted({float(b) for b in bins})
    bounds[-1] = max(bounds[-1], values[-1])  # the top class always reaches the largest value
    return tuple(bounds)


def _bins(y: np.ndarray, scheme: str, k: int) -> np.ndarray:
    if scheme == "quantile":
        return mapclassify.Quantiles(y, k=k).bins
    if scheme == "equal_interval":
        return mapclassify.EqualInterval(y, k=k).bins
    if len(y) > _FISHER_JENKS_SAMPLE_FROM:
        return mapclassify.FisherJenksSampled(y, k=k).bins
    return mapclassify.FisherJenks(y, k=k).bins


def missing_reasons(statuses: pd.Series) -> str | None:
    """'kein Wert: wegen kleiner Fallzahl unterdrückt (2), …' for the statuses of areas without a value."""
    if statuses.empty:
        return None
    counts = statuses.value_counts()
    reasons = sorted(f"{STATUS_LABELS_DE.get(s, s)} ({n})" for s, n in counts.items())
    return "kein Wert: " + ", ".join(reasons)


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

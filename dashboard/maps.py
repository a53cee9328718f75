"""Maps with folium: served Leaflet (works offline), no tiles needed, one collapsible legend in the map.

Nothing here reads data or knows Streamlit; pages hand in frames from the query layer. A rate is drawn as
coloured areas (``planning.classification.map_classes``), a count as circles whose area grows with the value
(``planning.classification.Symbols``) over neutral areas. Names (``planning.map_labels``) can be written on the
map; where they crowd, the larger areas keep theirs. Legend and attribution share the bottom-right corner (stacked,
never on top of each other), the scale bar sits bottom left, and the attribution wraps before it reaches the
scale bar. Tooltips follow no pointer and close on a click.
"""
from __future__ import annotations

import html
import json

import branca
import folium
import folium.plugins
import geopandas as gpd
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from planning.classification import MISSING_COLOUR, Classes, Symbols
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
NEUTRAL_FILL = "#e6e3d8"  # areas under proportional circles: known value, no colour class
SYMBOL_COLOUR = "#2c7fb8"
TEXT_PX, LARGE_TEXT_PX = 12, 18  # legend type on screen and in presentation mode (read from the back of a room)


def markup_text(value: object) -> str:
    """Text for HTML inside a folium map: HTML-escaped, and braces as entities. branca compiles a map's rendered
    script as a Jinja template a second time, so '{{ … }}' in an area name or label would run on the server."""
    return html.escape(str(value)).replace("{", "&#123;").replace("}", "&#125;")


# Inside a script, in JSON strings: no '</script>' or HTML, and no '{' (branca's second Jinja pass).
_SCRIPT_SAFE = [(c, f"\\u{ord(c):04x}") for c in "<>&'{}\u2028\u2029"]


def script_literal(data: object) -> str:
    """``data`` as a compact JSON literal that is safe inside a script and inside branca's template pass: every
    brace, angle bracket, ampersand and quote inside strings is a \\u escape (structure uses arrays only)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_SAFE:  # str.replace per character: 25 times faster than str.translate here
        text = text.replace(char, escaped)
    return text


# --- legend ---------------------------------------------------------------------------------------------------------


def _legend_row(colour: str, label: str, swatch: str = "width:1.2em;height:.9em") -> str:
    return (
        f'<div class="pa-legend-row"><span style="display:inline-block;{swatch};background:{colour};'
        f'border:1px solid #777;margin-right:.45em;vertical-align:middle"></span>{markup_text(label)}</div>'
    )


def _note(text: str | None) -> str:
    return f'<div class="pa-legend-note" style="color:#555">{markup_text(text)}</div>' if text else ""


def size_legend_html(symbols: Symbols, decimals: int = 0, unit: str = "") -> str:
    """The size legend: the legend values' circles side by side (area ∝ value, as on the map), each value under
    its circle – labels never overlap, whatever the sizes."""
    suffix = f" {unit}" if unit else ""
    big = max(symbols.radius(v) for v in symbols.legend_values)
    items = []
    for value in symbols.legend_values:
        r = symbols.radius(value)
        svg = (f'<svg width="{2 * r + 2:.0f}" height="{2 * big + 2:.0f}"><circle cx="{r + 1:.1f}" cy="{2 * big + 1 - r:.1f}" '
               f'r="{r:.1f}" fill="{SYMBOL_COLOUR}" fill-opacity=".45" stroke="#08519c"/></svg>')  # fmt: skip
        items.append(f'<div style="display:flex;flex-direction:column;align-items:center">{svg}'
                     f"<span>{markup_text(number(value, decimals) + suffix)}</span></div>")  # fmt: skip
    return f'<div class="pa-legend-sizes" style="display:flex;gap:.8em;align-items:flex-end;margin:.4em 0 .2em">{"".join(items)}</div>'


def legend_html(
    title: str,
    unit: str,
    classes: Classes | None,
    decimals: int,
    missing_label: str | None,
    note: str | None = None,
    *,
    spread: str | None = None,
    symbols: Symbols | None = None,
    extra: str = "",
    large: bool = False,
) -> str:
    """The legend box, collapsible: title with unit, ``note`` (how the classes were made), one row per class
    (or the circles' size legend for ``symbols``), one row for areas without a value, the ``spread`` and
    ``extra`` (e.g. ``points_legend_html``). All text escaped; type ``LARGE_TEXT_PX`` for presentation mode."""
    rows = []
    if symbols is not None:
        rows.append(size_legend_html(symbols, decimals, unit if unit and unit != "Personen" else ""))
        rows.append(_legend_row(NEUTRAL_FILL, "Gebiet mit Wert (als Symbol)"))
    elif classes is not None:
        rows += [_legend_row(colour, label) for colour, label in zip(classes.colours, classes.legend_labels(decimals))]
    if missing_label:
        rows.append(_legend_row(MISSING_COLOUR, missing_label))
    unit_text = f" ({markup_text(unit)})" if unit and unit != "Personen" else ""
    px = LARGE_TEXT_PX if large else TEXT_PX
    box = (
        f"background:rgba(255,255,255,.94);padding:.45em .7em;border-radius:4px;font:{px}px/1.35 sans-serif;"
        f"color:#222;box-shadow:0 0 4px rgba(0,0,0,.3);max-width:{24 if large else 21}em;max-height:calc(100vh - 90px);overflow:auto"
    )
    return (
        f'<details class="pa-legend" open style="{box}"><summary style="cursor:pointer;font-weight:bold">'
        f"{markup_text(title)}{unit_text}</summary>{_note(note)}{''.join(rows)}{_note(spread)}{extra}</details>"
    )


def points_legend_html(title: str, entries: list[tuple[str, str]], note: str | None = None) -> str:
    """A section of the legend for point symbols: one round swatch per (colour, label); text escaped."""
    rows = "".join(_legend_row(colour, label, "width:.9em;height:.9em;border-radius:50%") for colour, label in entries)
    return (
        f'<div class="pa-legend-points" style="border-top:1px solid #ccc;margin-top:.4em;padding-top:.3em">'
        f"<b>{markup_text(title)}</b><br>{rows}{_note(note)}</div>"
    )


# --- map furniture: legend, scale bar, attribution, tooltips that close -----------------------------------------------


_BLANK_BASE = ".leaflet-container{background:#f7f7f4}\n"
_MAP_CSS = """<style>
""" + _BLANK_BASE + """.leaflet-control-attribution{max-width:calc(100vw - 150px);white-space:normal;font-size:11px;line-height:1.3}
.pa-label{background:none;border:none}
.pa-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;font:600 11px/1.1 sans-serif;color:#1d1d1d;
  text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,0 0 4px #fff;pointer-events:none}
.pa-label.pa-hole span{font-weight:400;font-style:italic;color:#555;white-space:normal;width:6.5em;text-align:center}
.pa-large .pa-label span{font-size:16px}
.pa-large .leaflet-tooltip{font-size:17px}
.pa-large .leaflet-control-attribution{font-size:13px}
</style>"""


class _MapControl(MacroElement):
    """The legend as a Leaflet control (clicks stay in it), a metric scale bar, the attribution and tooltips that
    close when the map is clicked."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var control = L.control({position: {{ this.position|tojson }}});
            control.onAdd = function() {
                var div = L.DomUtil.create('div', 'pa-legend-control');
                div.innerHTML = {{ this.html|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            control.addTo(map);
            {% if this.scale %}
            L.control.scale({imperial: false, position: 'bottomleft'}).addTo(map);
            map.on('click', function() { map.eachLayer(function(layer) { if (layer.closeTooltip) { layer.closeTooltip(); } }); });
            {% if this.large %}map.getContainer().classList.add('pa-large');{% endif %}
            {% endif %}
            {% if this.attribution %}
            map.attributionControl.setPrefix({{ this.attribution|tojson }});
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html_text: str, position: str = "bottomright", attribution: str | None = None, scale: bool = True, large: bool = False):
        super().__init__()
        self._name = "MapControl"
        self.html = html_text
        self.position = position
        self.attribution = attribution
        self.scale = scale
        self.large = large


def add_legend(fmap: folium.Map, html_text: str, position: str = "topright") -> None:
    """A further legend box (HTML already escaped) in another corner of the map."""
    fmap.add_child(_MapControl(html_text, position, scale=False))


class _DataLayer(MacroElement):
    """Names or circles made in the browser from one escaped JSON array (``script_literal``): text reaches the page
    through textContent only, and thousands of points cost one script, not a folium element each."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var rows = {{ this.data }};
            if (!map.getPane({{ this.pane|tojson }})) {
                map.createPane({{ this.pane|tojson }}).style.zIndex = {{ this.z_index }};
                map.getPane({{ this.pane|tojson }}).style.pointerEvents = 'none';
            }
            {% if this.kind == 'labels' %}
            var markers = rows.map(function(row) {
                var text = document.createElement('span');
                text.textContent = row[2];
                var icon = L.divIcon({html: text, className: 'pa-label' + (row[3] ? ' pa-hole' : ''), iconSize: null});
                return L.marker([row[0], row[1]], {icon: icon, interactive: false, keyboard: false, pane: {{ this.pane|tojson }}}).addTo(map);
            });
            // larger areas first: a name that would cover one already shown is hidden until zooming makes room
            function declutter() {
                var shown = [];
                markers.forEach(function(marker) {
                    var node = marker.getElement() && marker.getElement().firstChild;
                    if (!node) { return; }
                    node.style.visibility = 'visible';
                    var box = node.getBoundingClientRect();
                    var hit = shown.some(function(o) {
                        return box.left < o.right + 2 && box.right + 2 > o.left && box.top < o.bottom && box.bottom > o.top;
                    });
                    if (hit) { node.style.visibility = 'hidden'; } else { shown.push(box); }
                });
            }
            map.on('zoomend moveend resize', declutter);
            setTimeout(declutter, 0);
            {% else %}
            rows.forEach(function(row) {
                L.circleMarker([row[0], row[1]], {radius: row[2], color: '#08519c', weight: 1, fillColor: {{ this.colour|tojson }},
                    fillOpacity: 0.55, interactive: false, pane: {{ this.pane|tojson }}}).addTo(map);
            });
            {% endif %}
        })();
        {% endmacro %}
        """
    )

    def __init__(self, kind: str, rows: list[list], pane: str, z_index: int, colour: str = SYMBOL_COLOUR):
        super().__init__()
        self._name = "DataLayer"
        self.kind, self.pane, self.z_index, self.colour = kind, pane, z_index, colour
        self.data = script_literal(rows)


def add_labels(fmap: folium.Map, labels: pd.DataFrame) -> None:
    """Names at their points (``planning.map_labels.map_labels``: name, lon, lat, weight, hole), larger areas first."""
    rows = [[round(lat, 5), round(lon, 5), str(name), bool(hole)] for name, lon, lat, hole in zip(labels["name"], labels["lon"], labels["lat"], labels["hole"])]
    fmap.add_child(_DataLayer("labels", rows, "pa-labels", 450))


def add_symbols(fmap: folium.Map, points: pd.DataFrame, symbols: Symbols) -> None:
    """Circles at ``points`` (lon, lat, value), area proportional to the value, largest drawn first."""
    rows = [[round(lat, 5), round(lon, 5), round(symbols.radius(v), 1)] for lon, lat, v in zip(points["lon"], points["lat"], points["value"])]
    rows = sorted((r for r in rows if r[2] > 0), key=lambda r: -r[2])
    fmap.add_child(_DataLayer("circles", rows, "pa-symbols", 420))


# --- the map ------------------------------------------------------------------------------------------------------


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
    legend_room: tuple[int, int] | None = None,
    symbols: Symbols | None = None,
    symbol_points: pd.DataFrame | None = None,
    labels: pd.DataFrame | None = None,
    large: bool = False,
) -> folium.Map:
    """A map of ``shapes`` coloured by ``value_column`` (or, with ``symbols``, neutral areas under circles at
    ``symbol_points``: lon, lat, value) over a light blank base with the Kreis outline; ``labels`` names areas.

    ``tooltip_fields`` maps property names to German aliases; all property text is HTML-escaped because
    Leaflet tooltips render HTML. ``legend_room`` (pixels right, bottom) keeps the county clear of the legend
    (default: beside it, as wide as the legend). ``large``: presentation mode (legend, names, tooltips larger).
    """
    minx, miny, maxx, maxy = outline.total_bounds
    fmap = folium.Map(tiles=None, zoom_snap=0.25)
    if tiles:
        folium.TileLayer(BASE_TILES, name="OpenStreetMap", attr="© OpenStreetMap-Mitwirkende").add_to(fmap)
    css = _MAP_CSS if not tiles else _MAP_CSS.replace(_BLANK_BASE, "")  # tiles: their own background
    fmap.get_root().header.add_child(branca.element.Element(css))
    properties = ["area_id", *tooltip_fields]
    data = shapes[[*dict.fromkeys(properties), value_column, "geometry"]].copy()
    for column in tooltip_fields:
        data[column] = data[column].map(lambda v: markup_text(v) if v is not None else "")
    if symbols is not None:
        data["fill"] = [MISSING_COLOUR if pd.isna(v) else NEUTRAL_FILL for v in data[value_column]]
    else:
        data["fill"] = [classes.colour_of(v) if classes else MISSING_COLOUR for v in data[value_column]]
    data = data.drop(columns=[value_column])
    folium.GeoJson(
        data.__geo_interface__,
        name="Gebiete",
        style_function=lambda f: {"fillColor": f["properties"]["fill"], "color": "#ffffff", "weight": 1, "fillOpacity": 0.85},
        highlight_function=lambda f: {"weight": 3, "color": SELECTED_COLOUR},
        tooltip=folium.GeoJsonTooltip(fields=list(tooltip_fields), aliases=[markup_text(a) for a in tooltip_fields.values()], sticky=False),
    ).add_to(fmap)
    folium.GeoJson(
        outline[["geometry"]].__geo_interface__,
        name="Kreisgrenze",
        style_function=lambda f: {"fill": False, "color": OUTLINE_COLOUR, "weight": 2.5},
        interactive=False,
    ).add_to(fmap)
    if symbols is not None and symbol_points is not None:
        add_symbols(fmap, symbol_points, symbols)
    if labels is not None and not labels.empty:
        add_labels(fmap, labels)
    fmap.add_child(_MapControl(legend, "bottomright", attribution=markup_text(attribution), large=large))
    # room for the legend beside the county (the maps are wider than tall), so it does not cover the county
    room = legend_room or ((470 if large else 330), 0)
    fmap.fit_bounds([[miny, minx], [maxy, maxx]], padding_bottom_right=room, padding_top_left=(12, 12))
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

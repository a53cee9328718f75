"""The offers as a Leaflet layer: clustered circle markers made in the browser from one data array.

Offers reach the browser once, as data arrays inside one script (``OfferClusters``); the browser makes the markers
and builds popups and tooltips with ``textContent`` only, so a name like ``<img src=x onerror=alert(1)>`` stays
text. Building a folium Marker per offer in Python would take seconds for 5,000 offers and triple the payload.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import folium
import folium.plugins
import pandas as pd
from branca.element import CssLink, Element, JavascriptLink
from folium.map import ElementAddToElement
from folium.template import Template

from dashboard import maps
from planning import queries
from planning.db import Database
from planning.formatting import number
from planning.offers import OfferFilter, age_texts, capacity_texts, counted, field_colours, shown_offers


def marker_data(offers: pd.DataFrame, types: pd.DataFrame) -> dict:
    """The offers as compact arrays for ``OfferClusters``: repeated texts (types, Träger, Gemeinden) by index.

    rows: [lat, lon, type index, name, Träger index (-1: none), address, capacity, age, Gemeinde index]
    """
    colours = field_colours(types)
    type_index = {t: i for i, t in enumerate(types["offer_type"].tolist())}
    traeger = offers["traeger"].fillna("").astype(str).str.strip().tolist()  # lists: iterating arrow strings is slow
    traeger_list = sorted(set(traeger) - {""})
    traeger_index = {t: i for i, t in enumerate(traeger_list)}
    gemeinden = sorted(set(offers["gemeinde_name"].tolist()))
    gemeinde_index = {g: i for i, g in enumerate(gemeinden)}
    columns = [
        offers["lat"].round(5).tolist(),
        offers["lon"].round(5).tolist(),
        offers["offer_type"].map(type_index).tolist(),
        offers["name"].astype(str).tolist(),
        [traeger_index.get(t, -1) for t in traeger],
        offers["address"].fillna("").astype(str).tolist(),
        capacity_texts(offers).tolist(),
        age_texts(offers).tolist(),
        offers["gemeinde_name"].map(gemeinde_index).tolist(),
    ]
    return {
        "types": [[label, colours[f]] for label, f in zip(types["label"], types["handlungsfeld"])],
        "traeger": traeger_list,
        "gemeinden": gemeinden,
        "rows": [list(row) for row in zip(*columns)],
    }


def script_json(data: dict) -> str:
    """``marker_data`` as a JSON array literal for a script: [types, traeger, gemeinden, rows].

    An array, so every brace is inside a string and can be escaped (``maps.script_literal``: <, >, &, ' and braces
    as \\u escapes); compact and UTF-8 (a third of the size of folium's ``tojson``, which writes ä as \\u00e4 and
    puts spaces after separators).
    """
    return maps.script_literal([data["types"], data["traeger"], data["gemeinden"], data["rows"]])


class _ScriptText(Element):
    """Finished script text in the figure: rendered as it is, never compiled as a Jinja template."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class OfferClusters(folium.plugins.MarkerCluster):
    """Offers as circle markers in a Leaflet.markercluster group, made in the browser from ``marker_data``.

    The data are one JSON literal (``script_json``: <, >, &, ' and braces escaped); popups and tooltips are DOM
    nodes filled via textContent, never HTML strings (streamlit-folium even parses string tooltips with
    innerHTML on a click).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = (function () {
            var data = {{ this.data_json }};
            var types = data[0], traeger = data[1], gemeinden = data[2], rows = data[3];
            function text(tag, content, parent) {
                var node = document.createElement(tag);
                node.textContent = content;
                if (parent) { parent.appendChild(node); }
                return node;
            }
            function popup(row) {
                var box = document.createElement('div');
                box.className = 'pa-offer-popup';
                text('b', row[3], box);
                var facts = [['Angebotsart', types[row[2]][0]], ['Träger', row[4] >= 0 ? traeger[row[4]] : ''],
                             ['Adresse', row[5]], ['Kapazität', row[6]], ['Alter', row[7]], ['Gemeinde', gemeinden[row[8]]]];
                facts.forEach(function (fact) {
                    if (!fact[1]) { return; }
                    var line = document.createElement('div');
                    text('span', fact[0] + ': ', line).className = 'pa-offer-key';
                    text('span', fact[1], line);
                    box.appendChild(line);
                });
                return box;
            }
            // toGeoJSON off: streamlit-folium reports a clicked layer's GeoJSON as last_active_drawing, which would
            // rerun the page on every marker click; a marker click only opens its popup.
            var OfferMarker = L.CircleMarker.extend({toGeoJSON: null});
            var cluster = L.markerClusterGroup({{ this.options|tojavascript }});
            cluster.options.iconCreateFunction = function (group) {
                var count = group.getChildCount();
                var size = count < 10 ? 'small' : count < 100 ? 'medium' : 'large';
                var label = document.createElement('span');
                label.textContent = count;
                var inner = document.createElement('div');
                inner.appendChild(label);
                return L.divIcon({html: inner, className: 'marker-cluster pa-cluster pa-cluster-' + size, iconSize: L.point(36, 36)});
            };
            var markers = rows.map(function (row) {
                var marker = new OfferMarker([row[0], row[1]], {radius: 6, color: '#ffffff', weight: 1.5,
                    fillColor: types[row[2]][1], fillOpacity: 0.95, className: 'pa-offer'});
                marker.offer = row;
                return marker;
            });
            // Tooltip and popup are bound when a marker is first hovered or clicked (the group hears its markers'
            // events): binding them for every marker up front is most of the time 5,000 markers take to create.
            cluster.on('mouseover', function (e) {
                var marker = e.layer, row = marker.offer;
                if (!row || marker.getTooltip()) { return; }
                marker.bindTooltip(function () { return text('span', row[3] + ' (' + types[row[2]][0] + ')'); });
                marker.openTooltip();
            });
            cluster.on('click', function (e) {
                var marker = e.layer, row = marker.offer;
                if (!row || marker.getPopup()) { return; }
                marker.bindPopup(function () { return popup(row); }, {maxWidth: 320});
                marker.openPopup();
            });
            cluster.addLayers(markers);
            return cluster;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, data: dict | str, name: str = "Angebote", **options):
        """``data``: ``marker_data``, or its ``script_json`` made before (``offer_points``)."""
        super().__init__(name=name, **options)
        self._name = "OfferClusters"
        self.data_json = data if isinstance(data, str) else script_json(data)

    def render(self, **kwargs) -> None:
        """As folium's Layer and branca's MacroElement render, except that the script enters the figure as text.

        branca wraps a rendered script in ``Element(text)``, which compiles the text as a Jinja template: an
        offer named '{{ … }}' would run on the server (script_json escapes braces, this is the second line of
        defence) and lexing the data of 5,000 offers costs ~40 ms per render.
        """
        if self.show:
            self.add_child(ElementAddToElement(element_name=self.get_name(), element_parent_name=self._parent.get_name()),
                           name=self.get_name() + "_add")  # fmt: skip
        figure = self.get_root()
        for name, url in self.default_js:
            figure.header.add_child(JavascriptLink(url), name=name)
        for name, url in self.default_css:
            figure.header.add_child(CssLink(url), name=name)
        figure.script.add_child(_ScriptText(self._template.module.script(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)


CLUSTER_CSS = """<style>
.pa-cluster div{background:rgba(38,50,56,.88);color:#fff;width:28px;height:28px;margin:4px;border-radius:14px;
  text-align:center;font:600 12px/28px sans-serif}
.pa-cluster{background:rgba(38,50,56,.25);border-radius:18px}
.pa-offer-popup{font:12px/1.4 sans-serif;max-width:300px}.pa-offer-popup b{display:block;margin-bottom:3px;font-size:13px}
.pa-offer-key{color:#555}
</style>"""


@dataclass(frozen=True)
class OfferPoints:
    """What the map needs of the offers shown: their ``script_json``, the points' legend box and their number."""

    data_json: str
    legend: str
    count: int


def offer_points(offers: pd.DataFrame, types: pd.DataFrame) -> OfferPoints:
    """The offers as the map shows them: data for ``OfferClusters``, the points' legend and their number."""
    return OfferPoints(script_json(marker_data(offers, types)), points_legend(offers, types), len(offers))


@functools.lru_cache(maxsize=16)
def chosen_points(db: Database, kreis_id: str, chosen: OfferFilter) -> OfferPoints:
    """``offer_points`` of the offers passing ``chosen``: the same on every rerun with these filters, so made once
    (strings only: safe to share between sessions)."""
    return offer_points(shown_offers(db, kreis_id, chosen), queries.offer_types(db))


def points_legend(offers: pd.DataFrame, types: pd.DataFrame) -> str:
    """The legend box of the points: offers shown, and per Handlungsfeld its colour and count."""
    colours = field_colours(types)
    shown = counted(offers["handlungsfeld"], list(colours))
    return maps.points_legend_html(
        f"Angebote ({number(len(offers))})",
        [(colours[f], f"{f} ({number(n)})") for f, n in shown.items()],
        "Kreis mit Zahl: so viele Angebote liegen dort dicht beieinander",
    )


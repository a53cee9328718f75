"""What the Angebotskarte shows: offers as clustered points over a choropleth of a coverage metric (no widgets here).

Offers reach the browser once, as data arrays inside one script (``OfferClusters``); the browser makes the markers
and builds popups and tooltips with ``textContent`` only, so a name like ``<img src=x onerror=alert(1)>`` stays
text. Building a folium Marker per offer in Python would take seconds for 5,000 offers and triple the payload.
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

import folium
import folium.plugins
import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from branca.element import CssLink, Element, JavascriptLink
from folium.map import ElementAddToElement
from folium.template import Template

from dashboard import maps
from planning import classification, queries
from planning.context import LEVEL_SINGULAR, Context
from dashboard.downloads import FigureExport
from planning.formatting import number
from reports import charts, credits
from reports import data as rdata
from reports.credits import german_date
from reports.data import Indicator
from reports.style import BODY_PX, WIDTH_PX, Caption, esc, wrap

ANGEBOTSART, LEBENSPHASE = "angebotsart", "lebensphase"
DIMENSION_LABELS = {ANGEBOTSART: "Angebotsart", LEBENSPHASE: "Lebensphase"}
DISTANCES_M = (500, 1000, 1500, 2000, 3000, 5000, 10000)
DEFAULT_DISTANCE_M = 2000
DEFAULT_CATEGORY = f"{ANGEBOTSART}:kita"
NO_TRAEGER = "(ohne Angabe)"
MAX_ZOOM = 18  # street level; beyond it markercluster spiderfies offers at the same address
# ColorBrewer Dark2: saturated, so points stay visible on the light sequential choropleth colours
FIELD_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666")
REPORT_COLUMNS = {"file": "Datei", "stand": "Stand", "row": "Zeile", "source_column": "Spalte", "problem": "Problem", "action": "Ergebnis"}


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str
    decimals: int
    palette: str  # ColorBrewer sequential, darker = higher value
    needs_access: bool  # from the distance table, which exists per Angebotsart only


METRICS = {
    "offers": Metric("offers", "Anzahl Angebote", "", 0, classification.PALETTE, False),
    "offers_per_1000": Metric("offers_per_1000", "Angebote je 1.000 der Zielgruppe", "", 2, classification.PALETTE, False),
    "capacity_per_100": Metric("capacity_per_100", "Versorgungsquote", "je 100 der Zielgruppe", 1, classification.PALETTE, False),
    # far is bad: a warm palette makes gaps stand out
    "mean_distance_km": Metric("mean_distance_km", "Mittlere Entfernung zum nächsten Angebot", "km", 1, "YlOrRd", True),
    "share_within": Metric("share_within", "Anteil der Zielgruppe im Umkreis", "%", 1, classification.PALETTE, True),
}
DEFAULT_METRIC = "offers_per_1000"


@dataclass(frozen=True)
class OfferFilter:
    """The chosen values of each filter; an empty tuple means 'all'."""

    types: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    traeger: tuple[str, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.types or self.phases or self.fields or self.traeger)


def filter_offers(offers: pd.DataFrame, chosen: OfferFilter) -> pd.DataFrame:
    """The offers matching every active filter (an offer matches a Lebensphase if its type serves it)."""
    keep = pd.Series(True, index=offers.index)
    if chosen.types:
        keep &= offers["offer_type"].isin(chosen.types)
    if chosen.phases:
        wanted = set(chosen.phases)
        keep &= offers["lebensphasen"].map(lambda phases: not wanted.isdisjoint(phases))
    if chosen.fields:
        keep &= offers["handlungsfeld"].isin(chosen.fields)
    if chosen.traeger:
        keep &= traeger_names(offers).isin(chosen.traeger)
    return offers[keep]


def traeger_names(offers: pd.DataFrame) -> pd.Series:
    names = offers["traeger"].fillna("").astype(str).str.strip()
    return names.where(names != "", NO_TRAEGER)


def counted(values: pd.Series, order: list[str] | None = None) -> dict[str, int]:
    """Value → number of offers, in ``order`` (taxonomy order) or by name; values that never occur are left out."""
    counts = values.value_counts()
    keys = [k for k in order if k in counts.index] if order is not None else sorted(counts.index, key=str.casefold)
    return {k: int(counts[k]) for k in keys}


def phase_counts(offers: pd.DataFrame, phase_order: list[str]) -> dict[str, int]:
    return counted(offers["lebensphasen"].explode().dropna(), phase_order)


def category_options(types: pd.DataFrame, phases: pd.DataFrame) -> dict[str, str]:
    """'angebotsart:kita' → 'Angebotsart: Kindertageseinrichtung (Kita)', Lebensphasen first (chain order)."""
    options = {f"{LEBENSPHASE}:{p}": f"Lebensphase: {label}" for p, label in zip(phases["phase_id"], phases["label"])}
    options |= {f"{ANGEBOTSART}:{t}": f"Angebotsart: {label}" for t, label in zip(types["offer_type"], types["label"])}
    return options


def split_category(key: str) -> tuple[str, str]:
    dimension, _, category = key.partition(":")
    if dimension not in DIMENSION_LABELS or not category:
        raise ValueError(f"unknown category {key!r}; expected 'angebotsart:<offer_type>' or 'lebensphase:<phase_id>'")
    return dimension, category


def metric_options(dimension: str) -> list[str]:
    """Distances exist per Angebotsart only (each type has its own nearest offer)."""
    return [key for key, m in METRICS.items() if dimension == ANGEBOTSART or not m.needs_access]


def distance_text(metres: float) -> str:
    return f"{number(metres / 1000, 0 if metres % 1000 == 0 else 1)} km"


def metric_title(metric: Metric, max_distance_m: float, capacity_unit: str | None) -> str:
    if metric.key == "share_within":
        return f"{metric.label} von {distance_text(max_distance_m)}"
    if metric.key == "capacity_per_100":
        return f"{metric.label} ({capacity_unit or 'Plätze'} je 100 der Zielgruppe)"
    return metric.label


def with_zero_quota(coverage_rows: pd.DataFrame, with_capacity: set[str]) -> pd.DataFrame:
    """Coverage rows where an area without any offer of a category has a Versorgungsquote of 0.

    The stored quota is empty there, which would hide exactly the gaps the map is for. Only for categories in
    ``with_capacity`` (the Kreis's lists state capacities for them); elsewhere the quota stays unknown.
    """
    frame = coverage_rows.copy()
    gap = frame["offers"].eq(0) & frame["target_population"].gt(0) & frame["category"].isin(with_capacity)
    frame.loc[gap, "capacity_per_100"] = 0.0
    return frame


def area_values(coverage_rows: pd.DataFrame, access_rows: pd.DataFrame | None, with_capacity: set[str]) -> pd.DataFrame:
    """One category's coverage per area (``with_zero_quota``) joined with its accessibility (None for Lebensphasen)."""
    frame = with_zero_quota(coverage_rows, with_capacity)
    if access_rows is None:
        frame["mean_distance_km"], frame["share_within"], frame["basis"] = np.nan, np.nan, None
    else:
        frame = frame.merge(access_rows[["area_id", "mean_distance_km", "share_within", "basis"]], on="area_id", how="left")
    return frame


def missing_reason(metric: Metric, frame: pd.DataFrame) -> str | None:
    """Why areas have no value for this metric ('Kapazität nicht angegeben'); None when every area has one."""
    missing = frame[frame[metric.key].isna()]
    if missing.empty:
        return None
    if metric.needs_access:
        return "kein Angebot dieser Art im Kreis" if frame[metric.key].isna().all() else "keine Einwohner"
    if metric.key == "capacity_per_100" and missing["target_population"].gt(0).all():
        return "Kapazität nicht angegeben"
    return "keine Zielgruppe in der Statistik"


def missing_label(metric: Metric, frame: pd.DataFrame) -> str | None:
    """The legend's row for areas without a value: 'kein Wert: <reason> (<count>)'."""
    reason = missing_reason(metric, frame)
    return f"kein Wert: {reason} ({int(frame[metric.key].isna().sum())})" if reason else None


def _numbers(values: pd.Series) -> pd.Series:
    """German integers as text, '' where unknown: formatted once per distinct value (lists repeat a few)."""
    texts = {v: number(v) for v in values.dropna().unique().tolist()}
    return pd.Series([texts.get(v, "") for v in values.tolist()], index=values.index, dtype=object)


def capacity_texts(offers: pd.DataFrame) -> pd.Series:
    """'35 Plätze' per offer ('' without a capacity; the number alone where the type has no unit)."""
    amounts = _numbers(offers["kapazitaet"])
    units = offers["capacity_unit"].fillna("").astype(str)
    return (amounts + " " + units).str.strip().where(amounts != "", "")


def age_texts(offers: pd.DataFrame) -> pd.Series:
    """'3 bis 6 Jahre', 'ab 12 Jahren', 'bis 1 Jahre' or '' per offer."""
    von, bis = _numbers(offers["alter_von"]), _numbers(offers["alter_bis"])
    texts = np.select(
        [(von != "") & (bis != ""), von != "", bis != ""],
        ["" + von + " bis " + bis + " Jahre", "ab " + von + " Jahren", "bis " + bis + " Jahre"],
        "",
    )
    return pd.Series(texts, index=offers.index, dtype=object)


def field_colours(types: pd.DataFrame) -> dict[str, str]:
    """Handlungsfeld → point colour, in taxonomy order (the catalogue, not code, decides what the fields are)."""
    fields = list(dict.fromkeys(types["handlungsfeld"]))
    return {f: FIELD_COLOURS[i % len(FIELD_COLOURS)] for i, f in enumerate(fields)}


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


# Inside a script, in JSON strings: no '</script>' or HTML, and no '{' – see OfferClusters.render.
_SCRIPT_SAFE = [(c, f"\\u{ord(c):04x}") for c in "<>&'{}\u2028\u2029"]


def script_json(data: dict) -> str:
    """``marker_data`` as a JSON array literal for a script: [types, traeger, gemeinden, rows].

    An array, so every brace is inside a string and can be escaped; compact and UTF-8 (a third of the size of
    folium's ``tojson``, which writes ä as \\u00e4 and puts spaces after separators).
    """
    parts = [data["types"], data["traeger"], data["gemeinden"], data["rows"]]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    for char, escaped in _SCRIPT_SAFE:  # str.replace per character: 25 times faster than str.translate here
        text = text.replace(char, escaped)
    return text


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

    def __init__(self, data: dict, name: str = "Angebote", **options):
        super().__init__(name=name, **options)
        self._name = "OfferClusters"
        self.data_json = script_json(data)

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


def offer_source_lines(sources: pd.DataFrame) -> dict[str, str]:
    """Per offer list of the Kreis: short credit ('<attribution>, Stand 31.12.2023') → full line with title and
    file (the short one goes into the map, the long one into the caption)."""
    lists = sources[sources["kind"] == "offers"]
    lines = {}
    for r in lists.itertuples():
        stand = f", Stand {german_date(r.stand)}" if isinstance(r.stand, str) and r.stand else ""
        lines[f"{r.attribution}{stand}"] = f"{r.title} ({r.file}){stand}"
    return lines


@dataclass
class OfferMapView:
    shapes: gpd.GeoDataFrame  # the level's areas with the metric's value, value_text and the coverage columns
    fmap: folium.Map
    metric: Metric
    title: str  # metric and category, as in the legend
    offers_shown: int
    attribution: str  # boundaries and offer list, as in the map
    notes: list[str] = field(default_factory=list)  # population basis, target group, sources
    statistics_source_ids: set[str] = field(default_factory=set)  # the tables the target population comes from


def categories_with_capacity(ctx: Context, dimension: str) -> set[str]:
    """Categories for which at least one offer in the Kreis states a capacity."""
    kreis = queries.coverage(ctx.db, ctx.kreis_id, "kreis", dimension)
    return set(kreis.loc[kreis["capacity_known"].gt(0), "category"])


def level_values(ctx: Context, level: str, dimension: str, category: str, max_distance_m: float) -> pd.DataFrame:
    """Coverage and accessibility of one category for every area of a level."""
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, dimension)
    coverage = coverage[coverage["category"] == category].drop(columns=["name", "level"])
    access = None
    if dimension == ANGEBOTSART:
        access = queries.accessibility(ctx.db, ctx.kreis_id, level, float(max_distance_m))
        access = access[access["offer_type"] == category]
    return area_values(coverage, access, categories_with_capacity(ctx, dimension))


def build_view(
    ctx: Context,
    level: str,
    category_key: str,
    metric_key: str,
    max_distance_m: float,
    offers: pd.DataFrame,
    tiles: bool = False,
) -> OfferMapView:
    """The map: areas coloured by the metric for the category, ``offers`` (already filtered) as clustered points."""
    dimension, category = split_category(category_key)
    metric = METRICS[metric_key]
    types = queries.offer_types(ctx.db)
    unit = types.loc[category, "capacity_unit"] if dimension == ANGEBOTSART else None
    category_label = category_options(types, queries.lebensphasen(ctx.db))[category_key].split(": ", 1)[1]
    title = f"{metric_title(metric, max_distance_m, unit if isinstance(unit, str) else None)}: {category_label}"

    values = level_values(ctx, level, dimension, category, max_distance_m)
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level).merge(values, on="area_id", how="left")
    shapes["value"] = shapes[metric.key].astype(float)
    shapes["value_text"] = [_value_text(v, metric) for v in shapes["value"]]
    shapes["offers_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["offers"]]
    shapes["target_text"] = [number(v) if pd.notna(v) else "–" for v in shapes["target_population"]]
    classes = classification.classify(shapes["value"], "quantile", palette=metric.palette)
    legend = maps.legend_html(title, metric.unit, classes, metric.decimals, missing_label(metric, shapes))
    offer_sources = offer_source_lines(queries.sources(ctx.db, ctx.kreis_id))
    attribution = " · ".join([queries.boundary_attribution(ctx.db, ctx.kreis_id), "Angebote: " + ("; ".join(offer_sources) or "keine Liste geladen")])
    fmap = maps.choropleth(
        shapes,
        queries.area_shapes(ctx.db, ctx.kreis_id, "kreis"),
        value_column="value",
        tooltip_fields={"name": LEVEL_SINGULAR[level], "value_text": metric.label, "offers_text": "Angebote", "target_text": "Zielgruppe"},
        classes=classes,
        legend=legend,
        attribution=attribution,
        tiles=tiles,
        legend_room=(200, 0),
    )
    maps.add_legend(fmap, points_legend(offers, types), "topright")
    fmap.options["max_zoom"] = MAX_ZOOM  # markercluster needs the map's maxZoom, which otherwise only tiles set
    fmap.get_root().header.add_child(Element(CLUSTER_CSS))
    # chunks of 50 ms: the browser stays responsive while thousands of markers are clustered
    OfferClusters(marker_data(offers, types), maxClusterRadius=40, showCoverageOnHover=False, chunkedLoading=True, chunkInterval=50).add_to(fmap)
    notes = [*_notes(ctx, values, dimension, category), *(f"Angebotsliste: {line}" for line in offer_sources.values())]
    statistics = _target_source_ids(ctx, level, values, dimension, category)
    return OfferMapView(shapes, fmap, metric, title, len(offers), attribution, notes, statistics)


def points_legend(offers: pd.DataFrame, types: pd.DataFrame) -> str:
    colours = field_colours(types)
    shown = counted(offers["handlungsfeld"], list(colours))
    return maps.points_legend_html(
        f"Angebote ({number(len(offers))})",
        [(colours[f], f"{f} ({number(n)})") for f, n in shown.items()],
        "Kreis mit Zahl: so viele Angebote liegen dort dicht beieinander",
    )


def _value_text(value: float, metric: Metric) -> str:
    if pd.isna(value):
        return "kein Wert"
    return f"{number(value, metric.decimals)} {metric.unit}".strip() if metric.unit in ("km", "%") else number(value, metric.decimals)


def _notes(ctx: Context, values: pd.DataFrame, dimension: str, category: str) -> list[str]:
    """What the figures rest on: target group and its year, where people live for the distances."""
    row = _target(ctx, dimension, category)
    years = sorted({int(y) for y in values["population_year"].dropna()})
    indicators = queries.catalogue(ctx.db)
    groups = ", ".join(indicators.loc[i, "label"] if i in indicators.index else i for i in row["target_population"])
    notes = [f"Zielgruppe: {groups} ({', '.join(map(str, years)) or 'Jahr unbekannt'})"]
    if dimension == LEBENSPHASE and isinstance(row.get("approximation"), str):
        notes.append(f"Näherung: {row['approximation']}")
    bases = sorted({b for b in values["basis"].dropna()})
    if bases:
        notes.append("Entfernungen: Luftlinie zum nächsten Angebot der Art; Wohnorte: " + "; ".join(bases))
    return notes


def _target(ctx: Context, dimension: str, category: str) -> pd.Series:
    catalogue = queries.offer_types(ctx.db) if dimension == ANGEBOTSART else queries.lebensphasen(ctx.db)
    return catalogue.loc[category]


def _target_source_ids(ctx: Context, level: str, values: pd.DataFrame, dimension: str, category: str) -> set[str]:
    ids: set[str] = set()
    for year in {int(y) for y in values["population_year"].dropna()}:
        for indicator_id in _target(ctx, dimension, category)["target_population"]:
            ids |= set(queries.indicator_values(ctx.db, ctx.kreis_id, level, indicator_id, year)["source_id"].dropna())
    return ids


# --- detail panel and tables -------------------------------------------------------------------------------------


def coverage_table(coverage_rows: pd.DataFrame, access_rows: pd.DataFrame, types: pd.DataFrame, max_distance_m: float) -> pd.DataFrame:
    """One area's coverage per Angebotsart in German text: offers, capacity, per 1,000, quota, distances."""
    frame = coverage_rows.merge(access_rows, left_on="category", right_on="offer_type", how="left")
    frame = frame.set_index("category").reindex([t for t in types["offer_type"] if t in set(frame["category"])])
    within = f"Anteil ≤ {distance_text(max_distance_m)} (%)"
    return pd.DataFrame(
        {
            "Angebotsart": types.loc[frame.index, "label"].tolist(),
            "Angebote": [number(v) for v in frame["offers"]],
            "Kapazität": [_capacity_cell(c, k, n) for c, k, n in zip(frame["capacity"], frame["capacity_known"], frame["offers"])],
            "je 1.000": [number(v, 2) for v in frame["offers_per_1000"]],
            "Versorgungsquote (je 100)": [number(v, 1) for v in frame["capacity_per_100"]],
            "Ø Entfernung (km)": [number(v, 1) for v in frame["mean_distance_km"]],
            within: [number(v, 1) for v in frame["share_within"]],
        }
    )


def _capacity_cell(capacity: float, known: int, offers: int) -> str:
    if pd.isna(capacity):
        return "–"
    return number(capacity) if known == offers else f"{number(capacity)} (bei {known} von {offers})"


@dataclass
class AreaDetail:
    name: str
    facts: dict[str, str]
    coverage: pd.DataFrame
    offers: pd.DataFrame  # the area's offers among those shown on the map (rows of the offers frame)


def area_detail(ctx: Context, level: str, area_id: str, max_distance_m: float, offers: pd.DataFrame) -> AreaDetail | None:
    """Coverage per Angebotsart of one area (level 'kreis': the Kreis) and its offers; None if not of this level."""
    coverage = queries.coverage(ctx.db, ctx.kreis_id, level, ANGEBOTSART)
    coverage = coverage[coverage["area_id"] == area_id]
    if coverage.empty:
        return None
    coverage = with_zero_quota(coverage, categories_with_capacity(ctx, ANGEBOTSART))
    access = queries.accessibility(ctx.db, ctx.kreis_id, level, float(max_distance_m))
    access = access[access["area_id"] == area_id].drop(columns=["area_id"])
    types = queries.offer_types(ctx.db)
    members = queries.area_members(ctx.db, ctx.kreis_id, level)
    in_area = offers[offers["gemeinde_id"].isin(members.loc[members["area_id"] == area_id, "gemeinde_id"])]
    facts = {"Ebene": LEVEL_SINGULAR[level], "Angebote (gezeigt)": number(len(in_area))}
    if level != "kreis":
        facts["Schlüssel"] = area_id
    return AreaDetail(coverage["name"].iloc[0], facts, coverage_table(coverage, access, types, max_distance_m), in_area)


def offers_table(offers: pd.DataFrame) -> pd.DataFrame:
    """The offers as a German table (st.dataframe shows text as text: no escaping needed there)."""
    return pd.DataFrame(
        {
            "Name": offers["name"].astype(str),
            "Angebotsart": offers["type_label"],
            "Handlungsfeld": offers["handlungsfeld"],
            "Träger": traeger_names(offers),
            "Adresse": offers["address"].fillna(""),
            "Gemeinde": offers["gemeinde_name"],
            "Sozialraum": offers["sozialraum_name"].fillna(""),
            "Kapazität": capacity_texts(offers),
            "Alter": age_texts(offers),
        }
    ).reset_index(drop=True)


def import_report_table(report: pd.DataFrame) -> pd.DataFrame:
    """The import report with German headings, Stand as 31.12.2023."""
    table = report[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS).reset_index(drop=True)
    table["Stand"] = [german_date(s) if isinstance(s, str) else "" for s in table["Stand"]]
    table["Spalte"] = table["Spalte"].fillna("")
    return table


def action_counts(report: pd.DataFrame) -> dict[str, int]:
    """Rows per outcome ('verworfen', 'geladen', …), most frequent first."""
    counts = report["action"].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def import_report_csv(report: pd.DataFrame, kreis_name: str) -> bytes:
    return german_csv(f"Importbericht der Angebotslisten – {kreis_name}", [], import_report_table(report))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _not_a_formula(value: object) -> object:
    # a list cell like '=HYPERLINK(…)' would run as a formula in Excel: a leading apostrophe keeps it text
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def german_csv(title: str, header: list[tuple[str, str]], table: pd.DataFrame) -> bytes:
    """CSV as reports.tables writes it (UTF-8 with BOM, ';', decimal comma): a title line, 'Feld;Inhalt' lines,
    one empty line, then the table. Text cells that Excel would take for a formula are prefixed with '."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([title])
    writer.writerows([key, " ".join(str(value).split())] for key, value in header)
    writer.writerow([])
    text = table.apply(lambda column: column.map(_not_a_formula) if column.dtype == object or pd.api.types.is_string_dtype(column) else column)
    text.to_csv(out, sep=";", decimal=",", index=False, lineterminator="\r\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_header(ctx: Context, view: OfferMapView, chosen: OfferFilter) -> list[tuple[str, str]]:
    """What an exported table says about itself: what the map shows, filters, sources, date, demo note."""
    header = [
        ("Karte", view.title),
        ("Filter der Angebote", filter_text(chosen, queries.offer_types(ctx.db), queries.lebensphasen(ctx.db))),
        ("Quellen", view.attribution),
        ("Grundlagen", "; ".join(view.notes)),
        ("Erstellt", f"Planungsatlas Familie, {date.today():%d.%m.%Y}"),
    ]
    return header + ([("Hinweis", "Demodaten – keine amtlichen Zahlen")] if ctx.demo else [])


def filter_text(chosen: OfferFilter, types: pd.DataFrame, phases: pd.DataFrame) -> str:
    """'Angebotsart: Kita, Jugendtreff; Träger: AWO' with the taxonomy's labels."""
    parts = [
        ("Angebotsart", [types["label"].get(t, t) for t in chosen.types]),
        ("Lebensphase", [phases["label"].get(p, p) for p in chosen.phases]),
        ("Handlungsfeld", chosen.fields),
        ("Träger", chosen.traeger),
    ]
    return "; ".join(f"{label}: {', '.join(values)}" for label, values in parts if values) or "keine (alle Angebote)"


OFFER_EXPORT_COLUMNS = {
    "Name": "name", "Angebotsart": "type_label", "Handlungsfeld": "handlungsfeld", "Träger": "traeger", "Adresse": "address",
    "Gemeinde": "gemeinde_name", "Gemeindeschlüssel": "gemeinde_id", "Sozialraum": "sozialraum_name",
    "Kapazität": "kapazitaet", "Einheit der Kapazität": "capacity_unit", "Alter von": "alter_von", "Alter bis": "alter_bis",
    "Gültig ab": "gueltig_ab", "Gültig bis": "gueltig_bis", "Längengrad": "lon", "Breitengrad": "lat",
    "Zeile in der Liste": "source_row",
}  # fmt: skip


def _selected(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame``'s columns under German headings (heading → column), numbers as numbers, missing texts as ''."""
    table = frame[list(columns.values())].set_axis(list(columns), axis=1).reset_index(drop=True)
    texts = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])]
    table[texts] = table[texts].fillna("")
    return table


def offers_export(offers: pd.DataFrame) -> pd.DataFrame:
    """The offers with numbers as numbers, for CSV (the table on the page has texts)."""
    return _selected(offers, OFFER_EXPORT_COLUMNS)


def level_export(view: OfferMapView, level: str, max_distance_m: float) -> pd.DataFrame:
    """The map's areas with the category's coverage figures as numbers (distance columns for Angebotsarten only)."""
    columns = {
        LEVEL_SINGULAR[level]: "name", "Schlüssel": "area_id", "Angebote": "offers", "Kapazität": "capacity",
        "Kapazität bekannt bei": "capacity_known", "Zielgruppe": "target_population", "Jahr der Zielgruppe": "population_year",
        "Angebote je 1.000": "offers_per_1000", "Versorgungsquote (je 100)": "capacity_per_100",
        "Ø Entfernung (km)": "mean_distance_km", f"Anteil ≤ {distance_text(max_distance_m)} (%)": "share_within",
    }  # fmt: skip
    return _selected(pd.DataFrame(view.shapes.drop(columns="geometry")), columns).dropna(axis=1, how="all")


# --- print map ------------------------------------------------------------------------------------------------------


LEGEND_PX = WIDTH_PX * 0.34 - 40  # the legend column of reports.charts.choropleth_map


def print_figure(view: OfferMapView, offers: pd.DataFrame, types: pd.DataFrame, caption: Caption, outline, highlight: tuple[str, ...] = ()) -> go.Figure:
    """The map for print (reports.charts.choropleth_map: classes, Kreis outline, legend, north arrow) with the
    offers as points coloured by Handlungsfeld, one legend entry per field."""
    metric = view.metric
    shapes = view.shapes
    reason = missing_reason(metric, shapes) or "kein Wert"
    values = pd.DataFrame({"area_id": shapes["area_id"], "value": shapes["value"], "status": np.where(shapes["value"].notna(), "ok", reason)})
    unit = metric.unit if metric.unit in ("km", "%") else ""  # the Versorgungsquote's title names its unit already
    indicator = Indicator(metric.key, view.title, unit, "rate", "Angebote", "neutral", "", "", metric.decimals, None)
    fig = charts.choropleth_map(shapes[["area_id", "name", "geometry"]], values, indicator, caption, outline=outline, highlight=highlight, labels=False)
    colours = field_colours(types)
    for field_name, count in counted(offers["handlungsfeld"], list(colours)).items():
        points = offers[offers["handlungsfeld"] == field_name]
        fig.add_trace(go.Scattergeo(
            lon=points["lon"], lat=points["lat"], mode="markers", hoverinfo="skip",
            name="<br>".join(esc(line) for line in wrap(f"{field_name} ({number(count)})", LEGEND_PX, BODY_PX)),
            marker=dict(size=4, color=colours[field_name], line=dict(color="white", width=0.4)),
        ))  # fmt: skip
    return fig


def map_export(ctx: Context, view: OfferMapView, level: str, offers: pd.DataFrame, highlight: tuple[str, ...] = ()) -> FigureExport:
    """The print map as a download (built only when a button is pressed), with its sources in the footer."""
    con = queries.connection(ctx.db)
    types = queries.offer_types(ctx.db)
    shown = offers[["lon", "lat", "handlungsfeld"]].copy()

    def make() -> go.Figure:
        ids = [*view.statistics_source_ids, *rdata.sources_of_kind(con, ctx.kreis_id, "offers"),
               *credits.extra_source_ids(con, ctx.kreis_id, [level], geometry=True)]  # fmt: skip
        footer = credits.footer_text(credits.credits(con, ids))
        subtitle = f"{rdata.LEVEL_PLURAL[level]} im {ctx.kreis_name} · {number(len(shown))} Angebote"
        outline = rdata.shapes(con, ctx.kreis_id, "kreis").union_all()
        return print_figure(view, shown, types, Caption(view.title, subtitle, footer), outline, highlight)

    return FigureExport(make, name=(view.metric.key, level, ctx.kreis_name, "angebotskarte"))

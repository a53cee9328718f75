"""The Angebotskarte's files: offers, the areas' coverage and the import report as German CSV with a header
block, and the map for print (no Streamlit).

CSV as reports.tables writes it: UTF-8 with BOM, ``;``, decimal comma, a title line, ``Feld;Inhalt`` lines saying
what the table shows (map, filters, sources, date, demo note), one empty line, then the table. Numbers stay
numbers; text cells that Excel would run as a formula ('=HYPERLINK(…)') get a leading apostrophe.
"""
from __future__ import annotations

import csv
import io
from datetime import date
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from shapely.geometry.base import BaseGeometry

from etl.spreadsheet import csv_frame, csv_text
from planning import queries
from planning.context import LEVEL_SINGULAR, Context
from planning.coverage import NOT_CAPTURED, Metric, distance_text, missing_reason
from planning.db import Database, cached
from planning.formatting import number
from planning.offers import OfferFilter, counted, field_colours, filter_text
from reports import charts
from reports.credits import german_date
from reports.data import Indicator
from reports.style import BODY_PX, WIDTH_PX, Caption, esc, wrap

REPORT_COLUMNS = {"file": "Datei", "stand": "Stand", "row": "Zeile", "source_column": "Spalte", "problem": "Problem", "action": "Ergebnis"}


class MapDescription(Protocol):
    """What the exports take from the map on screen (``dashboard.offer_map.OfferMapView``)."""

    shapes: gpd.GeoDataFrame  # the level's areas with the metric's value and the coverage columns
    metric: Metric
    title: str
    attribution: str
    notes: list[str]


def import_report_table(report: pd.DataFrame) -> pd.DataFrame:
    """The import report with German headings, Stand as 31.12.2023."""
    table = report[list(REPORT_COLUMNS)].rename(columns=REPORT_COLUMNS).reset_index(drop=True)
    table["Stand"] = [german_date(s) if isinstance(s, str) else "" for s in table["Stand"]]
    table["Spalte"] = table["Spalte"].fillna("")
    return table


@cached(16)
def report_table(db: Database, kreis_id: str) -> pd.DataFrame:
    """``import_report_table`` of the Kreis's import report (memoised per database version)."""
    return import_report_table(queries.import_report(db, kreis_id))


def action_counts(report: pd.DataFrame) -> dict[str, int]:
    """Rows per outcome ('verworfen', 'geladen', …), most frequent first."""
    counts = report["action"].value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def import_report_csv(report: pd.DataFrame, kreis_name: str) -> bytes:
    """The import report as German CSV under a title line naming the Kreis."""
    return german_csv(f"Importbericht der Angebotslisten – {kreis_name}", [], import_report_table(report))


def german_csv(title: str, header: list[tuple[str, str]], table: pd.DataFrame) -> bytes:
    """CSV as reports.tables writes it (UTF-8 with BOM, ';', decimal comma): a title line, 'Feld;Inhalt' lines,
    one empty line, then the table. Text cells that Excel would take for a formula are prefixed with '."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([csv_text(title)])
    writer.writerows([csv_text(key), csv_text(" ".join(str(value).split()))] for key, value in header)
    writer.writerow([])
    # text cells as etl.spreadsheet keeps them (never a formula); pandas writes the numbers with a decimal comma
    csv_frame(table).to_csv(out, sep=";", decimal=",", index=False, lineterminator="\r\n")
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_header(ctx: Context, view: MapDescription, chosen: OfferFilter) -> list[tuple[str, str]]:
    """What an exported table says about itself: what the map shows, filters, sources, date, demo note."""
    header = [
        ("Karte", view.title),
        ("Filter der Angebote", filter_text(chosen, queries.offer_types(ctx.db), queries.lebensphasen(ctx.db))),
        ("Quellen", view.attribution),
        ("Grundlagen", "; ".join(view.notes)),
        ("Erstellt", f"Planungsatlas Familie, {date.today():%d.%m.%Y}"),
    ]
    return header + ([("Hinweis", "Demodaten – keine amtlichen Zahlen")] if ctx.demo else [])


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


def level_export(view: MapDescription, level: str, max_distance_m: float) -> pd.DataFrame:
    """The map's areas with the category's coverage figures as numbers (distance columns for Angebotsarten only).
    A category no list captures has no figures but the target group, and the status "nicht erfasst"."""
    columns = {
        LEVEL_SINGULAR[level]: "name", "Schlüssel": "area_id", "Angebote": "offers", "Kapazität": "capacity",
        "Kapazität bekannt bei": "capacity_known", "Zielgruppe": "target_population", "Jahr der Zielgruppe": "population_year",
        "Angebote je 1.000": "offers_per_1000", "Versorgungsquote (je 100)": "capacity_per_100",
        "Ø Entfernung (km)": "mean_distance_km", f"Anteil ≤ {distance_text(max_distance_m)} (%)": "share_within",
    }  # fmt: skip
    frame = pd.DataFrame(view.shapes.drop(columns="geometry"))
    if "captured" in frame and len(frame) and not frame["captured"].any():
        figures = [c for c in columns.values() if c not in ("name", "area_id", "target_population", "population_year")]
        frame[figures] = np.nan
        columns["Status"] = "status"
        frame["status"] = NOT_CAPTURED
    return _selected(frame, columns).dropna(axis=1, how="all")


# --- print map ------------------------------------------------------------------------------------------------------


LEGEND_PX = WIDTH_PX * 0.34 - 40  # the legend column of reports.charts.choropleth_map


def print_figure(view: MapDescription, offers: pd.DataFrame, types: pd.DataFrame, caption: Caption, outline: BaseGeometry, highlight: tuple[str, ...] = ()) -> go.Figure:
    """The map for print (reports.charts.choropleth_map: classes, Kreis outline, legend, north arrow) with the
    offers as points coloured by Handlungsfeld, one legend entry per field."""
    metric = view.metric
    shapes = view.shapes
    reason = missing_reason(metric, shapes) or "kein Wert"
    values = pd.DataFrame({"area_id": shapes["area_id"], "value": shapes["value"], "status": np.where(shapes["value"].notna(), "ok", reason)})
    unit = metric.unit if metric.unit in ("km", "%") else ""  # the Versorgungsquote's title names its unit already
    # the metric's kind: the number of offers is a count (circles), the others are rates (classes)
    indicator = Indicator(metric.key, view.title, unit, metric.kind, "Angebote", "neutral", "", "", metric.decimals, None)
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

"""Database tables as metadata: each field with type and documentation.

DDL and docs/SCHEMA.md are generated from this one description (`python -m etl schema-doc`).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    doc: str
    nullable: bool = True


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()


AREAS = Table(
    "areas",
    "Every area the dashboard can show: Germany and Land (reference values; Germany where a table has its row), "
    "Kreis, Verbandsgemeinde/Amt, Gemeinde, Sozialraum, and Jugendamt districts (a town with its own youth office, or "
    "the rest of the Kreis).",
    (
        Field("area_id", "VARCHAR", "Gemeinde: AGS (8 digits); Verband: ARS Gemeindeverband (9); Kreis: AGS (5); Land: 2 digits; Germany: 'DG'; "
              "Sozialraum: '<Kreis>-SR<nn>'; Jugendamt: 'JH' + 8 digits as in youth-welfare statistics", nullable=False),
        Field("level", "VARCHAR", "bund | land | kreis | verbandsgemeinde | gemeinde | sozialraum | jugendamt", nullable=False),
        Field("name", "VARCHAR", "Official name (BKG GEN) or Sozialraum name from the county's mapping", nullable=False),
        Field("bez", "VARCHAR", "Kind of area as BKG names it (BEZ: Stadt, Gemeinde, Verbandsgemeinde, Landkreis …)"),
        Field("parent_id", "VARCHAR", "Administrative parent: Gemeinde → Verbandsgemeinde or Kreis; Verband and Sozialraum → Kreis"),
        Field("kreis_id", "VARCHAR", "The Kreis the area lies in (NULL for Länder)"),
        Field("sozialraum_id", "VARCHAR", "Gemeinden only: the Sozialraum they belong to"),
        Field("jugendamt_id", "VARCHAR", "Gemeinden only: the Jugendamt district, where youth-welfare data name one"),
        Field("ars", "VARCHAR", "Gemeinden only: Amtlicher Regionalschlüssel (12 digits)"),
        Field("area_km2", "DOUBLE", "Area in km², measured on the full-resolution geometry in EPSG:25832", nullable=False),
        Field("geom", "GEOMETRY", "Full-resolution geometry in EPSG:25832 (ETRS89/UTM 32N), for measurements", nullable=False),
        Field("geom_display", "GEOMETRY", "Topology-preservingly simplified geometry in EPSG:4326 for maps", nullable=False),
    ),
    ("area_id",),
)

INDICATORS = Table(
    "indicators",
    "The indicator catalogue (from etl/metadata/indicators.toml): metadata that drives every view.",
    (
        Field("indicator_id", "VARCHAR", "Stable identifier", nullable=False),
        Field("label", "VARCHAR", "German label", nullable=False),
        Field("unit", "VARCHAR", "Unit shown after a value", nullable=False),
        Field("kind", "VARCHAR", "count | measure (summed over areas) | rate (numerator/denominator × per)", nullable=False),
        Field("topic", "VARCHAR", "Handlungsfeld or Demografie / Soziale Lage", nullable=False),
        Field("polarity", "VARCHAR", "higher_is_better | higher_is_worse | neutral", nullable=False),
        Field("definition", "VARCHAR", "Short German definition", nullable=False),
        Field("source", "VARCHAR", "Publisher and statistic", nullable=False),
        Field("licence", "VARCHAR", "Licence of the data behind the indicator, e.g. dl-de/by-2-0 ('' if not stated)"),
        Field("vintage", "VARCHAR", "German text: the reference dates or years the configured data cover, "
              "e.g. '31.12.2010–31.12.2016' or '2023, 2024' ('' if not stated)"),
        Field("sum_of", "VARCHAR[]", "Derived counts: the indicators summed"),
        Field("numerator", "VARCHAR[]", "Rates: indicators summed for the numerator (empty with denominator: published only)"),
        Field("denominator", "VARCHAR[]", "Rates: indicators summed for the denominator"),
        Field("per", "DOUBLE", "Rates: multiplier (100 for percent)"),
        Field("listed", "BOOLEAN", "Offered in indicator pickers (false: detail series such as age × sex)"),
        Field("decimals", "INTEGER", "Decimals shown"),
        Field("position", "INTEGER", "Order in the catalogue file: the order in which views list indicators"),
        Field("suppress_small", "BOOLEAN", "Counts below the build's threshold are withheld at Gemeinde level "
              "(and rates built on them)"),
    ),
    ("indicator_id",),
)

OBSERVATIONS = Table(
    "observations",
    "One value of one indicator for one area and year, with its status. Markers are never turned into 0.",
    (
        Field("area_id", "VARCHAR", "→ areas.area_id", nullable=False),
        Field("indicator_id", "VARCHAR", "→ indicators.indicator_id", nullable=False),
        Field("year", "INTEGER", "Reference year (year of the Stichtag, or the calendar year)", nullable=False),
        Field("reference_date", "DATE", "Stichtag where the source has one (31.12., Zensus 15.05.2022)"),
        Field("value", "DOUBLE", "The value in the indicator's unit; NULL when the status says it is missing"),
        Field("status", "VARCHAR", "ok | zero ('-') | unknown ('.') | locked ('x') | unreliable ('/') | pending ('...') | "
              "incomplete (aggregate or rate with a missing component) | suppressed (small number at Gemeinde level, "
              "value withheld)", nullable=False),
        Field("flag", "VARCHAR", "p provisional, r revised, s estimated (as published)"),
        Field("numerator", "DOUBLE", "Rates computed here: the summed numerator (a count), for confidence intervals and exports"),
        Field("denominator", "DOUBLE", "Rates computed here: the summed denominator"),
        Field("derivation", "VARCHAR", "source (as published) | converted (moved to the boundaries' Gebietsstand with the BBSR "
              "Umsteigeschlüssel: the area's territory in that year differed) | sum (summed from Gemeinden) | derived (from the "
              "catalogue formula)", nullable=False),
        Field("source_id", "VARCHAR", "→ sources.source_id of the file the value (or its Gemeinde values) came from"),
        Field("note", "VARCHAR", "Why a value is incomplete, e.g. '1 von 104 Gemeinden ohne Wert'; for a converted value "
              "'umgerechnet auf Gebietsstand 31.12.2020 (BBSR-Umsteigeschlüssel, © BBSR Bonn): aus …' with the old areas"),
    ),
    ("area_id", "indicator_id", "year"),
)

SOURCES = Table(
    "sources",
    "Every file a build read, with publisher, licence and the attribution to show.",
    (
        Field("source_id", "VARCHAR", "S01, S02, … in the order of the config", nullable=False),
        Field("kreis_id", "VARCHAR", "The county whose config named the file", nullable=False),
        Field("kind", "VARCHAR", "boundaries | statistics | sozialraum_mapping | offers | offer_edits (planners' edits and duplicate "
              "merges from the workspace) | crosswalk (the BBSR Umsteigeschlüssel the statistics were converted with, attribution "
              "'© BBSR Bonn')", nullable=False),
        Field("table_code", "VARCHAR", "GENESIS table code, e.g. 12411-02-03-5"),
        Field("title", "VARCHAR", "What the source holds"),
        Field("publisher", "VARCHAR", "Who publishes it"),
        Field("licence", "VARCHAR", "Licence of the data"),
        Field("attribution", "VARCHAR", "Attribution line to show on maps and exports", nullable=False),
        Field("stand", "VARCHAR", "Datenstand as printed in the file ('Stand: …') or the vintage of the release"),
        Field("file", "VARCHAR", "File name as read", nullable=False),
        Field("encoding", "VARCHAR", "Encoding detected or configured"),
        Field("rows", "INTEGER", "Records taken from the file for this county"),
    ),
    ("source_id",),
)

BUILD_LOG = Table(
    "build_log",
    "What the build noticed and accepted (warnings), and facts about the build itself.",
    (
        Field("kind", "VARCHAR", "info | warning", nullable=False),
        Field("topic", "VARCHAR", "info: built_at, config, demo, min_count, gebietsstand (the Gebietsstand the statistics are "
              "on, e.g. '31.12.2020 (Statistik umgerechnet mit dem BBSR-Umsteigeschlüssel, © BBSR Bonn)'); warning: the "
              "finding's kind (etl/findings.py: umrechnung, nicht_zutreffend, kreissumme, …)", nullable=False),
        Field("message", "VARCHAR", "Human-readable German text", nullable=False),
    ),
)

OFFERS = Table(
    "offers",
    "Offers for families from the county's offer lists, placed in their Gemeinde (what the import report lets through).",
    (
        Field("offer_id", "VARCHAR", "<source_id>-<row>: the list and its row", nullable=False),
        Field("offer_key", "VARCHAR", "Stable key over re-imports (etl/offer_keys.py: list file, Angebotsart, name, address); "
              "planners' edits and duplicate decisions are keyed by it", nullable=False),
        Field("kreis_id", "VARCHAR", "The county whose config named the list", nullable=False),
        Field("gemeinde_id", "VARCHAR", "→ areas: the Gemeinde the point lies in (point-in-polygon, 1 km tolerance at borders)", nullable=False),
        Field("offer_type", "VARCHAR", "→ offer_types.offer_type", nullable=False),
        Field("name", "VARCHAR", "Name as in the list (plain text; the app escapes it)", nullable=False),
        Field("traeger", "VARCHAR", "Träger (provider)"),
        Field("address", "VARCHAR", "Street, postcode and place as in the list"),
        Field("kapazitaet", "DOUBLE", "Capacity in the type's capacity unit (e.g. Kita places)"),
        Field("alter_von", "DOUBLE", "Target age from (years), where the list says"),
        Field("alter_bis", "DOUBLE", "Target age to (years)"),
        Field("gueltig_ab", "VARCHAR", "Valid from, as in the list"),
        Field("gueltig_bis", "VARCHAR", "Valid until, as in the list"),
        Field("source_id", "VARCHAR", "→ sources.source_id", nullable=False),
        Field("source_row", "INTEGER", "Row in the source file", nullable=False),
        Field("lon", "DOUBLE", "Longitude (EPSG:4326)", nullable=False),
        Field("lat", "DOUBLE", "Latitude (EPSG:4326)", nullable=False),
        Field("geom", "GEOMETRY", "Point in EPSG:25832", nullable=False),
        Field("oeffentlich", "BOOLEAN", "Shown in the public finder (docs/FINDER.md): the list's 'oeffentlich' column, where empty "
              "the list's config (`[[offers]] public`, default false); an unreadable value is false", nullable=False),
        Field("kontakt", "VARCHAR", "Public: contact person or office for families ('' = not stated)"),
        Field("telefon", "VARCHAR", "Public: telephone number (checked: digits, spaces, + / - ( ))"),
        Field("email", "VARCHAR", "Public: e-mail address (checked)"),
        Field("webseite", "VARCHAR", "Public: web address, http(s) only ('www.…' gets https://)"),
        Field("zeiten", "VARCHAR", "Public: opening hours or dates, as text"),
        Field("kosten", "VARCHAR", "Public: costs, as text"),
        Field("sprachen", "VARCHAR", "Public: languages spoken, as text"),
        Field("barrierefrei", "VARCHAR", "Public: ja | nein | teilweise ('' = not stated)"),
        Field("beschreibung", "VARCHAR", "Public: a short description in plain German"),
        Field("kontakt_intern", "VARCHAR", "INTERNAL: the Träger's contact for the planning office; never published"),
    ),
    ("offer_id",),
)

OFFER_TYPES = Table(
    "offer_types",
    "The offer taxonomy (etl/metadata/offer_types.toml): Angebotsart → Handlungsfeld and Lebensphasen.",
    (
        Field("offer_type", "VARCHAR", "Stable identifier", nullable=False),
        Field("label", "VARCHAR", "German label", nullable=False),
        Field("handlungsfeld", "VARCHAR", "One of the five fields of the family-friendly-county audit", nullable=False),
        Field("lebensphasen", "VARCHAR[]", "Phases of the Präventionskette the offer serves", nullable=False),
        Field("target_population", "VARCHAR[]", "Indicator ids summed for the target group", nullable=False),
        Field("grid_weight", "VARCHAR", "Zensus grid count that stands for the target group: einwohner | unter18 | ab65", nullable=False),
        Field("capacity_unit", "VARCHAR", "What kapazitaet counts"),
        Field("position", "INTEGER", "Order in the taxonomy file", nullable=False),
    ),
    ("offer_type",),
)

LEBENSPHASEN = Table(
    "lebensphasen",
    "Phases of the Präventionskette, in chain order.",
    (
        Field("phase_id", "VARCHAR", "Stable identifier", nullable=False),
        Field("label", "VARCHAR", "German label", nullable=False),
        Field("position", "INTEGER", "Order along the chain", nullable=False),
        Field("target_population", "VARCHAR[]", "Indicator ids summed for the target group", nullable=False),
        Field("approximation", "VARCHAR", "Where the statistics' age groups differ from the phase"),
    ),
    ("phase_id",),
)

IMPORT_REPORT = Table(
    "import_report",
    "Every row of an offer list that was not loaded as it stood: what is wrong and what happened to it.",
    (
        Field("source_id", "VARCHAR", "→ sources.source_id (the list)", nullable=False),
        Field("row", "INTEGER", "Row in the file (CSV line or spreadsheet row)", nullable=False),
        Field("source_column", "VARCHAR", "Column concerned"),
        Field("problem", "VARCHAR", "What is wrong, in German", nullable=False),
        Field("action", "VARCHAR", "geladen (with this remark) | verworfen | übersprungen", nullable=False),
    ),
)

OFFER_CAPTURE = Table(
    "offer_capture",
    "Which Angebotsarten the offer lists capture (erfasst) for each Kreis, and by which list. A list captures the types "
    "its config names in `covers` (it holds them completely for its area), else the types it holds at least one offer "
    "of. The list's area is the Kreis of its config (every Kreis of a Land- or Germany-wide config); its Datenstand is "
    "`sources.stand`. A category no list captures is 'nicht erfasst': no offer list says anything about it, which is "
    "not 'kein Angebot'. A Lebensphase is captured where a captured Angebotsart serves it (`offer_types.lebensphasen`).",
    (
        Field("source_id", "VARCHAR", "→ sources.source_id (the list)", nullable=False),
        Field("kreis_id", "VARCHAR", "The Kreis the list covers", nullable=False),
        Field("offer_type", "VARCHAR", "→ offer_types.offer_type", nullable=False),
        Field("declared", "BOOLEAN", "true: named in the config's `covers`; false: the list holds at least one offer of the type", nullable=False),
    ),
    ("source_id", "kreis_id", "offer_type"),
)

COVERAGE = Table(
    "coverage",
    "Supply against the target group per area (every level) and per Angebotsart or Lebensphase.",
    (
        Field("area_id", "VARCHAR", "→ areas.area_id", nullable=False),
        Field("dimension", "VARCHAR", "angebotsart | lebensphase", nullable=False),
        Field("category", "VARCHAR", "offer_types.offer_type or lebensphasen.phase_id", nullable=False),
        Field("offers", "INTEGER", "Number of offers in the area", nullable=False),
        Field("capacity", "DOUBLE", "Sum of known capacities (NULL when no offer states one)"),
        Field("capacity_known", "INTEGER", "Offers whose capacity is known", nullable=False),
        Field("target_population", "DOUBLE", "People in the target group (sum of the age groups)"),
        Field("population_year", "INTEGER", "Year of the target population (latest with all age groups)"),
        Field("offers_per_1000", "DOUBLE", "Offers per 1,000 people of the target group"),
        Field("capacity_per_100", "DOUBLE", "Versorgungsquote: capacity per 100 people of the target group"),
    ),
    ("area_id", "dimension", "category"),
)

ACCESS = Table(
    "access",
    "Distance from where people live to the nearest offer of each type (straight line).",
    (
        Field("point_id", "INTEGER", "Population point (Zensus grid cell or lattice point) within the build", nullable=False),
        Field("gemeinde_id", "VARCHAR", "→ areas: the Gemeinde of the point", nullable=False),
        Field("offer_type", "VARCHAR", "→ offer_types.offer_type", nullable=False),
        Field("weight", "DOUBLE", "People of the type's target group at the point (grid) or their share (lattice)", nullable=False),
        Field("distance_m", "DOUBLE", "Metres to the nearest offer of the type in the county", nullable=False),
        Field("basis", "VARCHAR", "Where people live: Zensus 2011 1 km grid or the Gemeinde spread over its area", nullable=False),
        Field("x", "DOUBLE", "Easting of the point, EPSG:25832 (ETRS89 / UTM 32N), metres (grid cell centre or lattice point)"),
        Field("y", "DOUBLE", "Northing of the point, EPSG:25832, metres"),
    ),
)

NEIGHBOURS = Table(
    "neighbours",
    "Kreise and kreisfreie Städte next to each Kreis of the build (etl/neighbours.py, from the boundaries' Kreis layer): "
    "sharing at least 500 m of border, or lying inside it. Maps name a hole of the Kreis by the neighbour in it.",
    (
        Field("kreis_id", "VARCHAR", "→ areas: the Kreis of the build", nullable=False),
        Field("neighbour_id", "VARCHAR", "AGS (5 digits) of the neighbouring Kreis or kreisfreie Stadt", nullable=False),
        Field("name", "VARCHAR", "Its name (BKG GEN), e.g. 'Trier'", nullable=False),
        Field("bez", "VARCHAR", "Its kind (BKG BEZ), e.g. 'Kreisfreie Stadt', 'Landkreis'"),
        Field("enclosed", "BOOLEAN", "Lies (at least 99 % of it) in a hole of the Kreis, like Trier in Trier-Saarburg", nullable=False),
        Field("lon", "DOUBLE", "Label point, EPSG:4326: farthest from its border (enclosed) or in its part near the Kreis", nullable=False),
        Field("lat", "DOUBLE", "Label point, EPSG:4326", nullable=False),
    ),
    ("kreis_id", "neighbour_id"),
)

TABLES = (
    AREAS, INDICATORS, OBSERVATIONS, SOURCES, BUILD_LOG, OFFERS, OFFER_TYPES, LEBENSPHASEN, IMPORT_REPORT, OFFER_CAPTURE,
    COVERAGE, ACCESS, NEIGHBOURS,
)  # fmt: skip


def ddl(table: Table) -> str:
    columns = [f"{f.name} {f.type}{'' if f.nullable else ' NOT NULL'}" for f in table.fields]
    if table.primary_key:
        columns.append(f"PRIMARY KEY ({', '.join(table.primary_key)})")
    return f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(columns) + "\n)"


def markdown() -> str:
    """docs/SCHEMA.md, generated."""
    out = [
        "# Database schema",
        "",
        "Generated from `etl/schema.py` by `python -m etl schema-doc`; do not edit by hand.",
        "One DuckDB file per build (one or several counties). Geometry columns need DuckDB's spatial extension.",
        "",
    ]
    for table in TABLES:
        out += [f"## `{table.name}`", "", table.doc, ""]
        if table.primary_key:
            out += [f"Primary key: `{', '.join(table.primary_key)}`", ""]
        out += ["| field | type | null | meaning |", "|---|---|---|---|"]
        out += [f"| `{f.name}` | {f.type} | {'yes' if f.nullable else 'no'} | {f.doc.replace('|', '&#124;')} |" for f in table.fields]
        out.append("")
    return "\n".join(out)

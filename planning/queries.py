"""Every read of a built database that the planning rules and the pages make (indicators, areas, offers).

Queries are cached per database version (``db.cached``). Areas of every level are reached from a Gemeinde through
the columns of ``areas`` (``MEMBER_OF``), so the accessibility of a Sozialraum or Verbandsgemeinde is computed from
the same population points as that of its Gemeinden: population-weighted, never an average of Gemeinde averages.
"""
from __future__ import annotations

import duckdb
import geopandas as gpd
import pandas as pd

from etl.db import cursor
from planning.db import DB_DIR_ENV, Database, cached, connection, database_dir, databases, fetch

__all__ = ["DB_DIR_ENV", "Database", "connection", "database_dir", "databases", "fetch"]  # re-exported for callers


@cached(32)
def database_facts(db: Database) -> dict[str, str]:
    log = fetch(db, "SELECT topic, message FROM build_log WHERE kind = 'info'")
    return dict(zip(log["topic"], log["message"]))


@cached(16)
def build_warnings(db: Database) -> pd.DataFrame:
    """Every finding the build kept (topic = its kind, message '[Kreis] text'), in the order it was logged."""
    return fetch(db, "SELECT topic, message FROM build_log WHERE kind = 'warning' ORDER BY rowid")


@cached(32)
def counties(db: Database) -> pd.DataFrame:
    return fetch(db, "SELECT area_id, name FROM areas WHERE level = 'kreis' ORDER BY name")


@cached(32)
def levels(db: Database, kreis_id: str) -> list[str]:
    rows = fetch(db, "SELECT DISTINCT level FROM areas WHERE kreis_id = ? AND level <> 'kreis'", [kreis_id])
    order = ["gemeinde", "sozialraum", "verbandsgemeinde"]
    return [level for level in order if level in set(rows["level"])]


@cached(32)
def catalogue(db: Database) -> pd.DataFrame:
    return fetch(db, "SELECT * FROM indicators ORDER BY position").set_index("indicator_id", drop=False)


@cached(32)
def indicator_years(db: Database, kreis_id: str) -> pd.DataFrame:
    """Listed indicators × years that have values for the Kreis's areas (what the pickers may offer)."""
    return fetch(
        db,
        """
        SELECT o.indicator_id, o.year, a.level, count(*) AS areas
        FROM observations o JOIN areas a USING (area_id) JOIN indicators i USING (indicator_id)
        WHERE a.kreis_id = ? AND i.listed
        GROUP BY ALL
        """,
        [kreis_id],
    )


@cached(64)
def area_shapes(db: Database, kreis_id: str, level: str) -> gpd.GeoDataFrame:
    """Display geometry (EPSG:4326) and names of one level of a Kreis."""
    frame = fetch(
        db,
        """
        SELECT a.area_id, a.name, a.bez, a.level, a.area_km2, a.parent_id, p.name AS parent_name,
               a.sozialraum_id, s.name AS sozialraum_name, ST_AsWKB(a.geom_display) AS wkb
        FROM areas a
        LEFT JOIN areas p ON p.area_id = a.parent_id
        LEFT JOIN areas s ON s.area_id = a.sozialraum_id
        WHERE a.kreis_id = ? AND a.level = ?
        ORDER BY a.name
        """,
        [kreis_id, level],
    )
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


@cached(128)
def indicator_values(db: Database, kreis_id: str, level: str, indicator_id: str, year: int) -> pd.DataFrame:
    """One indicator for every area of a level (areas without a row are absent)."""
    return fetch(
        db,
        """
        SELECT o.area_id, o.value, o.status, o.flag, o.note, o.derivation, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND a.level = ? AND o.indicator_id = ? AND o.year = ?
        """,
        [kreis_id, level, indicator_id, year],
    )


@cached(256)
def area_figures(db: Database, area_id: str, kreis_id: str, year: int) -> pd.DataFrame:
    """All listed indicators of one area for a year, next to the Kreis value (for the detail panel)."""
    return fetch(
        db,
        """
        SELECT i.indicator_id, i.label, i.unit, i.decimals, i.topic,
               o.value, o.status, o.note, k.value AS kreis_value, k.status AS kreis_status
        FROM indicators i
        JOIN observations o ON o.indicator_id = i.indicator_id AND o.area_id = ? AND o.year = ?
        LEFT JOIN observations k ON k.indicator_id = i.indicator_id AND k.area_id = ? AND k.year = ?
        WHERE i.listed
        ORDER BY i.position
        """,
        [area_id, year, kreis_id, year],
    )


@cached(256)
def member_names(db: Database, area_id: str) -> list[str]:
    """Names of the Gemeinden in a Sozialraum or Verbandsgemeinde."""
    rows = fetch(
        db,
        "SELECT name FROM areas WHERE level = 'gemeinde' AND (sozialraum_id = ? OR parent_id = ?) ORDER BY name",
        [area_id, area_id],
    )
    return rows["name"].tolist()


@cached(32)
def sources(db: Database, kreis_id: str) -> pd.DataFrame:
    return fetch(
        db,
        "SELECT source_id, kind, table_code, title, publisher, attribution, licence, stand, file FROM sources WHERE kreis_id = ? ORDER BY source_id",
        [kreis_id],
    )


SIMPLIFIED_SUFFIX = " (Daten verändert)"  # the display geometry is simplified


def boundary_attribution(db: Database, kreis_id: str) -> str:
    """The licence line of the Kreis's boundaries, '(Daten verändert)' where they are the BKG's (maps simplify them)."""
    found = sources(db, kreis_id)
    boundary = found.loc[found["kind"] == "boundaries", "attribution"]
    text = boundary.iloc[0] if not boundary.empty else ""
    return text + SIMPLIFIED_SUFFIX if text.startswith("©") else text


@cached(32)
def columns(db: Database, table: str) -> list[str]:
    return fetch(db, "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])["column_name"].tolist()


def _counts(db: Database) -> str:
    """numerator/denominator where the build has them (databases built before they existed have not)."""
    if "numerator" in columns(db, "observations"):
        return "o.numerator, o.denominator"
    return "CAST(NULL AS DOUBLE) AS numerator, CAST(NULL AS DOUBLE) AS denominator"


@cached(64)
def indicator_series(db: Database, kreis_id: str, indicator_id: str) -> pd.DataFrame:
    """One indicator for the Kreis and every area in it: all years, all levels (the explorer filters in memory)."""
    return fetch(
        db,
        f"""
        SELECT o.area_id, a.name, a.level, o.year, o.value, o.status, o.flag, o.note,
               {_counts(db)}, o.derivation, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND o.indicator_id = ?
        ORDER BY o.year, a.level, a.name
        """,
        [kreis_id, indicator_id],
    )


@cached(64)
def land_series(db: Database, kreis_id: str, indicator_id: str) -> pd.DataFrame:
    """The indicator for the Land the Kreis lies in (reference values), all years; empty where the build has none."""
    return _reference_series(db, "a.level = 'land' AND a.area_id = left(?, 2)", [kreis_id, indicator_id])


# The Bund (Germany) as the build may store it: level 'bund', or the GENESIS key 'DG' / '0' of Deutschland
BUND_AREA = "(a.level = 'bund' OR a.area_id IN ('DG', '0'))"


@cached(64)
def bund_series(db: Database, indicator_id: str) -> pd.DataFrame:
    """The indicator for Germany as a whole (reference values), all years; empty where the build has none."""
    return _reference_series(db, BUND_AREA, [indicator_id])


def _reference_series(db: Database, area_condition: str, params: list) -> pd.DataFrame:
    """One reference area's values of an indicator (the last parameter), all years."""
    return fetch(
        db,
        f"""
        SELECT o.area_id, a.name, o.year, o.value, o.status, o.flag, o.note,
               {_counts(db)}, o.source_id
        FROM observations o JOIN areas a USING (area_id)
        WHERE {area_condition} AND o.indicator_id = ?
        ORDER BY o.year
        """,
        params,
    )


@cached(16)
def has_bund(db: Database) -> bool:
    """Whether the build holds an area for Germany as a whole (then the pages show a column for it)."""
    return not fetch(db, f"SELECT area_id FROM areas a WHERE {BUND_AREA} LIMIT 1").empty


def bund_id_on(con: duckdb.DuckDBPyConnection) -> str | None:
    """The area id of Germany on a connection of the caller's (the reports open a database by path), or None."""
    row = con.execute(f"SELECT area_id FROM areas a WHERE {BUND_AREA} ORDER BY a.level = 'bund' DESC LIMIT 1").fetchone()
    return row[0] if row else None


@cached(128)
def source_periods(db: Database, source_ids: tuple[str, ...], years: tuple[int, ...]) -> pd.DataFrame:
    """source_id, year, reference_date of the observations from these sources in these years (what a source line
    names as its period)."""
    if not source_ids or not years:
        return pd.DataFrame(columns=["source_id", "year", "reference_date"])
    return fetch(
        db,
        "SELECT DISTINCT source_id, year, reference_date FROM observations WHERE list_contains(?, source_id) AND list_contains(?, year)",
        [list(source_ids), [int(y) for y in years]],
    )


@cached(16)
def mapping_source(db: Database, kreis_id: str) -> dict[str, str]:
    """The ``sources`` row of the Kreis's Sozialraum mapping as a dict (empty without one)."""
    return mapping_source_on(cursor(connection(db)), kreis_id)


def mapping_source_on(con: duckdb.DuckDBPyConnection, kreis_id: str) -> dict[str, str]:
    """``mapping_source`` on a connection of the caller's: attribution, title, publisher and the optional ``status``
    and ``source`` columns, where the build stores the config's [sozialraeume] status and source."""
    names = set(con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = 'sources'").df()["column_name"])
    optional = "".join(f", {c}" for c in ("status", "source") if c in names)
    rows = con.execute(
        f"SELECT attribution, title, publisher{optional} FROM sources WHERE kreis_id = ? AND kind = 'sozialraum_mapping' "
        "ORDER BY source_id LIMIT 1",
        [kreis_id],
    ).df()
    return {} if rows.empty else {k: str(v) for k, v in rows.iloc[0].items() if v is not None and not pd.isna(v)}


@cached(32)
def all_sources(db: Database) -> pd.DataFrame:
    """Every source of the build, indexed by source_id (reference values may come from another county's files)."""
    return fetch(
        db,
        "SELECT source_id, kreis_id, kind, table_code, title, publisher, attribution, licence, stand, file FROM sources ORDER BY source_id",
    ).set_index("source_id", drop=False)


# the column of a Gemeinde row in ``areas`` that names its area of a level
MEMBER_OF = {
    "gemeinde": "g.area_id",
    "sozialraum": "g.sozialraum_id",
    "verbandsgemeinde": "g.parent_id",
    "jugendamt": "g.jugendamt_id",
    "kreis": "g.kreis_id",
}


def _member_column(level: str) -> str:
    if level not in MEMBER_OF:
        raise ValueError(f"unknown area level {level!r}; expected one of {sorted(MEMBER_OF)}")
    return MEMBER_OF[level]


@cached(16)
def offer_types(db: Database) -> pd.DataFrame:
    """The taxonomy: Angebotsart → label, Handlungsfeld, Lebensphasen, target group, capacity unit (indexed by offer_type)."""
    return fetch(db, "SELECT * FROM offer_types ORDER BY position").set_index("offer_type", drop=False)


@cached(16)
def lebensphasen(db: Database) -> pd.DataFrame:
    """The phases of the Präventionskette in chain order (indexed by phase_id)."""
    return fetch(db, "SELECT * FROM lebensphasen ORDER BY position").set_index("phase_id", drop=False)


@cached(16)
def offers(db: Database, kreis_id: str) -> pd.DataFrame:
    """Every offer of a Kreis with its type's metadata and the names of its Gemeinde and Sozialraum."""
    return fetch(
        db,
        """
        SELECT o.offer_id, o.name, o.traeger, o.address, o.kapazitaet, o.alter_von, o.alter_bis,
               o.gueltig_ab, o.gueltig_bis, o.lon, o.lat, o.offer_type, t.label AS type_label,
               t.handlungsfeld, t.lebensphasen, t.capacity_unit, o.gemeinde_id, g.name AS gemeinde_name,
               g.sozialraum_id, s.name AS sozialraum_name, o.source_id, o.source_row
        FROM offers o
        JOIN offer_types t USING (offer_type)
        JOIN areas g ON g.area_id = o.gemeinde_id
        LEFT JOIN areas s ON s.area_id = g.sozialraum_id
        WHERE o.kreis_id = ?
        ORDER BY t.position, o.name
        """,
        [kreis_id],
    )


@cached(32)
def internal_offer_ids(db: Database, kreis_id: str) -> list:
    """The offers of a Kreis marked "nur intern" (oeffentlich = false); a database built before the flag has none."""
    if "oeffentlich" not in columns(db, "offers"):
        return []
    return fetch(db, "SELECT offer_id FROM offers WHERE kreis_id = ? AND oeffentlich = false", [kreis_id])["offer_id"].tolist()


@cached(64)
def coverage(db: Database, kreis_id: str, level: str, dimension: str) -> pd.DataFrame:
    """Coverage rows (offers, capacity, target population, per-1,000 and per-100 rates) of every area of a
    level in the Kreis, for one dimension (angebotsart | lebensphase); level 'kreis' gives the Kreis itself."""
    return fetch(
        db,
        """
        SELECT c.*, a.name, a.level
        FROM coverage c JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND a.level = ? AND c.dimension = ?
        ORDER BY a.name, c.category
        """,
        [kreis_id, level, dimension],
    )


@cached(64)
def accessibility(db: Database, kreis_id: str, level: str, max_distance_m: float) -> pd.DataFrame:
    """Per area of a level and Angebotsart: population-weighted mean straight-line distance to the nearest offer
    (km), the share of the target group within ``max_distance_m`` (%), the people counted and the basis."""
    member = _member_column(level)
    return fetch(
        db,
        f"""
        SELECT {member} AS area_id, x.offer_type,
               sum(x.weight * x.distance_m) / nullif(sum(x.weight), 0) / 1000 AS mean_distance_km,
               -- coalesce: with nobody within the distance the filtered sum is NULL, but the share is 0
               100 * coalesce(sum(x.weight) FILTER (WHERE x.distance_m <= ?), 0) / nullif(sum(x.weight), 0) AS share_within,
               sum(x.weight) AS people, any_value(x.basis) AS basis
        FROM access x JOIN areas g ON g.area_id = x.gemeinde_id
        WHERE g.kreis_id = ? AND {member} IS NOT NULL
        GROUP BY ALL
        """,
        [max_distance_m, kreis_id],
    )


@cached(16)
def import_report(db: Database, kreis_id: str) -> pd.DataFrame:
    """The import report of the Kreis's offer lists: file, row, column, problem, what happened."""
    return fetch(
        db,
        """
        SELECT s.file, s.stand, r.row, r.source_column, r.problem, r.action
        FROM import_report r JOIN sources s USING (source_id)
        WHERE s.kreis_id = ?
        ORDER BY s.file, r.row
        """,
        [kreis_id],
    )


@cached(64)
def area_members(db: Database, kreis_id: str, level: str) -> pd.DataFrame:
    """Every Gemeinde of the Kreis with the area of ``level`` it belongs to (gemeinde_id, area_id), to place
    offers, which carry only their Gemeinde, in an area of any level."""
    member = _member_column(level)
    return fetch(
        db,
        f"SELECT g.area_id AS gemeinde_id, {member} AS area_id FROM areas g WHERE g.kreis_id = ? AND g.level = 'gemeinde'",
        [kreis_id],
    )


@cached(16)
def offer_capture(db: Database, kreis_id: str) -> pd.DataFrame:
    """What the offer lists of a Kreis capture: one row per list (source_id) and Angebotsart, with ``declared`` (the
    config names the type in ``covers``), ``offers`` (the list's offers of the type in the Kreis) and the type's
    ``lebensphasen``. Read from table
    ``offer_capture`` and, for databases built before it existed, from the offers themselves (every type a list has an
    offer of in the Kreis); empty without offer tables."""
    return offer_capture_on(cursor(connection(db)), kreis_id)


def offer_capture_on(con: duckdb.DuckDBPyConnection, kreis_id: str) -> pd.DataFrame:
    """``offer_capture`` on a connection of the caller's (the reports open a database by path)."""
    def has(table: str) -> bool:
        return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0])

    if not has("offers"):
        return pd.DataFrame(columns=["source_id", "offer_type", "declared", "offers", "lebensphasen"])
    declared = (
        "SELECT source_id, offer_type, declared FROM offer_capture WHERE kreis_id = ?"
        if has("offer_capture")
        else "SELECT NULL::VARCHAR AS source_id, NULL::VARCHAR AS offer_type, NULL::BOOLEAN AS declared WHERE ? IS NULL"
    )
    return con.execute(
        f"""
        WITH held AS (SELECT source_id, offer_type, count(*) AS offers FROM offers WHERE kreis_id = ? GROUP BY ALL),
             named AS ({declared})
        SELECT source_id, offer_type, coalesce(n.declared, false) AS declared, coalesce(h.offers, 0) AS offers,
               t.lebensphasen
        FROM held h FULL JOIN named n USING (source_id, offer_type) LEFT JOIN offer_types t USING (offer_type)
        ORDER BY source_id, offer_type
        """,
        [kreis_id, kreis_id],
    ).df()


# --- decisions: population points, metric geometry, age structure (planning/accessibility, locations, projection) ---

@cached(16)
def population_points(db: Database, kreis_id: str) -> pd.DataFrame:
    """Every population point of the Kreis once per kind of weight (``grid_weight`` of the offer types: einwohner,
    unter18, ab65): point_id, gemeinde_id, grid_weight, weight, basis, and x/y (EPSG:25832) where the build stores
    them (NaN otherwise). Read from table ``access``, which holds each point once per Angebotsart."""
    has_xy = {"x", "y"} <= set(columns(db, "access"))
    xy = "any_value(x.x) AS x, any_value(x.y) AS y" if has_xy else "CAST(NULL AS DOUBLE) AS x, CAST(NULL AS DOUBLE) AS y"
    return fetch(
        db,
        f"""
        SELECT x.point_id, x.gemeinde_id, t.grid_weight, any_value(x.weight) AS weight,
               any_value(x.basis) AS basis, {xy}
        FROM access x JOIN offer_types t USING (offer_type) JOIN areas g ON g.area_id = x.gemeinde_id
        WHERE g.kreis_id = ?
        GROUP BY x.point_id, x.gemeinde_id, t.grid_weight
        ORDER BY x.point_id, t.grid_weight
        """,
        [kreis_id],
    )


@cached(16)
def gemeinde_geometry(db: Database, kreis_id: str) -> gpd.GeoDataFrame:
    """Full-resolution Gemeinde polygons of the Kreis in EPSG:25832 (for measuring), with their representative point."""
    frame = fetch(
        db,
        """
        SELECT area_id, name, sozialraum_id, ST_AsWKB(geom) AS wkb FROM areas
        WHERE kreis_id = ? AND level = 'gemeinde' ORDER BY area_id
        """,
        [kreis_id],
    )
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:25832")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:25832")


@cached(32)
def age_structure(db: Database, kreis_id: str, indicator_ids: tuple[str, ...]) -> pd.DataFrame:
    """Population counts of the given age-group indicators for the Kreis and every area in it, all years
    (area_id, level, name, indicator_id, year, value, status)."""
    return fetch(
        db,
        """
        SELECT o.area_id, a.level, a.name, o.indicator_id, o.year, o.value, o.status
        FROM observations o JOIN areas a USING (area_id)
        WHERE a.kreis_id = ? AND list_contains(?, o.indicator_id)
        ORDER BY o.area_id, o.indicator_id, o.year
        """,
        [kreis_id, list(indicator_ids)],
    )

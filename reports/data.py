"""Streamlit-free reads of a built database for the exports (by connection or path, for one export at a time)."""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from etl.db import connect, cursor
from planning.context import LEVEL_PLURAL  # noqa: F401  (the reports name levels as the pages do)
from planning.context import LEVEL_SINGULAR as _PAGE_SINGULAR
from planning.queries import bund_id_on

LEVEL_SINGULAR = {**_PAGE_SINGULAR, "bund": "Bund"}  # Germany appears in the exports as a reference row

Db = str | Path | duckdb.DuckDBPyConnection

@dataclass(frozen=True)
class Indicator:
    indicator_id: str
    label: str
    unit: str
    kind: str
    topic: str
    polarity: str
    definition: str
    source: str
    decimals: int
    per: float | None

    @property
    def unit_suffix(self) -> str:
        """The unit after a number ('12,5 %'); counts of persons need none."""
        return "" if self.unit in ("", "Personen") else self.unit


@dataclass(frozen=True)
class Area:
    area_id: str
    name: str
    level: str
    bez: str | None
    kreis_id: str | None
    parent_id: str | None


@contextmanager
def connection(db: Db) -> Iterator[duckdb.DuckDBPyConnection]:
    """A cursor on an open connection (DuckDB connections must not be shared across threads), or a read-only
    connection to a path that is closed afterwards."""
    con = cursor(db) if isinstance(db, duckdb.DuckDBPyConnection) else connect(db, read_only=True)
    try:
        yield con
    finally:
        con.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> pd.DataFrame:
    return con.execute(sql, list(params or [])).df()


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    # databases built before a table existed still open; the exports then say what is missing
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table]).fetchone()[0])


def indicator(con: duckdb.DuckDBPyConnection, indicator_id: str) -> Indicator:
    row = _df(con, "SELECT * FROM indicators WHERE indicator_id = ?", [indicator_id])
    if row.empty:
        raise KeyError(f"indicator {indicator_id!r} is not in the database's catalogue")
    r = row.iloc[0]
    decimals = r.get("decimals")
    default = 1 if r["kind"] == "rate" else 0
    return Indicator(
        indicator_id=r["indicator_id"],
        label=r["label"],
        unit=r["unit"] or "",
        kind=r["kind"],
        topic=r["topic"],
        polarity=r["polarity"],
        definition=r["definition"] or "",
        source=r["source"] or "",
        decimals=default if pd.isna(decimals) else int(decimals),
        per=None if pd.isna(r.get("per")) else float(r["per"]),
    )


def area(con: duckdb.DuckDBPyConnection, area_id: str) -> Area:
    row = _df(con, "SELECT area_id, name, level, bez, kreis_id, parent_id FROM areas WHERE area_id = ?", [area_id])
    if row.empty:
        raise KeyError(f"area {area_id!r} is not in the database")
    r = row.iloc[0].where(row.iloc[0].notna(), None)
    return Area(r["area_id"], r["name"], r["level"], r["bez"], r["kreis_id"], r["parent_id"])


def land_id(kreis_id: str) -> str:
    return kreis_id[:2]


def bund_id(con: duckdb.DuckDBPyConnection) -> str | None:
    """Germany's area id where the build holds it (a Kreis built from the national tables), else None."""
    return bund_id_on(con)


def reference_ids(con: duckdb.DuckDBPyConnection, kreis_id: str) -> list[str]:
    """The Kreis, its Land and – where the build has it – Germany: the rows every table and chart compares with."""
    germany = bund_id(con)
    return [kreis_id, land_id(kreis_id), *([germany] if germany else [])]


def member_gemeinden(con: duckdb.DuckDBPyConnection, a: Area) -> list[str]:
    """Gemeinde ids that make up an area (the area itself for a Gemeinde)."""
    column = {"sozialraum": "sozialraum_id", "verbandsgemeinde": "parent_id", "kreis": "kreis_id",
              "jugendamt": "jugendamt_id"}.get(a.level)  # fmt: skip
    if column is None:
        return [a.area_id]
    sql = f"SELECT area_id FROM areas WHERE level = 'gemeinde' AND {column} = ? ORDER BY area_id"
    return _df(con, sql, [a.area_id])["area_id"].tolist()


def member_names(con: duckdb.DuckDBPyConnection, a: Area) -> list[str]:
    ids = member_gemeinden(con, a)
    if ids == [a.area_id]:
        return []
    sql = "SELECT name FROM areas WHERE list_contains(?, area_id) ORDER BY name"
    return _df(con, sql, [ids])["name"].tolist()


def years(con: duckdb.DuckDBPyConnection, indicator_id: str, area_ids: Sequence[str]) -> list[int]:
    """Years in which at least one of the areas has a row for the indicator, ascending."""
    sql = "SELECT DISTINCT year FROM observations WHERE indicator_id = ? AND list_contains(?, area_id) ORDER BY year"
    return [int(y) for y in _df(con, sql, [indicator_id, list(area_ids)])["year"]]


def years_text(found: Sequence[int]) -> str:
    """'2019–2023', '2023' or '' for the years a table or chart covers."""
    found = sorted(found)
    return f"{found[0]}–{found[-1]}" if len(found) > 1 else "".join(str(y) for y in found)


def latest_year(con: duckdb.DuckDBPyConnection, indicator_id: str, area_ids: Sequence[str]) -> int:
    found = years(con, indicator_id, area_ids)
    if not found:
        raise LookupError(f"no values of {indicator_id!r} for {', '.join(area_ids)}")
    return found[-1]


def _obs_columns(con: duckdb.DuckDBPyConnection) -> str:
    # numerator/denominator exist in builds since the rates got them; older databases still open
    has_counts = con.execute("SELECT count(*) FROM duckdb_columns() WHERE table_name = 'observations' "
                             "AND column_name = 'numerator'").fetchone()[0]  # fmt: skip
    counts = "o.numerator, o.denominator" if has_counts else "NULL::DOUBLE AS numerator, NULL::DOUBLE AS denominator"
    return f"o.value, coalesce(o.status, 'absent') AS status, o.flag, o.note, {counts}, o.source_id, o.reference_date"


def level_values(con: duckdb.DuckDBPyConnection, kreis_id: str, level: str, indicator_id: str, year: int) -> pd.DataFrame:
    """Every area of a level in the Kreis with its value (status 'absent' where the sources have no row)."""
    sql = f"""
        SELECT a.area_id, a.name, a.level, {_obs_columns(con)}
        FROM areas a
        LEFT JOIN observations o ON o.area_id = a.area_id AND o.indicator_id = ? AND o.year = ?
        WHERE a.kreis_id = ? AND a.level = ?
        ORDER BY a.name
    """
    return _df(con, sql, [indicator_id, year, kreis_id, level])


def comparators(con: duckdb.DuckDBPyConnection, kreis_id: str, indicator_id: str, year: int) -> pd.DataFrame:
    """Kreis, Land and Bund rows (Land and Bund only where the build has their value), in that order."""
    sql = f"""
        SELECT a.area_id, a.name, a.level, {_obs_columns(con)}
        FROM areas a JOIN observations o ON o.area_id = a.area_id AND o.indicator_id = ? AND o.year = ?
        WHERE list_contains(?, a.area_id)
        ORDER BY list_position(?, a.area_id)
    """
    ids = reference_ids(con, kreis_id)
    return _df(con, sql, [indicator_id, year, ids, ids])


def series(con: duckdb.DuckDBPyConnection, area_ids: Sequence[str], indicator_id: str) -> pd.DataFrame:
    """All years of an indicator for the given areas (any level, comparators included if named)."""
    sql = f"""
        SELECT a.area_id, a.name, a.level, o.year, {_obs_columns(con)}
        FROM observations o JOIN areas a USING (area_id)
        WHERE o.indicator_id = ? AND list_contains(?, o.area_id)
        ORDER BY o.year, a.area_id
    """
    return _df(con, sql, [indicator_id, list(area_ids)])


def shapes(con: duckdb.DuckDBPyConnection, kreis_id: str, level: str) -> gpd.GeoDataFrame:
    """Display geometry (EPSG:4326, simplified) of one level of a Kreis; level 'kreis' gives the outline."""
    sql = """
        SELECT area_id, name, ST_AsWKB(geom_display) AS wkb FROM areas
        WHERE level = ? AND (kreis_id = ? OR area_id = ?) ORDER BY name
    """
    frame = _df(con, sql, [level, kreis_id, kreis_id])
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


@dataclass(frozen=True)
class AgeGroup:
    base_id: str  # e.g. 'bev_3_6'; the data are base_id + '_m' / '_w'
    lower: int
    upper: int | None  # exclusive; None for 'and older'

    @property
    def label(self) -> str:
        if self.lower == 0:
            return f"unter {self.upper}"
        if self.upper is None:
            return f"{self.lower} und älter"
        return f"{self.lower} bis unter {self.upper}"


_AGE_ID = re.compile(r"^bev_(?:u(?P<u>\d+)|(?P<lo>\d+)_(?P<hi>\d+)|(?P<plus>\d+)plus)$")


def age_groups(con: duckdb.DuckDBPyConnection) -> list[AgeGroup]:
    """The catalogue's age groups that have male and female counts, youngest first, without overlaps.

    Read from the catalogue (bev_<group>_m / _w) rather than listed here, so a county with other age
    groups still gets its pyramid; overlapping aggregates (e.g. bev_u6 next to bev_u3) are dropped.
    """
    ids = set(_df(con, "SELECT indicator_id FROM indicators")["indicator_id"])
    groups = []
    for base in sorted({i[:-2] for i in ids if i.endswith(("_m", "_w"))}):
        match = _AGE_ID.match(base)
        if not match or f"{base}_m" not in ids or f"{base}_w" not in ids:
            continue
        if match["u"]:
            groups.append(AgeGroup(base, 0, int(match["u"])))
        elif match["plus"]:
            groups.append(AgeGroup(base, int(match["plus"]), None))
        else:
            groups.append(AgeGroup(base, int(match["lo"]), int(match["hi"])))
    chain: list[AgeGroup] = []
    for g in sorted(groups, key=lambda g: (g.lower, g.upper or 999)):
        if not chain or (chain[-1].upper is not None and g.lower >= chain[-1].upper):
            chain.append(g)
    return chain


def age_structure(con: duckdb.DuckDBPyConnection, area_id: str, year: int) -> pd.DataFrame:
    """Men and women per age group (columns group, lower, m, w, reference_date; NaN where withheld), youngest first."""
    groups = age_groups(con)
    ids = [f"{g.base_id}_{s}" for g in groups for s in ("m", "w")]
    sql = """SELECT indicator_id, value, source_id, reference_date FROM observations
             WHERE area_id = ? AND year = ? AND list_contains(?, indicator_id)"""
    found = _df(con, sql, [area_id, year, ids]).set_index("indicator_id")
    rows = [
        {
            "group": g.label,
            "lower": g.lower,
            "m": found["value"].get(f"{g.base_id}_m", float("nan")),
            "w": found["value"].get(f"{g.base_id}_w", float("nan")),
        }
        for g in groups
    ]
    frame = pd.DataFrame(rows, columns=["group", "lower", "m", "w"])
    frame["reference_date"] = found["reference_date"].dropna().min() if not found.empty else pd.NaT
    frame.attrs["source_ids"] = sorted(found["source_id"].dropna().unique())
    return frame


def age_years(con: duckdb.DuckDBPyConnection, area_id: str) -> list[int]:
    groups = age_groups(con)
    return years(con, f"{groups[0].base_id}_m", [area_id]) if groups else []


def sources(con: duckdb.DuckDBPyConnection, source_ids: Iterable[str]) -> pd.DataFrame:
    sql = "SELECT * FROM sources WHERE list_contains(?, source_id) ORDER BY source_id"
    return _df(con, sql, [sorted({s for s in source_ids if isinstance(s, str)})])


def sources_of_kind(con: duckdb.DuckDBPyConnection, kreis_id: str, kind: str) -> list[str]:
    sql = "SELECT source_id FROM sources WHERE kreis_id = ? AND kind = ? ORDER BY source_id"
    return _df(con, sql, [kreis_id, kind])["source_id"].tolist()


def build_facts(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    log = _df(con, "SELECT topic, message FROM build_log WHERE kind = 'info'")
    return dict(zip(log["topic"], log["message"]))


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    return build_facts(con).get("demo", "").strip().lower() in ("true", "1", "ja")


def offers_by_phase(con: duckdb.DuckDBPyConnection, a: Area) -> pd.DataFrame | None:
    """Offers per Lebensphase for an area, next to the Kreis; None when the Kreis has no offer data at all.

    Columns: phase, offers, capacity, capacity_unit_note, offers_per_1000, kreis_per_1000, types
    ('Kita (3), Kindertagespflege (1)'), source_ids (attrs).
    """
    needed = ("offers", "offer_types", "coverage", "lebensphasen")
    if not all(has_table(con, t) for t in needed) or a.kreis_id is None:
        return None
    loaded = con.execute("SELECT count(*) FROM offers WHERE kreis_id = ?", [a.kreis_id]).fetchone()[0]
    if not loaded:
        return None
    cover = _df(
        con,
        """
        SELECT p.phase_id, p.label AS phase, p.position, c.offers, c.capacity, c.offers_per_1000, c.capacity_per_100,
               k.offers_per_1000 AS kreis_per_1000
        FROM lebensphasen p
        LEFT JOIN coverage c ON c.category = p.phase_id AND c.dimension = 'lebensphase' AND c.area_id = ?
        LEFT JOIN coverage k ON k.category = p.phase_id AND k.dimension = 'lebensphase' AND k.area_id = ?
        ORDER BY p.position
        """,
        [a.area_id, a.kreis_id],
    )
    kinds = _df(
        con,
        """
        SELECT phase_id, label, count(*) AS n, list(DISTINCT source_id) AS sources
        FROM (SELECT unnest(t.lebensphasen) AS phase_id, t.label, t.position, o.source_id
              FROM offers o JOIN offer_types t USING (offer_type) WHERE list_contains(?, o.gemeinde_id))
        GROUP BY phase_id, label, position ORDER BY phase_id, position
        """,
        [member_gemeinden(con, a)],
    )
    def most_common(group: pd.DataFrame, shown: int = 4) -> str:
        # a town has dozens of kinds of offers per phase: the four most frequent keep the profile at two pages
        top = group.sort_values("n", ascending=False, kind="stable")
        text = ", ".join(f"{label} ({n})" for label, n in zip(top["label"][:shown], top["n"][:shown]))
        rest = len(top) - shown
        return text + (f" und {rest} weitere Art{'en' if rest > 1 else ''}" if rest > 0 else "")

    types = {phase: most_common(group) for phase, group in kinds.groupby("phase_id")}
    cover["types"] = cover["phase_id"].map(types).fillna("")
    cover["offers"] = cover["offers"].fillna(0).astype(int)
    cover.attrs["source_ids"] = sorted({s for ids in kinds["sources"] for s in ids})
    return cover


def indicator_source_ids(con: duckdb.DuckDBPyConnection, kreis_id: str, indicator_id: str, years: Sequence[int]) -> list[str]:
    """Every source behind an indicator's values in the Kreis (all levels, Kreis, Land and Bund) for the years."""
    sql = """
        SELECT DISTINCT o.source_id FROM observations o JOIN areas a USING (area_id)
        WHERE o.indicator_id = ? AND list_contains(?, o.year) AND o.source_id IS NOT NULL
          AND (a.kreis_id = ? OR list_contains(?, a.area_id))
    """
    return _df(con, sql, [indicator_id, list(years), kreis_id, reference_ids(con, kreis_id)])["source_id"].tolist()

"""The only database reads of the finder: public offers with their public fields, the taxonomy, the Gemeinden.

Rule: what is not selected here cannot reach the site. The offer query names every column it reads
(PUBLIC_OFFER_COLUMNS) and keeps only offers with ``oeffentlich`` true that are valid on the day of the build
(``gueltig_bis`` not passed). Capacity, the internal contact, source row and list, and every planning table
(coverage, access, observations, import report) are never read.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from etl.db import connect
from finder.settings import FinderError

# Everything the finder may publish about an offer. Adding a column here publishes it: check it is meant for families.
PUBLIC_OFFER_COLUMNS = (
    "name", "offer_type", "traeger", "address", "alter_von", "alter_bis", "gueltig_ab", "gueltig_bis", "lon", "lat",
    "gemeinde_id", "kontakt", "telefon", "email", "webseite", "zeiten", "kosten", "sprachen", "barrierefrei",
    "beschreibung",
)  # fmt: skip
SIMPLIFIED_SUFFIX = " (Daten verändert)"  # the outlines are simplified


@dataclass
class FinderData:
    kreis: str
    kreis_name: str
    demo: bool
    offers: pd.DataFrame  # PUBLIC_OFFER_COLUMNS + stand (the list's Datenstand)
    offer_types: pd.DataFrame  # offer_type, label, lebensphasen (list), position
    lebensphasen: pd.DataFrame  # phase_id, label, position
    gemeinden: gpd.GeoDataFrame  # area_id, name, parent_name, geometry (EPSG:4326, display)
    kreis_shape: gpd.GeoDataFrame  # the Kreis (EPSG:4326, display)
    boundary_attribution: str
    offer_attributions: list[str]  # of the lists with public offers (publisher lines, no file names)


def read_finder_data(db: Path, kreis: str, today: date | None = None) -> FinderData:
    """The public view of one Kreis in a built database; FinderError when the Kreis or the public columns are missing."""
    if not Path(db).is_file():
        raise FinderError(f"Datenbank {db} nicht gefunden (erst bauen: python -m etl build --config … --out {db})")
    con = connect(db, read_only=True)
    try:
        return _read(con, kreis, today or date.today())
    finally:
        con.close()


def _read(con: duckdb.DuckDBPyConnection, kreis: str, today: date) -> FinderData:
    kreis_row = con.execute("SELECT name FROM areas WHERE area_id = ? AND level = 'kreis'", [kreis]).fetchone()
    if kreis_row is None:
        known = [f"{a} {n}" for a, n in con.execute("SELECT area_id, name FROM areas WHERE level = 'kreis' ORDER BY area_id").fetchall()]
        raise FinderError(f"Kreis {kreis} ist nicht in der Datenbank (enthalten: {', '.join(known) or 'keiner'})")
    present = {r[0] for r in con.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'offers'").fetchall()}
    missing = [c for c in (*PUBLIC_OFFER_COLUMNS, "oeffentlich") if c not in present]
    if missing:
        raise FinderError("Die Datenbank wurde vor dem Familienwegweiser gebaut (Spalten fehlen: " + ", ".join(missing)
                          + "); bitte mit python -m etl build neu bauen.")  # fmt: skip
    columns = ", ".join(f"o.{c}" for c in PUBLIC_OFFER_COLUMNS)
    offers = con.execute(
        f"""SELECT {columns}, s.stand FROM offers o LEFT JOIN sources s USING (source_id)
            WHERE o.kreis_id = ? AND o.oeffentlich ORDER BY o.name, o.address""",
        [kreis],
    ).df()  # fmt: skip
    valid = pd.Series([still_valid(v, today) for v in offers["gueltig_bis"]], index=offers.index, dtype=bool)
    offers = offers[valid].reset_index(drop=True)
    offer_types = con.execute("SELECT offer_type, label, lebensphasen, position FROM offer_types ORDER BY position").df()
    offer_types["lebensphasen"] = offer_types["lebensphasen"].map(list)
    phases = con.execute("SELECT phase_id, label, position FROM lebensphasen ORDER BY position").df()
    gemeinden = _shapes(con, """SELECT a.area_id, a.name, p.name AS parent_name, ST_AsWKB(a.geom_display) AS wkb
                                FROM areas a LEFT JOIN areas p ON p.area_id = a.parent_id
                                WHERE a.kreis_id = ? AND a.level = 'gemeinde' ORDER BY a.area_id""", kreis)  # fmt: skip
    kreis_shape = _shapes(con, "SELECT area_id, name, ST_AsWKB(geom_display) AS wkb FROM areas WHERE area_id = ? AND level = 'kreis'", kreis)
    demo = con.execute("SELECT count(*) FROM build_log WHERE topic = 'demo' AND message = 'true'").fetchone()[0] > 0
    sources = con.execute("SELECT kind, attribution, source_id FROM sources WHERE kreis_id = ? ORDER BY source_id", [kreis]).df()
    boundary = sources.loc[sources["kind"] == "boundaries", "attribution"]
    boundary_text = boundary.iloc[0] if not boundary.empty else ""
    public_lists = con.execute("SELECT DISTINCT source_id FROM offers WHERE kreis_id = ? AND oeffentlich", [kreis]).df()["source_id"]
    attributions = sources.loc[sources["source_id"].isin(public_lists), "attribution"].dropna().drop_duplicates().tolist()
    return FinderData(
        kreis=kreis,
        kreis_name=kreis_row[0],
        demo=demo,
        offers=offers,
        offer_types=offer_types,
        lebensphasen=phases,
        gemeinden=gemeinden,
        kreis_shape=kreis_shape,
        boundary_attribution=boundary_text + SIMPLIFIED_SUFFIX if boundary_text.startswith("©") else boundary_text,
        offer_attributions=attributions,
    )


def _shapes(con: duckdb.DuckDBPyConnection, sql: str, kreis: str) -> gpd.GeoDataFrame:
    frame = con.execute(sql, [kreis]).df()
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")


def still_valid(until: object, today: date) -> bool:
    """An offer whose 'gültig bis' (ISO or German date) lies before the day of the build is over; an unreadable or
    empty date keeps the offer (the list did not say it ended)."""
    text = str(until or "").strip()[:10]
    try:
        end = date.fromisoformat(text) if "-" in text else None
    except ValueError:
        end = None
    german = _GERMAN_DATE.fullmatch(text)
    if end is None and german:
        try:
            end = date(int(german[3]), int(german[2]), int(german[1]))
        except ValueError:
            end = None
    return end is None or end >= today

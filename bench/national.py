"""Synthetic national sources for the benchmark: population by age group and an offer list for every Gemeinde.

The boundaries are real (BKG VG5000, read from the boundaries-only national build); the population and the offers
are invented, deterministic, and written in the formats of the real sources (GENESIS 12411-02-03-5 and the
"planungsatlas" offer list), so the national build runs the same readers, checks and transforms as a county build.
They live in a temporary folder of the benchmark and are never committed.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np

from etl.db import connect
from etl.demo.county import County, Gemeinde
from etl.demo.offer_maker import COLUMNS as OFFER_COLUMNS
from etl.demo.population import AGE_GROUPS, BASE_AGE_WEIGHTS, MALE_SHARE, YEARS, age_table_csv
from etl.offers_taxonomy import offer_types

SEED = 20261121
TABLE_YEARS = (2022, 2023)
OFFERS_PER_1000 = 0.6  # ~50,000 offers for 83 million people: the order of magnitude of Kitas, schools and services


def _gemeinden(boundaries_db: Path) -> gpd.GeoDataFrame:
    con = connect(boundaries_db, read_only=True)
    try:
        frame = con.execute(
            "SELECT area_id, name, bez, ars, ST_AsWKB(geom_display) AS wkb FROM areas WHERE level = 'gemeinde' ORDER BY area_id"
        ).df()
    finally:
        con.close()
    geometry = gpd.GeoSeries.from_wkb(frame.pop("wkb").map(bytes), crs="EPSG:4326")
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:4326")


def _population(n: int, rng: np.random.Generator) -> np.ndarray:
    """Counts [gemeinde, year, sex, age group] around a log-normal size (median 1,800, a few big cities)."""
    totals = np.exp(rng.normal(np.log(1_800), 1.3, n)).clip(20, 3_700_000)
    shares = BASE_AGE_WEIGHTS * np.exp(rng.normal(0, 0.08, (n, len(AGE_GROUPS))))
    shares /= shares.sum(axis=1, keepdims=True)
    drift = np.exp((np.array(YEARS) - YEARS[-1])[None, :, None] * rng.normal(0, 0.005, (n, 1, 1)))
    expected = totals[:, None, None] * shares[:, None, :] * drift
    return np.rint(np.stack([expected * MALE_SHARE, expected * (1 - MALE_SHARE)], axis=2)).astype(np.int64)


def _offer_rows(gemeinden: gpd.GeoDataFrame, people: np.ndarray, rng: np.random.Generator) -> list[list[str]]:
    """Offers spread over the Gemeinden in proportion to their population, at random points inside them."""
    types = offer_types()
    expected = people / 1000 * OFFERS_PER_1000
    per_gemeinde = rng.poisson(expected) + (rng.random(len(people)) < 0.3)  # villages get an offer now and then
    points = gemeinden.geometry.sample_points(per_gemeinde.clip(min=0), rng=rng)
    rows = []
    for (ags, name), multipoint, count in zip(zip(gemeinden["area_id"], gemeinden["name"]), points, per_gemeinde):
        if count == 0 or multipoint is None or multipoint.is_empty:
            continue
        for point in getattr(multipoint, "geoms", [multipoint]):
            offer_type = types.iloc[rng.integers(len(types))]
            capacity = str(int(rng.integers(20, 120))) if isinstance(offer_type["capacity_unit"], str) else ""
            rows.append([
                f"N{len(rows) + 1}", f"{offer_type['label']} {name} {len(rows) + 1}", offer_type["label"],
                "Synthetischer Träger", f"Musterweg {len(rows) % 200 + 1}", "", name, ags,
                f"{point.x:.6f}".replace(".", ","), f"{point.y:.6f}".replace(".", ","), capacity, "", "", "2024-01-01", "",
            ])  # fmt: skip
    return rows


def write_national_sources(boundaries_db: Path, folder: Path, boundaries_config: Path) -> tuple[Path, dict[str, int]]:
    """Write the synthetic tables, the offer list and a config (scope DE) next to them; returns the config and counts."""
    rng = np.random.default_rng(SEED)
    gemeinden = _gemeinden(boundaries_db)
    counts = _population(len(gemeinden), rng)
    county = County(
        gemeinden=[Gemeinde(ars, name, bez or "Gemeinde", "", None) for ars, name, bez in zip(gemeinden["ars"], gemeinden["name"], gemeinden["bez"])],
        verbaende=[], geometry=None, profiles={}, total_row=None,
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    tables = []
    for year in TABLE_YEARS:
        path = folder / f"12411-02-03-5_{year}_deutschland_synthetisch.csv"
        path.write_text(age_table_csv(county, counts, year), encoding="utf-8")
        tables.append(path)
    offers = _offer_rows(gemeinden, counts[:, -1].sum(axis=(1, 2)).astype(float), rng)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerows([OFFER_COLUMNS, *offers])
    offer_list = folder / "angebote_deutschland_synthetisch.csv"
    offer_list.write_bytes("\ufeff".encode() + buffer.getvalue().encode("utf-8"))
    config = folder / "de_synthetisch.toml"
    config.write_text(
        boundaries_config.read_text(encoding="utf-8")
        + "".join(f'\n[[statistics]]\ntable = "12411-02-03-5"\npath = "{p}"\n' for p in tables)
        + f'\n[[offers]]\nformat = "planungsatlas"\npath = "{offer_list}"\nstand = "2024-01-01"\n',
        encoding="utf-8",
    )
    return config, {"gemeinden": len(gemeinden), "offers": len(offers), "years": len(TABLE_YEARS)}

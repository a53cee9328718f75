"""Decisions (issue 13): capacity-weighted accessibility, suggested locations, projection, scenario recomputation.

    .venv/bin/python bench/decisions.py [--four-db PATH] [--county-db PATH] [--only-suggestions] [--rounds 5]

Builds the demo database and – with real data present – one database of the four real counties (Düren,
Siegen-Wittgenstein, Werra-Meißner, Trier-Saarburg) in a temporary folder (``--four-db`` uses a built one), then:
- 2SFCA, four counties: every population point of the four counties as one demand set (ids made unique per Kreis)
  and every Grundschule (the real lists hold schools only), 5 km; ``planning.accessibility.capacity_access``
  (PySAL access), median of the rounds; the demo county's lattice (~5,000 points, Kitas) as a second line.
- Suggested sites: k = 5 over 2,000 candidates in the demo county (Gemeinde centres, schools, and lattice points
  drawn with a fixed seed to fill up to 2,000), Familienzentren, 2 km; and the four counties' own candidates
  (Gemeinde centres and schools) for Grundschulen, 2 km. ``suggest_sites`` from the points in memory.
  p-median (``suggest_p_median``, kürzeste mittlere Wege) on the demo's instance. ``--county-db PATH`` adds MCLP
  and p-median for a built county database (2,000 candidates filled with random points inside the Gemeinden);
  ``--only-suggestions`` runs only the suggestion lines.
- Projection of a county: ``county_projection`` for the demo county (Hamilton–Perry, 5 base periods for the range),
  first call (database read included) and median of warm calls.
- Scenario recomputation: ``scenarios.compare`` for the demo county after one added Kita (a new scenario each round,
  so nothing is cached): offers, places per 100 and 2SFCA before/after per Gemeinde.
Prints `name | target | value | ok` like bench/run.py; a missed target does not change the exit code.
"""
from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import pandas as pd  # noqa: E402

from bench.run import Line, print_table, real_data_missing  # noqa: E402

CONFIGS = ["05358_dueren", "05970_siegen-wittgenstein", "06636_werra-meissner", "07235_trier-saarburg"]
ACCESS_TARGET_S, SITES_TARGET_S, PROJECTION_TARGET_S, SCENARIO_TARGET_S = 1.0, 10.0, 2.0, 1.0
CANDIDATES = 2000


def timed(func: Callable[[], object], rounds: int) -> tuple[float, float, object]:
    """(first call, median of the further rounds, last result) in seconds."""
    start = time.perf_counter()
    result = func()
    first = time.perf_counter() - start
    times = []
    for _ in range(max(rounds - 1, 1)):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return first, statistics.median(times), result


def build(configs: list[str], out: Path) -> Path:
    args = [sys.executable, "-m", "etl", "build", *[a for c in configs for a in ("--config", f"config/{c}.toml")], "--out", str(out)]
    subprocess.run(args, cwd=REPO_ROOT, check=True, capture_output=True)
    return out


def database(path: Path):
    from planning.db import Database

    return Database(str(path), path.stat().st_mtime)


def line(name: str, target_s: float, seconds: float, detail: str, data: dict | None = None) -> Line:
    return Line(name, f"≤ {target_s:g} s", f"{seconds * 1000:.0f} ms ({detail})", seconds <= target_s, data or {})


def four_counties(db, rounds: int) -> list[Line]:
    from planning import accessibility as acc
    from planning import locations as loc
    from planning import queries

    demand, offers, candidates = [], [], []
    for kreis in queries.counties(db)["area_id"]:
        points, _ = acc.demand_points(db, kreis, "grundschule")
        demand.append(points.assign(point_id=kreis + ":" + points["point_id"].astype(str)))
        placed = acc.metric_offers(queries.offers(db, kreis))
        offers.append(placed)
        candidates.append(loc.candidate_sites(queries.gemeinde_geometry(db, kreis), placed, "grundschule"))
    demand, offers, candidates = (pd.concat(f, ignore_index=True) for f in (demand, offers, candidates))
    schools = offers[offers["offer_type"] == "grundschule"]
    params = acc.AccessParams(acc.TWO_STEP, 5000)
    _, warm, _ = timed(lambda: acc.capacity_access(demand, schools, params), rounds)
    lines = [line("2SFCA, four counties, all population points", ACCESS_TARGET_S, warm,
                  f"{len(demand):,} points, {len(schools)} Grundschulen, 5 km")]  # fmt: skip
    first, _, result = timed(lambda: loc.suggest_sites(demand, candidates, schools, 5, 2000.0), 1)
    lines.append(line("suggested sites k=5, four counties", SITES_TARGET_S, first,
                      f"{len(candidates):,} candidates, {len(demand):,} points, gain {result.covered_after - result.covered_before:,.0f}"))  # fmt: skip
    return lines


def demo_suggestions(db) -> list[Line]:
    """MCLP and p-median, k = 5 over 2,000 candidates in the demo county (Gemeinde centres, schools, lattice
    points drawn with a fixed seed), Familienzentren, 2 km."""
    from planning import accessibility as acc
    from planning import locations as loc
    from planning import queries

    kreis = "99001"
    offers = acc.metric_offers(queries.offers(db, kreis))
    family, _ = acc.demand_points(db, kreis, "familienzentrum")
    base = loc.candidate_sites(queries.gemeinde_geometry(db, kreis), offers, "familienzentrum")
    fill = family.sample(CANDIDATES - len(base), random_state=13)
    extra = pd.DataFrame({"candidate_id": "punkt:" + fill["point_id"].astype(str), "label": "Wohnort", "kind": "Gitterpunkt",
                          "x": fill["x"].to_numpy(), "y": fill["y"].to_numpy()})  # fmt: skip
    candidates = pd.concat([base, extra], ignore_index=True)
    existing = offers[offers["offer_type"] == "familienzentrum"]
    first, _, result = timed(lambda: loc.suggest_sites(family, candidates, existing, 5, 2000.0), 1)
    lines = [line("suggested sites k=5, 2,000 candidates (demo)", SITES_TARGET_S, first,
                  f"{len(family):,} points, gain {result.covered_after - result.covered_before:,.0f}")]  # fmt: skip
    lines.append(p_median_line("suggested sites p-median k=5, 2,000 candidates (demo)", family, candidates, existing))
    return lines


def demo_county(db, rounds: int) -> list[Line]:
    from planning import accessibility as acc
    from planning import locations as loc
    from planning import projection as pr
    from planning import queries
    from planning import scenarios as sc

    kreis = "99001"
    demand, _ = acc.demand_points(db, kreis, "kita")
    offers = acc.metric_offers(queries.offers(db, kreis))
    kitas = offers[offers["offer_type"] == "kita"]
    _, warm, _ = timed(lambda: acc.capacity_access(demand, kitas, acc.AccessParams(acc.TWO_STEP, 5000)), rounds)
    lines = [line("2SFCA, demo county lattice", ACCESS_TARGET_S, warm, f"{len(demand):,} points, {len(kitas)} Kitas, 5 km")]
    _, warm_e2, _ = timed(lambda: acc.capacity_access(demand, kitas, acc.AccessParams(acc.ENHANCED, 5000)), rounds)
    lines.append(line("E2SFCA, demo county lattice", ACCESS_TARGET_S, warm_e2, f"{len(demand):,} points, steps 1/0,68/0,22"))

    lines += demo_suggestions(db)

    first, warm, projection = timed(lambda: pr.county_projection(db, kreis, years=[2028, 2033]), rounds)
    lines.append(line("projection of a county (demo)", PROJECTION_TARGET_S, first,
                      f"first call; warm {warm * 1000:.0f} ms; {len(projection.values):,} rows, bases {projection.base} + {len(projection.alternative_bases)}"))  # fmt: skip

    gemeinden = queries.gemeinde_geometry(db, kreis)
    counter = iter(range(10_000))

    def one_change() -> sc.Comparison:
        n = next(counter)
        lon, lat = sc.gemeinde_place(gemeinden, gemeinden["area_id"].iloc[n % len(gemeinden)])
        return sc.compare(db, kreis, sc.Scenario(f"bench {n}", kreis, (sc.Change(sc.ADD, f"neu-{n}", "kita", "", lon, lat, 60.0),)), "kita")

    first, warm, _ = timed(one_change, rounds)
    lines.append(line("scenario recomputation after one change (demo)", SCENARIO_TARGET_S, warm, f"first {first * 1000:.0f} ms"))
    return lines


def p_median_line(name: str, demand: pd.DataFrame, candidates: pd.DataFrame, existing: pd.DataFrame) -> Line:
    """p-median (kürzeste mittlere Wege) for the same instance as an MCLP line: one run, model build + solve."""
    from planning import locations as loc

    first, _, result = timed(lambda: loc.suggest_p_median(demand, candidates, existing, 5, 2000.0), 1)
    before = "none" if result.mean_before_km is None else f"{result.mean_before_km:.2f}"
    units = re.match(r"([\d.]+) Einheiten \(([\d,]+)-km", result.units_text)
    return line(name, SITES_TARGET_S, first, f"{len(candidates):,} candidates, {units[1]} demand units of {units[2]} km squares, "
                f"mean way {before} → {result.mean_after_km:.2f} km")  # fmt: skip


def random_candidates(db, kreis: str, base: pd.DataFrame, total: int) -> pd.DataFrame:
    """``base`` filled up to ``total`` with points drawn uniformly inside the Kreis's Gemeinden (fixed seed)."""
    import numpy as np
    import shapely

    from planning import queries

    union = queries.gemeinde_geometry(db, kreis).union_all()
    rng, (minx, miny, maxx, maxy), xs, ys = np.random.default_rng(13), union.bounds, [], []
    while len(xs) < total - len(base):
        x, y = rng.uniform(minx, maxx, 4000), rng.uniform(miny, maxy, 4000)
        inside = shapely.contains_xy(union, x, y)
        xs, ys = xs + list(x[inside]), ys + list(y[inside])
    n = total - len(base)
    extra = pd.DataFrame({"candidate_id": [f"punkt:{i}" for i in range(n)], "label": "Zufallspunkt", "kind": "Zufallspunkt",
                          "x": xs[:n], "y": ys[:n]})  # fmt: skip
    return pd.concat([base, extra], ignore_index=True)


def county_suggestions(db) -> list[Line]:
    """MCLP and p-median, k = 5 over 2,000 candidates (Gemeinde centres, schools, random points inside the
    Gemeinden) of the database's first Kreis: Grundschulen (existing offers) and Familienzentren (none in the real
    lists: the p-median's largest model), 2 km."""
    from planning import accessibility as acc
    from planning import locations as loc
    from planning import queries

    kreis = queries.counties(db)["area_id"].iloc[0]
    offers = acc.metric_offers(queries.offers(db, kreis))
    lines = []
    for offer_type in ("grundschule", "familienzentrum"):
        demand, _ = acc.demand_points(db, kreis, offer_type)
        base = loc.candidate_sites(queries.gemeinde_geometry(db, kreis), offers, offer_type)
        candidates = random_candidates(db, kreis, base, CANDIDATES)
        existing = offers[offers["offer_type"] == offer_type]
        first, _, result = timed(lambda: loc.suggest_sites(demand, candidates, existing, 5, 2000.0), 1)
        lines.append(line(f"suggested sites MCLP k=5, 2,000 candidates ({kreis}, {offer_type})", SITES_TARGET_S, first,
                          f"{len(demand):,} points, {len(existing)} existing, gain {result.covered_after - result.covered_before:,.0f}"))  # fmt: skip
        lines.append(p_median_line(f"suggested sites p-median k=5, 2,000 candidates ({kreis}, {offer_type})", demand, candidates, existing))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--four-db", type=Path, help="a built database of the four real counties")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--county-db", type=Path, help="a built county database (read only) for the suggestion lines only")
    parser.add_argument("--only-suggestions", action="store_true", help="the demo's suggestion lines (and --county-db's), nothing else")
    args = parser.parse_args()
    if args.only_suggestions:
        with tempfile.TemporaryDirectory() as tmp:
            db = database(build(["demo_musterland"], Path(tmp) / "demo.duckdb"))
            lines = demo_suggestions(db) + (county_suggestions(database(args.county_db)) if args.county_db else [])
        print_table(lines)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        lines = demo_county(database(build(["demo_musterland"], Path(tmp) / "demo.duckdb")), args.rounds)
        if args.county_db:
            lines += county_suggestions(database(args.county_db))
        missing = next((m for c in CONFIGS if (m := real_data_missing(REPO_ROOT / "config" / f"{c}.toml"))), None)
        if args.four_db:
            lines += four_counties(database(args.four_db), args.rounds)
        elif missing:
            lines.append(Line("four counties", "–", f"skipped: {missing}", None))
        else:
            lines += four_counties(database(build(CONFIGS, Path(tmp) / "four.duckdb")), args.rounds)
    print_table(lines)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Decisions (issue 13): capacity-weighted accessibility, suggested locations, projection, scenario recomputation.

    .venv/bin/python bench/decisions.py [--four-db PATH] [--rounds 5]

Builds the demo database and – with real data present – one database of the four real counties (Düren,
Siegen-Wittgenstein, Werra-Meißner, Trier-Saarburg) in a temporary folder (``--four-db`` uses a built one), then:
- 2SFCA, four counties: every population point of the four counties as one demand set (ids made unique per Kreis)
  and every Grundschule (the real lists hold schools only), 5 km; ``planning.accessibility.capacity_access``
  (PySAL access), median of the rounds; the demo county's lattice (~5,000 points, Kitas) as a second line.
- Suggested sites: k = 5 over 2,000 candidates in the demo county (Gemeinde centres, schools, and lattice points
  drawn with a fixed seed to fill up to 2,000), Familienzentren, 2 km; and the four counties' own candidates
  (Gemeinde centres and schools) for Grundschulen, 2 km. ``suggest_sites`` from the points in memory.
- Projection of a county: ``county_projection`` for the demo county (Hamilton–Perry, 5 base periods for the range),
  first call (database read included) and median of warm calls.
- Scenario recomputation: ``scenarios.compare`` for the demo county after one added Kita (a new scenario each round,
  so nothing is cached): offers, places per 100 and 2SFCA before/after per Gemeinde.
Prints `name | target | value | ok` like bench/run.py; a missed target does not change the exit code.
"""
from __future__ import annotations

import argparse
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

    family, _ = acc.demand_points(db, kreis, "familienzentrum")
    base = loc.candidate_sites(queries.gemeinde_geometry(db, kreis), offers, "familienzentrum")
    fill = family.sample(CANDIDATES - len(base), random_state=13)
    extra = pd.DataFrame({"candidate_id": "punkt:" + fill["point_id"].astype(str), "label": "Wohnort", "kind": "Gitterpunkt",
                          "x": fill["x"].to_numpy(), "y": fill["y"].to_numpy()})  # fmt: skip
    candidates = pd.concat([base, extra], ignore_index=True)
    existing = offers[offers["offer_type"] == "familienzentrum"]
    first, _, result = timed(lambda: loc.suggest_sites(family, candidates, existing, 5, 2000.0), 1)
    lines.append(line("suggested sites k=5, 2,000 candidates (demo)", SITES_TARGET_S, first,
                      f"{len(family):,} points, gain {result.covered_after - result.covered_before:,.0f}"))  # fmt: skip

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--four-db", type=Path, help="a built database of the four real counties")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lines = demo_county(database(build(["demo_musterland"], Path(tmp) / "demo.duckdb")), args.rounds)
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

"""Every Kreis of the BKG VG5000 release built by its key, as a new user would: `python -m etl build --kreis <AGS>`.

For each of the 401 Kreise the build runs in this process (one after the other, pinned to one core), then the
database's Kreis population per year is compared with the published Kreis totals of the national tables
(12411-01-01-5: 31.12.2008–2015, 12411-01-01-4: 2015, 12411-02-03-5-B: 2018): a year reproduces when the built value
equals the total as printed (to rounding), or – where BBSR's Kreis Umsteigeschlüssel says the Kreis's territory
changed between that year and 31.12.2020 – the printed totals converted with it (to 0.5 %). Both references are in
the table (GENESIS sometimes prints a year already on the next year's Gebietsstand, BBSR on that year's). The table goes to bench/results/all_kreise.csv
(German CSV), and one summary line to stdout. Also measured: `python -m etl build --kreis 07232` as a subprocess,
three times (the time a user waits, interpreter start included).

    .venv/bin/python bench/all_kreise.py                 # all 401 Kreise, about 15 minutes
    .venv/bin/python bench/all_kreise.py --kreis 07232 16077 11000
    .venv/bin/python bench/all_kreise.py --limit 20
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
if hasattr(os, "sched_setaffinity"):  # one core: the machine is shared, and a build is single-threaded anyway
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

import pandas as pd  # noqa: E402
import pyogrio  # noqa: E402

from etl.build import build  # noqa: E402
from etl.config import shared_data_root  # noqa: E402
from etl.db import connect  # noqa: E402
from etl.errors import EtlError  # noqa: E402
from etl.kreis_config import BOUNDARIES, VINTAGE, kreis_config  # noqa: E402
from etl.sources.bkg import _shapefile_layers  # noqa: E402
from etl.sources.genesis import read_genesis  # noqa: E402
from etl.spreadsheet import csv_frame  # noqa: E402
from etl.territory import gebietsstand_year, load_crosswalk  # noqa: E402

PUBLISHED = {  # table -> file below the data root: Kreis rows of bev_insgesamt
    "12411-01-01-5": "statistics/population_regionalstatistik/full_original/12411-01-01-5_00.csv",
    "12411-01-01-4": "statistics/population_regionalstatistik/full_original/12411-01-01-4.csv",
    "12411-02-03-5-B": "statistics/population_regionalstatistik/full_original/Altersstruktur 2018 Kreisebene 12411-02-03-5-B.csv",
}
EXACT = 0.5  # persons: an unchanged Kreis must match to rounding
CONVERTED = 0.005  # share: a converted published total (BBSR shares of whole Kreise) to 0.5 %
OUT = REPO_ROOT / "bench" / "results" / "all_kreise.csv"


def kreise(data_root: Path) -> pd.DataFrame:
    layers = _shapefile_layers(data_root / BOUNDARIES)
    frame = pyogrio.read_dataframe(layers["KRS"], read_geometry=False, columns=["AGS", "GEN"]).drop_duplicates("AGS")
    return frame.sort_values("AGS").rename(columns={"AGS": "kreis", "GEN": "name"}).reset_index(drop=True)


def published_totals(data_root: Path) -> pd.Series:
    """Published bev_insgesamt per (Kreis key as printed, year); Berlin and Hamburg from their Land row."""
    rows = []
    for table, path in PUBLISHED.items():
        records = read_genesis(data_root / path, table, "").records
        records = records[(records["indicator_id"] == "bev_insgesamt") & (records["status"] == "ok")]
        kreis = records[records["level"] == "kreis"]
        city_states = records[(records["level"] == "land") & records["area_id"].isin(["02", "11"])]
        city_states = city_states.assign(area_id=city_states["area_id"] + "000")
        rows.append(pd.concat([kreis, city_states])[["area_id", "year", "value"]])
    both = pd.concat(rows).drop_duplicates(["area_id", "year"])
    return both.set_index(["area_id", "year"])["value"]


def expected_totals(published: pd.Series, data_root: Path) -> pd.DataFrame:
    """Per (Kreis of 2020, year): the published total, converted where the territory changed (and whether it was)."""
    links = load_crosswalk(data_root, gebietsstand_year(VINTAGE)).kreis
    years = sorted(published.index.get_level_values("year").unique())
    links = links[links["year"].isin(years)]
    joined = links.merge(published.rename("value").reset_index(), left_on=["old", "year"], right_on=["area_id", "year"], how="left")
    joined["part"] = joined["value"] * joined["pop"]
    joined["same"] = (joined["old"] == joined["new"]) & (joined["pop"] >= 0.9995)
    grouped = joined.groupby(["new", "year"]).agg(
        expected=("part", lambda s: s.sum(min_count=len(s))), parts=("old", "size"), same=("same", "all")
    ).reset_index()
    grouped["converted"] = ~((grouped["parts"] == 1) & grouped["same"])
    grouped["as_printed"] = grouped.set_index(["new", "year"]).index.map(published.get)
    return grouped.rename(columns={"new": "kreis"})[["kreis", "year", "expected", "converted", "as_printed"]]


def built_totals(db: Path, kreis: str) -> pd.DataFrame:
    con = connect(db, read_only=True)
    try:
        return con.execute(
            "SELECT year, value, status FROM observations WHERE area_id = ? AND indicator_id = 'bev_insgesamt' ORDER BY year", [kreis]
        ).df()
    finally:
        con.close()


def one_kreis(kreis: str, work: Path) -> dict:
    folder = work / kreis
    folder.mkdir()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        summary = build([kreis_config(kreis, folder)], folder / f"{kreis}.duckdb", say=lambda _msg: None)
    except EtlError as exc:
        return {"result": "FEHLER: " + " | ".join(str(exc).splitlines()), "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu}  # fmt: skip
    except Exception as exc:  # a bug: keep going, report it
        return {"result": f"ABBRUCH: {type(exc).__name__}: {exc} @ {traceback.extract_tb(exc.__traceback__)[-1]}",
                "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu}  # fmt: skip
    kinds = Counter(f.kind for f in summary.findings)
    return {
        "result": "gebaut", "seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "db": folder / f"{kreis}.duckdb",
        "warnings": len(summary.findings), "warning_kinds": ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
    }  # fmt: skip


def compare(built: pd.DataFrame, expected: pd.DataFrame) -> tuple[dict, list[str], int]:
    """Columns per year, the years that do not reproduce (why), and how many years were compared."""
    columns, misses, compared = {}, [], 0
    by_year = built.set_index("year")
    for row in expected.itertuples():
        year = int(row.year)
        value = by_year["value"].get(year)
        status = by_year["status"].get(year, "absent")
        columns[f"gebaut_{year}"] = value
        columns[f"veroeffentlicht_{year}"] = row.as_printed
        columns[f"umgerechnet_{year}"] = row.expected if row.converted else None
        if pd.isna(row.expected) and pd.isna(row.as_printed):
            continue
        compared += 1
        if pd.isna(value):
            misses.append(f"{year}: kein Wert ({status})")
            continue
        as_printed = not pd.isna(row.as_printed) and abs(value - row.as_printed) <= EXACT
        converted = row.converted and not pd.isna(row.expected) and abs(value - row.expected) <= max(EXACT, CONVERTED * row.expected)
        if not (as_printed or converted):
            reference = f"{row.as_printed:,.0f} veröffentlicht" + (f", {row.expected:,.0f} umgerechnet" if row.converted else "")
            misses.append(f"{year}: {value:,.0f} statt {reference}")
    return columns, misses, compared


def cli_seconds(kreis: str, runs: int = 3) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "etl", "build", "--kreis", kreis, "--out", f"{folder}/k.duckdb", "--quiet"],
                           cwd=REPO_ROOT, check=True, capture_output=True)  # fmt: skip
            times.append(time.perf_counter() - started)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kreis", nargs="*", help="only these Kreise")
    parser.add_argument("--limit", type=int, help="only the first N Kreise")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--skip-cli", action="store_true", help="without the three subprocess builds of 07232")
    args = parser.parse_args(argv)
    data_root = shared_data_root()
    if not (data_root / BOUNDARIES).exists():
        print(f"skipped: real data absent ({data_root})")
        return 0
    cli = [] if args.skip_cli else cli_seconds("07232")
    all_kreise = kreise(data_root)
    if args.kreis:
        all_kreise = all_kreise[all_kreise["kreis"].isin(args.kreis)]
    if args.limit:
        all_kreise = all_kreise.head(args.limit)
    expected = expected_totals(published_totals(data_root), data_root)
    rows = []
    started, cpu_started = time.perf_counter(), time.process_time()
    with tempfile.TemporaryDirectory(prefix="all-kreise-") as work:
        for kreis, name in zip(all_kreise["kreis"], all_kreise["name"]):
            run = one_kreis(kreis, Path(work))
            row = {"kreis": kreis, "name": name, "ergebnis": run["result"], "sekunden": round(run["seconds"], 2), "cpu_sekunden": round(run["cpu"], 2),
                   "warnungen": run.get("warnings"), "warnungsarten": run.get("warning_kinds", "")}  # fmt: skip
            mine = expected[expected["kreis"] == kreis]
            if "db" in run:
                columns, misses, compared = compare(built_totals(run["db"], kreis), mine)
                row |= {"jahre_verglichen": compared, "reproduziert": "ja" if compared and not misses else ("–" if not compared else "nein"),
                        "abweichungen": "; ".join(misses)} | columns  # fmt: skip
                run["db"].unlink()
            rows.append(row)
            print(f"{kreis} {name[:30]:30} {row['ergebnis'][:60]:60} {row['sekunden']:6.2f} s {row.get('reproduziert', '')}", flush=True)
    total, cpu_total = time.perf_counter() - started, time.process_time() - cpu_started
    table = pd.DataFrame(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    csv_frame(table).to_csv(args.out, sep=";", index=False, encoding="utf-8-sig", decimal=",")
    built = table["ergebnis"] == "gebaut"
    seconds, cpu = table.loc[built, "sekunden"], table.loc[built, "cpu_sekunden"]
    median = statistics.median(seconds) if len(seconds) else float("nan")
    print(
        f"{len(table)} Kreise: {built.sum()} gebaut, {(table.get('reproduziert') == 'ja').sum()} reproduzieren die "
        f"veröffentlichten Kreissummen ({(table.get('reproduziert') == 'nein').sum()} nicht); je Kreis im Prozess Median "
        f"{median:.2f} s (CPU {statistics.median(cpu) if len(cpu) else float('nan'):.2f} s), Maximum "
        f"{seconds.max() if len(seconds) else float('nan'):.2f} s; alle {total / 60:.1f} min (CPU {cpu_total / 60:.1f} min)"
        + (f"; python -m etl build --kreis 07232: {', '.join(f'{t:.1f}' for t in cli)} s" if cli else "")
        + f" – Tabelle: {args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

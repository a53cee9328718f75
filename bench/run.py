"""Performance benchmark of Planungsatlas Familie: ETL builds, national boundaries, map page, payload, browser.

    .venv/bin/python bench/run.py [--skip-browser] [--out bench/results/latest.json]
    .venv/bin/python bench/run.py --only-browser   # demo and Trier-Saarburg in Chromium only (a quick before/after)

Builds and server-side page runs each happen in their own subprocess (wall time and peak RSS via os.wait4), so
one measurement's imports and caches cannot flatter the next. Targets and method: bench/README.md.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
from bench.exports import export_lines, exports_worker  # noqa: E402
from bench.pages import page_files, page_worker  # noqa: E402
from etl.config import load_config, shared_data_root  # noqa: E402  (light: no geo stack imported)

DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
TRIER_SAARBURG_CONFIG = REPO_ROOT / "config" / "07235_trier-saarburg.toml"  # issue 11: control change → map ≤ 1 s here
NATIONAL_CONFIG = REPO_ROOT / "config" / "de_vg5000_boundaries.toml"  # all of Germany, boundaries only
BUILD_TARGET_S, NATIONAL_TARGET_S = 5.0, 60.0
# every page, warm: county and national database; map payload: county and national
PAGE_TARGET_S = {"county": 0.1, "national": 2.0}  # county: issue 9 (every page warm ≤ 100 ms on Trier-Saarburg)
PAYLOAD_TARGET_KB = {"county": 500, "national": 5 * 1024}
BROWSER_ROUNDS = 3
FILTER_TARGET_S = 1.0  # browser: from a filter change to the updated map
FIRST_MAP_TARGET_S = 1.5  # browser: from navigation to the first map drawn (issue 11)
ACCESS_TARGET_S = 1.0
OFFER_MAP_TARGET_S = 1.0  # issue #4: the Angebotskarte with 5,000 offers, server-side
OFFER_LISTS = [  # every real offer list of the four counties
    ("nrw_schuldaten/schuldaten_2022-06_dueren_siegen-wittgenstein.csv", "nrw_schuldaten"),
    ("datenschule_schulscraper/schools_rheinland-pfalz_trier-saarburg.csv", "jedeschule"),
    ("datenschule_schulscraper/schools_hessen_werra-meissner.csv", "jedeschule"),
]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
POLYGON, LEGEND = "path.leaflet-interactive", ".pa-legend"
# Exactly one map iframe left (a change remounts it, old and new coexist briefly), with polygons and the new legend.
MAP_REDRAWN_JS = """([frames, legend, polygon, label]) => { const maps = document.querySelectorAll(frames);
    const doc = maps.length === 1 ? maps[0].contentDocument : null, box = doc && doc.querySelector(legend);
    return !!box && box.textContent.startsWith(label) && !!doc.querySelector(polygon); }"""


@dataclasses.dataclass
class Line:
    name: str
    target: str
    value: str
    ok: bool | None  # None: no target, or skipped
    data: dict = dataclasses.field(default_factory=dict)


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Run a command from the repo root; (wall seconds, peak RSS in MB of the child, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO_ROOT, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)  # rusage of exactly this child, unlike RUSAGE_CHILDREN deltas
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}\n{stderr[-3000:]}\n{stdout[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, stdout  # ru_maxrss is in KiB on Linux


def run_worker(name: str, arg: Path) -> tuple[float, float, dict]:
    """This script in a subprocess running one worker, whose result is its last stdout line (JSON)."""
    seconds, peak_mb, stdout = run_child([sys.executable, str(Path(__file__).resolve()), name, str(arg)])
    return seconds, peak_mb, json.loads(stdout.strip().splitlines()[-1])


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def skipped(name: str, target: str, reason: str) -> Line:
    return Line(name, target, f"skipped: {reason}", None)


def real_data_missing(config_path: Path) -> str | None:
    """Why a real-data measurement cannot run (the config's boundary file is absent), or None."""
    boundaries = load_config(config_path).boundaries
    return None if boundaries.exists() else f"real data absent ({boundaries} not found)"


def _healthy(url: str) -> bool:
    with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
        return response.read().strip() == b"ok"
    return False


@contextlib.contextmanager
def app_server(db_dir: Path, script: str = "dashboard/app.py"):
    """`streamlit run dashboard/app.py` (or ``script``) on a free loopback port, offering only db_dir's databases;
    yields the URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1"]  # fmt: skip
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: nobody reads it while the benchmark runs
        # no login page between the benchmark and the map (real-data databases would otherwise ask for one)
        env = {"PLANUNGSATLAS_AUTH": "demo", **os.environ, "PLANUNGSATLAS_DB_DIR": str(db_dir)}
        proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"Streamlit did not come up:\n{log.read().decode(errors='replace')[-3000:]}")
                time.sleep(0.25)
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # the whole group: Streamlit may have started helpers
                proc.wait(timeout=10)


WORKERS = {"_page": page_worker, "_exports": exports_worker}


def measure_builds(tmp: Path) -> tuple[list[Line], dict[str, Path]]:
    """`python -m etl build` per county config; returns the lines and the databases built (by config stem)."""
    lines, dbs = [], {}
    counties = sorted(p for p in (REPO_ROOT / "config").glob("*.toml") if p not in (DEMO_CONFIG, NATIONAL_CONFIG))
    for config in [DEMO_CONFIG, *counties]:
        name, target = f"ETL build {config.stem}", f"< {BUILD_TARGET_S:g} s"
        if config != DEMO_CONFIG and real_data_missing(config):
            lines.append(skipped(name, target, real_data_missing(config)))
            continue
        out = tmp / config.stem / f"{config.stem}.duckdb"  # a folder per database: the app offers all of a folder
        seconds, peak_mb, data = timed_build(config, out)
        dbs[config.stem] = out
        lines.append(Line(name, target, f"{seconds:.1f} s, peak {peak_mb:.0f} MB", seconds < BUILD_TARGET_S, data))
    return lines, dbs


def timed_build(config: Path, out: Path) -> tuple[float, float, dict]:
    seconds, peak_mb, stdout = run_child([sys.executable, "-m", "etl", "build", "--config", str(config), "--out", str(out), "--quiet"])
    inner = re.search(r"\(([\d.]+) s\)", stdout)  # the build's own timing, without interpreter start and imports
    areas = dict(re.findall(r"(\w+) (\d+)", stdout.split("Gebiete:", 1)[1].split("\n", 1)[0])) if "Gebiete:" in stdout else {}
    data = {"seconds": seconds, "build_s": float(inner[1]) if inner else None, "peak_mb": peak_mb,
            "db_bytes": out.stat().st_size, "areas_by_level": {k: int(v) for k, v in areas.items()}}  # fmt: skip
    return seconds, peak_mb, data


def measure_national(tmp: Path) -> tuple[list[Line], Path | None]:
    """Germany from the VG5000 release: boundaries only, then with synthetic population tables and offers
    (bench/national.py) for every Gemeinde; returns the lines and the full national database."""
    names = ("ETL build Germany, VG5000 boundaries only", "ETL build Germany, + synthetic population and offers")
    reason = real_data_missing(NATIONAL_CONFIG)
    if reason:
        return [skipped(name, f"< {NATIONAL_TARGET_S:g} s", reason) for name in names], None
    from bench.national import write_national_sources

    lines = []
    boundaries = tmp / "national-boundaries" / "germany_vg5000.duckdb"
    lines.append(_national_line(names[0], boundaries, *timed_build(NATIONAL_CONFIG, boundaries)))
    config, generated = write_national_sources(boundaries, tmp / "national-sources", NATIONAL_CONFIG)
    full = tmp / "national" / "germany_synthetic.duckdb"
    seconds, peak_mb, data = timed_build(config, full)
    lines.append(_national_line(f"{names[1]} ({generated['offers']:,} offers)", full, seconds, peak_mb, {**data, **generated}))
    return lines, full


def _national_line(name: str, out: Path, seconds: float, peak_mb: float, data: dict) -> Line:
    gemeinden, size_mb = data["areas_by_level"].get("gemeinde", 0), out.stat().st_size / 2**20
    value = f"{seconds:.1f} s, {gemeinden:,} Gemeinden, peak {peak_mb:.0f} MB, db {size_mb:.1f} MB"
    return Line(name, f"< {NATIONAL_TARGET_S:g} s", value, seconds < NATIONAL_TARGET_S, data)


def measure_pages(dbs: dict[str, Path]) -> list[Line]:
    """Every page of the navigation under AppTest (a subprocess per page and database): cold run, warm median,
    map payload; for the demo county, Trier-Saarburg and the national database (first Kreis of the list)."""
    lines = []
    for stem, scale in ((DEMO_CONFIG.stem, "county"), ("07235_trier-saarburg", "county"), ("national", "national")):
        target_s, target_kb = PAGE_TARGET_S[scale], PAYLOAD_TARGET_KB[scale]
        if stem not in dbs:
            lines.append(skipped(f"pages ({stem})", f"< {ms(target_s)} warm", "database not built (real data absent)"))
            continue
        for page in page_files():
            _, peak_mb, r = run_worker("_page", f"{dbs[stem].parent}::{page}")
            warm = statistics.median(r["warm_s"])
            data = {**r, "warm_median_s": warm, "peak_mb": peak_mb}
            lines += [
                Line(f"page {page.stem} cold ({stem})", "–", ms(r["cold_s"]), None, data),
                Line(f"page {page.stem} warm, median of {len(r['warm_s'])} ({stem})", f"< {ms(target_s)}", ms(warm), warm < target_s, data),
            ]
            if r["maps"]:
                kb = r["payload_bytes"] / 1024
                lines.append(Line(f"page {page.stem} map payload ({stem})", f"< {target_kb:,} KB", f"{kb:,.0f} KB", kb < target_kb, data))
    return lines


def measure_accessibility() -> list[Line]:
    """All populated Zensus 1 km cells of the four counties against all offers of the real school lists, per type
    (the offer import itself is not timed here: only the distance computation the ETL runs per build)."""
    name, target = "accessibility: all grid cells × all offers, per type", f"< {ACCESS_TARGET_S:g} s"
    grid_folder = shared_data_root() / "statistics" / "zensus2011_grid_1km_z22data"
    if not grid_folder.is_dir():
        return [skipped(name, target, f"real data absent ({grid_folder})")]
    import geopandas as gpd
    import pandas as pd

    from etl.sources.offers import read_offer_list
    from geo.accessibility import nearest_distance, read_zensus_grid
    from geo.placement import to_metric_points

    lists = [read_offer_list(shared_data_root() / "offers" / path, fmt).offers for path, fmt in OFFER_LISTS]
    offers = pd.concat(lists, ignore_index=True)
    offers = gpd.GeoDataFrame(offers, geometry=to_metric_points(offers["x"], offers["y"], offers["crs"]).values)
    started = time.perf_counter()
    cells = read_zensus_grid(grid_folder)
    pairs = 0
    for _, of_type in offers.groupby("offer_type"):
        pairs += len(nearest_distance(cells.geometry, of_type.geometry))
    seconds = time.perf_counter() - started
    data = {"seconds": seconds, "cells": len(cells), "offers": len(offers), "cell_type_pairs": pairs}
    return [Line(name, target, f"{ms(seconds)} ({len(cells):,} cells, {len(offers)} offers)", seconds < ACCESS_TARGET_S, data)]


def browser_round(page, url: str) -> tuple[float, float]:
    """One fresh page: seconds from navigation to the first polygon, and from a Kennzahl change to its new legend."""
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.frame_locator(MAP_FRAME).last.locator(POLYGON).first.wait_for(state="visible", timeout=60_000)
    first = time.perf_counter() - started
    combo = page.get_by_role("combobox", name="Kennzahl")
    current = combo.input_value()
    combo.click()
    option = next(t.strip() for t in page.get_by_role("option").all_inner_texts() if t.strip() != current)
    label = option.rsplit(" (", 1)[0]  # options read "<label> (<topic>)", the legend "<label> <year> …"
    started = time.perf_counter()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_function(MAP_REDRAWN_JS, arg=[MAP_FRAME, LEGEND, POLYGON, label], timeout=60_000)
    return first, time.perf_counter() - started


def measure_offer_map(tmp: Path, demo_db: Path | None, browser: bool) -> list[Line]:
    """The Angebotskarte with 5,000 synthetic offers in the demo county (bench/offer_map.py): the build, the page
    under AppTest (cold, warm median, map payload) and, in Chromium, navigation to drawn clusters."""
    from bench.offer_map import OFFERS, browser_round, write_offer_sources

    name = f"Angebotskarte, {OFFERS:,} offers"
    if demo_db is None:
        return [skipped(name, f"< {ms(OFFER_MAP_TARGET_S)} warm", "demo database not built")]
    config, counts = write_offer_sources(demo_db, tmp / "offer-map-sources", DEMO_CONFIG, OFFERS)
    out = tmp / "offer-map" / "demo_musterland_angebote.duckdb"
    seconds, peak_mb, data = timed_build(config, out)
    # no target: the per-county build target is for real lists, which are far shorter
    lines = [Line(f"ETL build demo_musterland + {OFFERS:,} offers", "–", f"{seconds:.1f} s, peak {peak_mb:.0f} MB", None, {**data, **counts})]
    _, peak_mb, r = run_worker("_page", f"{out.parent}::{REPO_ROOT / 'dashboard' / 'pages' / 'angebotskarte.py'}")
    warm, kb = statistics.median(r["warm_s"]), r["payload_bytes"] / 1024
    data = {**r, "warm_median_s": warm, "peak_mb": peak_mb}
    lines += [
        Line(f"{name}: page cold", "–", ms(r["cold_s"]), None, data),
        Line(f"{name}: page warm, median of {len(r['warm_s'])}", f"< {ms(OFFER_MAP_TARGET_S)}", ms(warm), warm < OFFER_MAP_TARGET_S, data),
        Line(f"{name}: map payload", "–", f"{kb:,.0f} KB", None, data),
    ]
    if not browser:
        return lines
    from playwright.sync_api import sync_playwright

    rounds = []
    with app_server(out.parent) as url, sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)  # closed with p
        for _ in range(BROWSER_ROUNDS):
            context = chromium.new_context(viewport={"width": 1400, "height": 1500}, locale="de-DE")
            rounds.append(browser_round(context, url))
            context.close()
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    return lines + [
        Line(f"browser: {name}, navigation → clusters drawn (median of {BROWSER_ROUNDS})", "–", ms(median["first_cluster_s"]), None, {"rounds": rounds}),
        Line(f"browser: {name}, longest main-thread task in the map", "–", f"{median['longest_task_ms']:.0f} ms", None, {"rounds": rounds}),
        Line(f"browser: {name}, zoom +2 → redrawn", "–", ms(median["zoom_s"]), None, {"rounds": rounds}),
        Line(f"browser: {name}, Gebietsebene change → new map with clusters", f"< {ms(FILTER_TARGET_S)}", ms(median["level_change_s"]),
             median["level_change_s"] < FILTER_TARGET_S, {"rounds": rounds}),
    ]  # fmt: skip


def measure_browser(db: Path, county: str = "demo") -> list[Line]:
    """Headless Chromium against a running app with one database (``county`` names it in the lines), a fresh browser
    context per round."""
    from playwright.sync_api import sync_playwright

    rounds = []
    with app_server(db.parent) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)  # closed with p
        for _ in range(BROWSER_ROUNDS):
            context = browser.new_context(viewport={"width": 1400, "height": 1500}, locale="de-DE")
            rounds.append(browser_round(context.new_page(), url))
            context.close()
    return [
        Line(f"browser: Übersichtskarte, {what} ({county}, median of {BROWSER_ROUNDS})", f"< {ms(target)}",
             ms(statistics.median(times)), statistics.median(times) < target, {"seconds": times})
        for what, target, times in (
            ("navigation → first polygon", FIRST_MAP_TARGET_S, [r[0] for r in rounds]),
            ("Kennzahl change → new legend", FILTER_TARGET_S, [r[1] for r in rounds]),
        )
    ]  # fmt: skip


def measure_streamlit_floor(tmp: Path) -> list[Line]:
    """What Streamlit itself takes on this machine: a page with nothing but a heading, from navigation to the heading
    in a fresh browser context (same server options as the app). The map pages cannot be faster than this."""
    from playwright.sync_api import sync_playwright

    script = tmp / "floor" / "app.py"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text('import streamlit as st\n\nst.title("Leere Seite")\n', encoding="utf-8")
    times = []
    with app_server(tmp, str(script)) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)  # closed with p
        for _ in range(BROWSER_ROUNDS):
            context = browser.new_context(viewport={"width": 1400, "height": 1500}, locale="de-DE")
            page = context.new_page()
            started = time.perf_counter()
            page.goto(url, wait_until="commit")
            page.get_by_role("heading", name="Leere Seite").wait_for(timeout=60_000)
            times.append(time.perf_counter() - started)
            context.close()
    return [Line(f"browser: empty Streamlit page, navigation → heading (the framework's floor, median of {BROWSER_ROUNDS})",
                 "–", ms(statistics.median(times)), None, {"seconds": times})]  # fmt: skip


def browser_lines(tmp: Path) -> list[Line]:
    """The Übersichtskarte in Chromium on the demo and on Trier-Saarburg (built here), and Streamlit's floor."""
    lines = measure_streamlit_floor(tmp)
    for config, county in ((DEMO_CONFIG, "demo"), (TRIER_SAARBURG_CONFIG, "Trier-Saarburg")):
        if config != DEMO_CONFIG and real_data_missing(config):
            lines.append(skipped(f"browser: Übersichtskarte ({county})", f"< {ms(FILTER_TARGET_S)}", real_data_missing(config)))
            continue
        out = tmp / config.stem / f"{config.stem}.duckdb"
        timed_build(config, out)
        lines += measure_browser(out, county)
    return lines


def measure_exports(demo_db: Path | None) -> list[Line]:
    """A chart PNG and the Kreistag report (bench/exports.py) in a subprocess of their own."""
    if demo_db is None or not os.access(CHROMIUM, os.X_OK):
        return [skipped("exports", "–", "demo database not built" if demo_db is None else f"{CHROMIUM} missing")]
    _, peak_mb, result = run_worker("_exports", demo_db)
    return [Line(*line, {**result, "peak_mb": peak_mb}) for line in export_lines(result)]


def print_table(lines: list[Line]) -> None:
    rows = [("name", "target", "value", "ok")]
    rows += [(line.name, line.target, line.value, {True: "yes", False: "NO", None: "–"}[line.ok]) for line in lines]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print(" | ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * width for width in widths))
    judged = [line.ok for line in lines if line.ok is not None]
    print(f"\ntargets met: {sum(judged)} of {len(judged)}")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] in WORKERS:
        print(json.dumps(WORKERS[sys.argv[1]](sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true", help="leave out the Playwright/Chromium measurement")
    parser.add_argument("--only-offer-map", action="store_true", help="only the demo build and the Angebotskarte with 5,000 offers")
    parser.add_argument("--only-browser", action="store_true", help="only the Übersichtskarte in Chromium: demo and Trier-Saarburg")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "latest.json", help="JSON result file")
    args = parser.parse_args()

    browser = not args.skip_browser and os.access(CHROMIUM, os.X_OK)
    if args.only_browser:
        with tempfile.TemporaryDirectory(prefix="planungsatlas-bench-") as tmp_name:
            print_table(browser_lines(Path(tmp_name)))
        return 0
    if args.only_offer_map:
        with tempfile.TemporaryDirectory(prefix="planungsatlas-bench-") as tmp_name:
            out = Path(tmp_name) / "demo" / "demo_musterland.duckdb"
            seconds, peak_mb, data = timed_build(DEMO_CONFIG, out)
            lines = [Line(f"ETL build {DEMO_CONFIG.stem}", f"< {BUILD_TARGET_S:g} s", f"{seconds:.1f} s, peak {peak_mb:.0f} MB",
                          seconds < BUILD_TARGET_S, data)]  # fmt: skip
            lines += measure_offer_map(Path(tmp_name), out, browser)
        print_table(lines)
        return 0
    with tempfile.TemporaryDirectory(prefix="planungsatlas-bench-") as tmp_name:
        print("… measuring: builds, national boundaries, map page, browser", file=sys.stderr, flush=True)
        lines, dbs = measure_builds(Path(tmp_name))
        national_lines, national_db = measure_national(Path(tmp_name))
        dbs |= {"national": national_db} if national_db else {}
        lines += national_lines + measure_pages(dbs) + measure_accessibility()
        lines += measure_exports(dbs.get(DEMO_CONFIG.stem))
        lines += measure_offer_map(Path(tmp_name), dbs.get(DEMO_CONFIG.stem), browser)
        if args.skip_browser or not os.access(CHROMIUM, os.X_OK):
            lines.append(skipped("browser", "–", "--skip-browser" if args.skip_browser else f"{CHROMIUM} missing"))
        else:
            lines += measure_streamlit_floor(Path(tmp_name)) + measure_browser(dbs[DEMO_CONFIG.stem])
            if TRIER_SAARBURG_CONFIG.stem in dbs:
                lines += measure_browser(dbs[TRIER_SAARBURG_CONFIG.stem], "Trier-Saarburg")
    print_table(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "python": sys.version.split()[0],
              "lines": [dataclasses.asdict(line) for line in lines]}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

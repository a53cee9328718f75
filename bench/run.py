"""Performance benchmark of Planungsatlas Familie: ETL builds, national boundaries, map page, payload, browser.

    .venv/bin/python bench/run.py [--skip-browser] [--out bench/results/latest.json]

Every measurement with a memory figure runs in its own subprocess (wall time and peak RSS via os.wait4), so one
measurement's caches and imports cannot flatter the next. See bench/README.md for the targets.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
NATIONAL_CONFIG = REPO_ROOT / "config" / "07235_trier-saarburg.toml"  # only its VG5000 release path is used
BUILD_TARGET_S, NATIONAL_TARGET_S, WARM_TARGET_S, WARM_LATER_TARGET_S = 5.0, 60.0, 1.0, 0.3
PAYLOAD_TARGET_BYTES = 500 * 1024
WARM_RERUNS, BROWSER_ROUNDS = 5, 3
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
POLYGON, LEGEND = "path.leaflet-interactive", ".pa-legend"


@dataclasses.dataclass
class Line:
    name: str
    target: str
    value: str
    ok: bool | None  # None: no target, or not measured
    data: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Child:
    seconds: float
    peak_mb: float
    stdout: str


# --- shared helpers -------------------------------------------------------------------------------------------


def run_child(args: list[str], env: dict[str, str] | None = None) -> Child:
    """Run a command from the repo root; wall time and the child's own peak RSS (os.wait4 rusage)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=REPO_ROOT, env={**os.environ, **(env or {})}, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, Popen must not wait again
        out.seek(0), err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited with {proc.returncode}\n{stderr[-3000:]}\n{stdout[-2000:]}")
    return Child(seconds, usage.ru_maxrss / 1024, stdout)  # ru_maxrss is in KiB on Linux


def run_worker(name: str, arg: Path, env: dict[str, str] | None = None) -> tuple[Child, dict]:
    """This script as a subprocess running one worker; the worker's result is its last stdout line (JSON)."""
    child = run_child([sys.executable, str(Path(__file__).resolve()), name, str(arg)], env)
    return child, json.loads(child.stdout.strip().splitlines()[-1])


def mb(value: float) -> str:
    return f"{value:,.0f} MB"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def progress(what: str) -> None:
    print(f"… {what}", file=sys.stderr, flush=True)


def skipped(name: str, target: str, reason: str) -> Line:
    return Line(name, target, f"skipped: {reason}", None)


def real_data_missing(config_path: Path) -> str | None:
    from etl.config import load_config

    boundaries = load_config(config_path).boundaries
    return None if boundaries.exists() else f"real data absent ({boundaries} not found)"


@contextlib.contextmanager
def app_server(db_dir: Path):
    """`streamlit run dashboard/app.py` on a free loopback port with only db_dir's databases; yields the URL."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
           "--server.headless", "true", "--server.address", "127.0.0.1"]  # fmt: skip
    log = tempfile.TemporaryFile()  # a file, not a pipe: nobody reads it while the benchmark runs
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, env={**os.environ, "PLANUNGSATLAS_DB_DIR": str(db_dir)},
                            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while _health(f"{url}/_stcore/health") != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"Streamlit server did not come up:\n{log.read().decode(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield url
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 15)  # the whole group: Streamlit may have started helpers
            proc.wait(timeout=10)
        log.close()


def _health(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode().strip()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


# --- workers (run in a subprocess via run_worker) ---------------------------------------------------------------


def national_worker(out: str) -> dict:
    """All of Germany's Gemeinden, Verbände and Kreise from VG5000 with the ETL's per-Kreis functions."""
    import geopandas as gpd
    import pandas as pd
    import pyogrio

    from etl import schema
    from etl.catalogue import load_catalogue
    from etl.config import load_config
    from etl.load import write_database
    from etl.sources import bkg
    from etl.transform import CountyInput, build_areas

    template = load_config(NATIONAL_CONFIG)
    phases = dict.fromkeys(("list_kreise", "read_boundaries", "build_areas", "write_database"), 0.0)
    started = time.perf_counter()
    krs = pyogrio.read_dataframe(bkg._shapefile_layers(template.boundaries)["KRS"], columns=["AGS", "GF"], read_geometry=False)
    kreise = sorted(set(krs.loc[krs["GF"].astype(int).isin(bkg.LAND_AREAS), "AGS"]))
    phases["list_kreise"] = time.perf_counter() - started
    areas = []
    for kreis in kreise:
        t0 = time.perf_counter()
        boundaries = bkg.read_boundaries(template.boundaries, kreis)
        t1 = time.perf_counter()
        config = dataclasses.replace(template, ags=kreis, name=None, sozialraum_mapping=None, statistics=[])
        areas.append(build_areas(CountyInput(config, boundaries, None, [])))
        phases["read_boundaries"] += t1 - t0
        phases["build_areas"] += time.perf_counter() - t1
    t0 = time.perf_counter()
    all_areas = gpd.GeoDataFrame(pd.concat(areas, ignore_index=True), crs=areas[0].crs)
    empty = {table: pd.DataFrame(columns=[f.name for f in table.fields]) for table in (schema.OBSERVATIONS, schema.SOURCES)}
    log = pd.DataFrame([("info", "built_at", datetime.now(timezone.utc).isoformat(timespec="seconds")),
                        ("info", "config", "bench/run.py: VG5000, all Kreise, boundaries only")], columns=["kind", "topic", "message"])  # fmt: skip
    write_database(Path(out), all_areas, load_catalogue().reset_index(drop=True), empty[schema.OBSERVATIONS], empty[schema.SOURCES], log)
    phases["write_database"] = time.perf_counter() - t0
    return {"kreise": len(kreise), "areas_by_level": all_areas["level"].value_counts().to_dict(), "phases_s": phases}


def apptest_worker(db_dir: str) -> dict:
    """The first page (Übersichtskarte) server-side: cold run, warm reruns, size of the map component's args."""
    os.environ["PLANUNGSATLAS_DB_DIR"] = db_dir
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(REPO_ROOT / "dashboard" / "app.py"), default_timeout=120)
    runs = []
    for _ in range(1 + WARM_RERUNS):
        started = time.perf_counter()
        app.run()
        runs.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"app raised: {[e.message for e in app.exception]}")
    maps = app.get("component_instance")
    return {"cold_s": runs[0], "warm_s": runs[1:], "payload_bytes": len(maps[0].proto.json_args.encode()) if maps else None}


WORKERS = {"_national": national_worker, "_apptest": apptest_worker}


# --- measurements ----------------------------------------------------------------------------------------------


def measure_builds(tmp: Path) -> tuple[list[Line], dict[str, Path]]:
    """`python -m etl build` per county config: wall time and peak RSS. Returns the lines and the built dbs."""
    lines, dbs = [], {}
    configs = [DEMO_CONFIG, *sorted(p for p in (REPO_ROOT / "config").glob("*.toml") if p != DEMO_CONFIG)]
    for config in configs:
        name, target = f"ETL build {config.stem}", f"< {BUILD_TARGET_S:g} s"
        reason = None if config == DEMO_CONFIG else real_data_missing(config)
        if reason:
            lines.append(skipped(name, target, reason))
            continue
        out = tmp / config.stem / f"{config.stem}.duckdb"  # one folder per db: the app offers all dbs of a folder
        child = run_child([sys.executable, "-m", "etl", "build", "--config", str(config), "--out", str(out), "--quiet"])
        dbs[config.stem] = out
        data = {"seconds": child.seconds, "peak_mb": child.peak_mb, "db_bytes": out.stat().st_size}
        lines.append(Line(name, target, f"{child.seconds:.1f} s, peak {mb(child.peak_mb)}", child.seconds < BUILD_TARGET_S, data))
    return lines, dbs


def measure_national(tmp: Path) -> list[Line]:
    name, target = "national boundaries (VG5000, per Kreis)", f"< {NATIONAL_TARGET_S:g} s"
    reason = real_data_missing(NATIONAL_CONFIG)
    if reason:
        return [skipped(name, target, reason)]
    out = tmp / "national" / "germany_vg5000.duckdb"
    child, result = run_worker("_national", out)
    gemeinden = result["areas_by_level"].get("gemeinde", 0)
    data = {"seconds": child.seconds, "peak_mb": child.peak_mb, "db_bytes": out.stat().st_size, "gemeinden": gemeinden, **result}
    value = f"{child.seconds:.1f} s, {gemeinden:,} Gemeinden, peak {mb(child.peak_mb)}, db {mb(out.stat().st_size / 2**20)}"
    return [Line(name, target, value, child.seconds < NATIONAL_TARGET_S, data)]


def measure_map_page(dbs: dict[str, Path]) -> list[Line]:
    """AppTest cold/warm runs and the map payload per database (demo and Trier-Saarburg)."""
    lines = []
    for stem in (DEMO_CONFIG.stem, NATIONAL_CONFIG.stem):
        if stem not in dbs:
            lines.append(skipped(f"map page {stem}", "< 1 s warm", "database not built (real data absent?)"))
            continue
        child, r = run_worker("_apptest", dbs[stem].parent)
        warm = statistics.median(r["warm_s"])
        data = {**r, "warm_median_s": warm, "worker_peak_mb": child.peak_mb}
        payload = r["payload_bytes"] or 0
        lines += [
            Line(f"map page cold run ({stem})", "–", ms(r["cold_s"]), None, data),
            Line(f"map page warm median of {WARM_RERUNS} ({stem})", f"< {WARM_TARGET_S:g} s", ms(warm), warm < WARM_TARGET_S, data),
            Line(f"map page warm, later target ({stem})", f"< {WARM_LATER_TARGET_S * 1000:.0f} ms", ms(warm), warm < WARM_LATER_TARGET_S, data),
            Line(f"map payload Gemeinden ({stem})", f"< {PAYLOAD_TARGET_BYTES // 1024} KB", f"{payload / 1024:,.0f} KB",
                 bool(r["payload_bytes"]) and payload < PAYLOAD_TARGET_BYTES, {"payload_bytes": payload}),
        ]  # fmt: skip
    return lines


def browser_round(page, url: str) -> tuple[float, float]:
    """One fresh page: seconds from navigation to the first polygon, and from a Kennzahl change to its legend."""
    from playwright.sync_api import expect

    frame = page.frame_locator(MAP_FRAME)
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    frame.locator(POLYGON).first.wait_for(state="visible", timeout=60_000)
    first = time.perf_counter() - started

    combo = page.get_by_role("combobox", name="Kennzahl")
    current = combo.input_value()
    combo.click()
    option = next(t.strip() for t in page.get_by_role("option").all_inner_texts() if t.strip() != current)
    label = option.rsplit(" (", 1)[0]  # options read "<label> (<topic>)", the legend "<label> <year> …"
    started = time.perf_counter()
    page.get_by_role("option", name=option, exact=True).click()
    expect(frame.locator(LEGEND)).to_have_text(re.compile("^" + re.escape(label)), timeout=60_000)
    frame.locator(POLYGON).first.wait_for(state="visible", timeout=60_000)
    return first, time.perf_counter() - started


def measure_browser(db: Path) -> list[Line]:
    """Real Chromium against a running app with the demo database, a fresh browser context per round."""
    from playwright.sync_api import sync_playwright

    rounds = []
    with app_server(db.parent) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for _ in range(BROWSER_ROUNDS):
                context = browser.new_context(viewport={"width": 1400, "height": 1500}, locale="de-DE")
                rounds.append(browser_round(context.new_page(), url))
                context.close()
        finally:
            browser.close()
    first, change = [r[0] for r in rounds], [r[1] for r in rounds]
    return [
        Line(f"browser: navigation → first polygon (demo, median of {BROWSER_ROUNDS})", "–", ms(statistics.median(first)), None, {"seconds": first}),
        Line(f"browser: Kennzahl change → new legend (demo, median of {BROWSER_ROUNDS})", "–", ms(statistics.median(change)), None, {"seconds": change}),
    ]  # fmt: skip


# --- report ----------------------------------------------------------------------------------------------------


def print_table(lines: list[Line]) -> None:
    rows = [("name", "target", "value", "ok")] + [(l.name, l.target, l.value, {True: "yes", False: "NO", None: "–"}[l.ok]) for l in lines]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print(" | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    judged = [l for l in lines if l.ok is not None]
    print(f"\ntargets met: {sum(l.ok for l in judged)} of {len(judged)}")


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] in WORKERS:
        print(json.dumps(WORKERS[sys.argv[1]](sys.argv[2])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true", help="no Playwright/Chromium measurement")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "bench" / "results" / "latest.json", help="JSON result file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="planungsatlas-bench-") as tmp_name:
        tmp = Path(tmp_name)
        progress("county builds")
        lines, dbs = measure_builds(tmp)
        progress("national boundaries (about two minutes)")
        lines += measure_national(tmp)
        progress("map page (AppTest)")
        lines += measure_map_page(dbs)
        if args.skip_browser or not os.access(CHROMIUM, os.X_OK):
            lines.append(skipped("browser", "–", "--skip-browser" if args.skip_browser else f"{CHROMIUM} missing"))
        else:
            progress("browser")
            lines += measure_browser(dbs[DEMO_CONFIG.stem])
    print_table(lines)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {"measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "python": sys.version.split()[0],
              "lines": [dataclasses.asdict(l) for l in lines]}  # fmt: skip
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Familienwegweiser under load (issue 15): the demo county with 5,000 public offers.

    .venv/bin/python bench/finder.py [--skip-browser] [--rounds 3]

1. Builds the demo database, writes an invented list of exactly 5,000 offers (all types, spread over the demo
   Gemeinden by population, random points; fixed seed; every column a family needs, all public) and builds a copy
   of the demo config with it – in a temporary folder only.
2. Generation: `python -m finder build` in a subprocess, wall time including the interpreter: the demo county as it is
   (about 320 public offers; cold = an empty cache folder, so the Gemeindeverzeichnis of ../shared/data, where present,
   is read from its workbook once; warm = median) and, without a target, the 5,000 offers (one page each: mostly the
   time the disk takes to create 5,000 files).
3. First load: the site on `python -m http.server` (127.0.0.1, a free port, no compression); a fresh browser context
   per round opens a shared search link (index.html?ort=Musterstadt); time from navigation to the first offer of the
   list, and the bytes transferred until then (Resource Timing transferSize of every response finished by then).
   Leaflet, the outlines and details.json load after the list. Medians of the rounds.
Prints `name | target | value | ok` like bench/run.py; a missed target does not change the exit code.
"""
from __future__ import annotations

import argparse
import csv
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
import numpy as np  # noqa: E402

from bench.national import SEED, _gemeinden, _offer_rows  # noqa: E402
from bench.offer_map import _population  # noqa: E402
from etl.demo.offer_maker import COLUMNS  # noqa: E402

OFFERS = 5000
GENERATION_TARGET_S, LOAD_TARGET_S, LOAD_TARGET_KB = 5.0, 1.0, 500
DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
# before the page's scripts: note when the first offer enters the list
FIRST_OFFER_JS = """window.__listShown = null;
new MutationObserver((_, observer) => { if (document.querySelector('#liste .offer-item')) {
  window.__listShown = performance.now(); observer.disconnect(); } }).observe(document, {childList: true, subtree: true});"""
BYTES_JS = """() => { const until = window.__listShown;
  const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
  return entries.filter(e => e.responseEnd <= until).reduce((sum, e) => sum + e.transferSize, 0); }"""
DETAILS = ["ja", "Ansprechpartner", "069 90009 100", "info@musterland.example", "https://www.musterland.example/angebot",
           "Mo–Fr 9:00–16:00 Uhr", "kostenfrei", "Deutsch, Englisch", "teilweise",
           "Ein erfundenes Angebot für den Benchmark, mit zwei Sätzen Beschreibung. Bitte vorher anrufen.", ""]  # fmt: skip


def write_public_list(demo_db: Path, folder: Path, n: int = OFFERS) -> Path:
    """A list of exactly ``n`` public offers and a copy of the demo config that loads it; returns the config."""
    rng = np.random.default_rng(SEED)
    gemeinden = _gemeinden(demo_db)
    people = _population(demo_db, gemeinden["area_id"].tolist())
    rows = _offer_rows(gemeinden, people * (1.1 * n) / (people.sum() / 1000 * 0.6), rng)
    rows = [rows[i] + DETAILS for i in sorted(rng.choice(len(rows), n, replace=False))]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([COLUMNS, *rows])
    folder.mkdir(parents=True, exist_ok=True)
    offer_list = folder / f"angebote_musterland_{n}_oeffentlich.csv"
    offer_list.write_bytes("\ufeff".encode() + buffer.getvalue().encode("utf-8"))
    demo_data = str((DEMO_CONFIG.parent / "../data/demo").resolve())
    text = DEMO_CONFIG.read_text(encoding="utf-8").replace('"../data/demo', f'"{demo_data}')
    text = text.replace('path = "angebote/angebote_musterland_demodaten.xlsx"', f'path = "{offer_list}"')
    if str(offer_list) not in text:
        raise RuntimeError("the demo config no longer names the demo offer list; adapt bench/finder.py")
    config = folder / f"demo_musterland_{n}_oeffentlich.toml"
    config.write_text(text, encoding="utf-8")
    return config


def run(args: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=REPO_ROOT, check=True, capture_output=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - started


def first_load(site: Path, rounds: int) -> tuple[list[float], list[int]]:
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    seconds, sizes = [], []
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            for _ in range(rounds):
                context = browser.new_context(viewport={"width": 390, "height": 844})
                context.add_init_script(FIRST_OFFER_JS)
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/index.html?ort=Musterstadt", wait_until="commit")
                page.wait_for_selector("#liste .offer-item", state="attached", timeout=30_000)  # no eval: the CSP forbids it
                seconds.append(page.evaluate("window.__listShown") / 1000)  # performance.now() starts at navigation
                sizes.append(page.evaluate(BYTES_JS))
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return seconds, sizes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory(prefix="bench_finder_") as tmp:
        tmp = Path(tmp)
        py = sys.executable
        run([py, "-m", "etl", "build", "--quiet", "--config", str(DEMO_CONFIG), "--out", str(tmp / "demo.duckdb")])
        config = write_public_list(tmp / "demo.duckdb", tmp / "list")
        run([py, "-m", "etl", "build", "--quiet", "--config", str(config), "--out", str(tmp / "offers.duckdb")])
        def build(db: str, out: str) -> list[str]:
            return [py, "-m", "finder", "build", "--db", str(tmp / db), "--kreis", "99001", "--out", str(tmp / out),
                    "--config", str(DEMO_CONFIG)]  # fmt: skip

        cold = run(build("demo.duckdb", "county"), {"XDG_CACHE_HOME": str(tmp / "cache")})
        warm = statistics.median(run(build("demo.duckdb", "county")) for _ in range(args.rounds))
        county = len(list((tmp / "county" / "angebot").glob("*.html")))
        large = statistics.median(run(build("offers.duckdb", "site")) for _ in range(args.rounds))
        offers = (tmp / "site" / "offers.json").stat().st_size
        lines += [
            (f"finder generation, demo county ({county} offers), cold cache", f"≤ {GENERATION_TARGET_S:.0f} s", f"{cold:.2f} s", cold <= GENERATION_TARGET_S),
            (f"finder generation, demo county ({county} offers), warm", f"≤ {GENERATION_TARGET_S:.0f} s", f"{warm:.2f} s", warm <= GENERATION_TARGET_S),
            (f"finder generation, {OFFERS:,} offers", "–", f"{large:.2f} s", None),
            (f"finder offers.json, {OFFERS:,} offers", "–", f"{offers / 1024:.0f} KB", None),
        ]  # fmt: skip
        if args.skip_browser or not os.access(CHROMIUM, os.X_OK):
            lines.append(("finder first load", "–", "skipped: --skip-browser or no chromium", None))
        else:
            seconds, sizes = first_load(tmp / "site", args.rounds)
            load, kb = statistics.median(seconds), statistics.median(sizes) / 1024
            lines += [
                ("finder first load → list shown (local server)", f"≤ {LOAD_TARGET_S:.0f} s", f"{load * 1000:.0f} ms", load <= LOAD_TARGET_S),
                ("finder bytes transferred before the list", f"≤ {LOAD_TARGET_KB} KB", f"{kb:.0f} KB", kb <= LOAD_TARGET_KB),
            ]  # fmt: skip
    rows = [("name", "target", "value", "ok")] + [(n, t, v, {True: "yes", False: "NO", None: "–"}[ok]) for n, t, v, ok in lines]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for i, row in enumerate(rows):
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    judged = [ok for *_, ok in lines if ok is not None]
    print(f"\ntargets met: {sum(judged)} of {len(judged)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

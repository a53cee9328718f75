"""The Angebotskarte under load, for the benchmark: the demo county with a synthetic list of 5,000 offers.

The list is invented (fixed seed) in the ``planungsatlas`` format and built by the ETL like any list, so coverage
and distances match the offers; it lives in the benchmark's temporary folder only. The browser part times the
page from navigation to drawn clusters and records the longest main-thread task of the map frame (how long the
browser could not react while 5,000 markers were made and clustered).
"""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import numpy as np

from bench.national import SEED, _gemeinden, _offer_rows
from etl.db import connect
from etl.demo.offer_maker import COLUMNS as OFFER_COLUMNS

OFFERS = 5000
MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"
# in every frame before its scripts run: collect main-thread tasks over 50 ms (the Long Tasks API)
LONG_TASKS_JS = """window.__longTasks = [];
try { new PerformanceObserver((list) => { for (const e of list.getEntries()) { window.__longTasks.push(e.duration); } })
        .observe({entryTypes: ['longtask']}); } catch (e) {}"""
# after a filter change: the old map iframe (marked) is gone and exactly one new one shows clusters again
MAP_REPLACED_JS = """([frames]) => { const all = document.querySelectorAll(frames);
    const doc = all.length === 1 && !all[0].dataset.benchOld ? all[0].contentDocument : null;
    return !!doc && !!doc.querySelector('.pa-cluster') && !!doc.querySelector('path.leaflet-interactive'); }"""


def _population(db: Path, area_ids: list[str]) -> np.ndarray:
    with connect(db, read_only=True) as con:
        rows = dict(con.execute(
            """SELECT area_id, value FROM observations WHERE indicator_id = 'bev_insgesamt'
               AND year = (SELECT max(year) FROM observations WHERE indicator_id = 'bev_insgesamt')"""
        ).fetchall())  # fmt: skip
    return np.array([rows.get(a) or 0.0 for a in area_ids], dtype=float)


def write_offer_sources(demo_db: Path, folder: Path, demo_config: Path, n: int = OFFERS) -> tuple[Path, dict[str, int]]:
    """A list of exactly ``n`` offers spread over the demo Gemeinden by population, and a copy of the demo config
    that loads it instead of the demo list; returns the config and counts."""
    rng = np.random.default_rng(SEED)
    gemeinden = _gemeinden(demo_db)
    people = _population(demo_db, gemeinden["area_id"].tolist())
    # _offer_rows places about 0.6 offers per 1,000 people: scale the people so that a little more than n come out
    rows = _offer_rows(gemeinden, people * (1.1 * n) / (people.sum() / 1000 * 0.6), rng)
    if len(rows) < n:
        raise RuntimeError(f"only {len(rows)} synthetic offers generated, {n} wanted")
    rows = [rows[i] for i in sorted(rng.choice(len(rows), n, replace=False))]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([OFFER_COLUMNS, *rows])
    folder.mkdir(parents=True, exist_ok=True)
    offer_list = folder / f"angebote_musterland_{n}.csv"
    offer_list.write_bytes("\ufeff".encode() + buffer.getvalue().encode("utf-8"))
    demo_data = str((demo_config.parent / "../data/demo").resolve())
    text = demo_config.read_text(encoding="utf-8").replace('"../data/demo', f'"{demo_data}')
    text = text.replace('path = "angebote/angebote_musterland_demodaten.xlsx"', f'path = "{offer_list}"')
    if str(offer_list) not in text:
        raise RuntimeError(f"the demo config {demo_config} no longer names the demo offer list; adapt bench/offer_map.py")
    config = folder / f"demo_musterland_{n}_angebote.toml"
    config.write_text(text, encoding="utf-8")
    return config, {"offers_in_list": n, "gemeinden": len(gemeinden)}


def browser_round(context, url: str) -> dict[str, float]:
    """A fresh page: seconds from navigation to the first visible cluster, clusters and single points drawn,
    the longest main-thread task in the map frame (ms) and the seconds a zoom by two levels takes to settle."""
    context.add_init_script(LONG_TASKS_JS)
    page = context.new_page()
    started = time.perf_counter()
    page.goto(f"{url}/angebotskarte", wait_until="commit")
    frame = page.frame_locator(MAP_FRAME)
    frame.locator(".pa-cluster").first.wait_for(state="visible", timeout=120_000)
    first = time.perf_counter() - started
    page.wait_for_timeout(500)  # chunked loading may still add markers
    clusters = frame.locator(".pa-cluster").count()
    map_frame = next(f for f in page.frames if "streamlit_folium" in f.url)
    zoom_s = map_frame.evaluate(
        """() => new Promise((resolve) => { const t0 = performance.now();
            window.map.once('zoomend', () => requestAnimationFrame(() => resolve((performance.now() - t0) / 1000)));
            window.map.setZoom(window.map.getZoom() + 2, {animate: false}); })"""
    )
    longest = map_frame.evaluate("() => Math.max(0, ...(window.__longTasks || []))")
    page.evaluate("(frames) => document.querySelectorAll(frames).forEach((f) => { f.dataset.benchOld = '1'; })", MAP_FRAME)
    started = time.perf_counter()
    page.get_by_text("Sozialräume", exact=True).first.click()  # Gebietsebene: the map is built anew
    page.wait_for_function(MAP_REPLACED_JS, arg=[MAP_FRAME], timeout=120_000)
    return {
        "first_cluster_s": first,
        "clusters": clusters,
        "longest_task_ms": longest,
        "zoom_s": zoom_s,
        "level_change_s": time.perf_counter() - started,
    }

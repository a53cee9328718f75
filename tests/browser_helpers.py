"""Waiting for the folium map in a real browser (shared by the Playwright tests)."""
from __future__ import annotations

import time

from playwright.sync_api import Error as PlaywrightError

MAP_FRAME = "iframe[title='streamlit_folium.st_folium']"


def legend_with(page, text: str, timeout_s: float = 30) -> str:
    """The map legend once it shows ``text``. A changed map arrives as a new iframe (streamlit-folium keys the
    component by the map's content), so for a moment the old and the new one coexist: wait for one map."""
    deadline = time.monotonic() + timeout_s
    last = ""
    while time.monotonic() < deadline:
        if page.locator(MAP_FRAME).count() == 1:
            try:
                last = page.frame_locator(MAP_FRAME).locator(".pa-legend").inner_text(timeout=1_000)
            except PlaywrightError:
                last = ""
            if text in last:
                return last
        time.sleep(0.2)
    raise AssertionError(f"map legend never showed {text!r}; last legend: {last!r}")

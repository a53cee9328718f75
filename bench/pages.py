"""Server-side run of every page of the app under AppTest, for the benchmark (run in a subprocess per page).

Pages are taken from dashboard/app.py's navigation, in its order, so a new page is measured without touching the
benchmark. The payload is what the browser receives for the page's maps: the st_folium components' arguments.
"""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
WARM_RERUNS = 5


def page_files() -> list[Path]:
    """The page scripts named in dashboard/app.py, in navigation order."""
    app = (REPO_ROOT / "dashboard" / "app.py").read_text(encoding="utf-8")
    names = re.findall(r'"pages"\s*/\s*"([\w]+\.py)"', app)
    return [REPO_ROOT / "dashboard" / "pages" / name for name in names]


def page_worker(arg: str) -> dict:
    """``<database folder>::<page file>``: one cold run, WARM_RERUNS warm reruns, the map payload in bytes."""
    db_dir, page = arg.split("::", 1)
    os.environ["PLANUNGSATLAS_DB_DIR"] = db_dir
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(page, default_timeout=180)
    runs = []
    for _ in range(1 + WARM_RERUNS):
        started = time.perf_counter()
        app.run()
        runs.append(time.perf_counter() - started)
        if app.exception:
            raise RuntimeError(f"{Path(page).name} raised: {[e.message for e in app.exception]}")
    maps = app.get("component_instance")
    payload = sum(len(m.proto.json_args.encode()) for m in maps)
    return {"cold_s": runs[0], "warm_s": runs[1:], "payload_bytes": payload, "maps": len(maps)}

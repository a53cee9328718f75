"""Opening an app page under Streamlit's AppTest on a folder of databases, the way the app's navigation does
(shared by the page tests of Präventionskette and Bedarf & Versorgung)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning import queries
from planning.context import Context

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
DEMO_KREIS = "99001"
DEMO_KREIS_NAME = "Landkreis Musterland (Demodaten)"


def demo_context(demo_db: Path) -> Context:
    """The context a page has on the demo database (year 2023), for calling dashboard modules directly."""
    return Context(queries.Database(str(demo_db), demo_db.stat().st_mtime), DEMO_KREIS, DEMO_KREIS_NAME, 2023, True)


def writable_db_dir(tmp_path: Path, demo_db: Path) -> Path:
    """A folder of its own with a copy of the demo database, for pages that write (the workspace lives beside it)."""
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_db, folder / demo_db.name)
    return folder


def rerun(at: AppTest) -> AppTest:
    """Run the page again (after a widget change) and fail on any exception it raised."""
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def open_page(db_dir: Path, monkeypatch: pytest.MonkeyPatch, page: str, query: dict[str, str] | None = None) -> AppTest:
    """The app with ``db_dir`` as its database folder, switched to ``page`` (e.g. 'pages/x.py'), with
    optional URL parameters.

    With parameters the page is the session's first, as when a link is opened."""
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    at = AppTest.from_file(APP, default_timeout=60)
    if not query:
        at.run()
        at.query_params.clear()  # the browser clears the URL's parameters when the navigation switches pages
    at.switch_page(page)
    for name, value in (query or {}).items():
        at.query_params[name] = value
    return rerun(at)


def map_script(at: AppTest) -> str:
    """The folium map's script as the browser gets it (the page must have exactly one map)."""
    components = at.get("component_instance")
    assert len(components) == 1, "one folium map on the page"
    return json.loads(components[0].proto.json_args)["script"]


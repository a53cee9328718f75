"""Shared fixtures: repo paths, real data, the demo database, a running app and a real browser.

Expensive things (demo build, Streamlit server, Playwright driver) are session-scoped so the
suite pays for them once; pages are per test so one test's state cannot leak into the next.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
# Playwright cannot download its own browser here, so it drives Debian's chromium. No network
# features: the tests must prove the app works offline, and background requests only add noise.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 60
DEMO_CONFIG = "config/demo_musterland.toml"

# Fixtures whose use implies a marker, so `-m "not browser"` also deselects tests that forgot it.
_IMPLIED_MARKERS = {
    "browser_page": "browser",
    "streamlit_server": "browser",
    "chromium_path": "browser",
    "shared_data": "realdata",
}


@pytest.hookimpl(tryfirst=True)  # before pytest's own -m deselection reads the markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        for fixture, marker in _IMPLIED_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()) and not item.get_closest_marker(marker):
                item.add_marker(marker)


def _skip_or_fail_browser(reason: str) -> None:
    # CI (.ci/run) sets PLANUNGSATLAS_REQUIRE_BROWSER=1: there a skipped browser test is a false green.
    if os.environ.get("PLANUNGSATLAS_REQUIRE_BROWSER") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(autouse=True, scope="session")
def _app_navigation_under_apptest():
    """AppTest runs every script run as a fresh server would see its first request: it forgets (sets to None)
    whether ``st.navigation`` was used, so Streamlit would serve ``dashboard/pages/`` in its old folder navigation
    and ``dashboard.context`` would rerun each run through app.py (which also drops a button click). A server
    reruns at most once in its life, on its first request (tests/test_browser_direct_links.py covers that);
    under AppTest every run goes straight through app.py's ``st.navigation``, as a server's later runs do."""
    from streamlit.runtime import pages_manager
    from streamlit.testing.v1 import app_test

    class AppNavigation(pages_manager.PagesManager):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            pages_manager.PagesManager.uses_pages_directory = False

    original = app_test.PagesManager
    app_test.PagesManager = AppNavigation
    yield
    app_test.PagesManager = original


@pytest.fixture(autouse=True, scope="session")
def _no_login_in_page_tests():
    """Page tests open the app without a login (``PLANUNGSATLAS_AUTH=demo``), also over real-data databases,
    where the app's own default would ask for one. Tests of the login set the mode themselves (monkeypatch),
    and the test of the README start removes it to see the default."""
    os.environ.setdefault("PLANUNGSATLAS_AUTH", "demo")
    yield


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    env = os.environ.get("PLANUNGSATLAS_DATA")
    root = Path(env) if env else REPO_ROOT.parent / "shared" / "data"
    if not root.is_dir():
        pytest.skip(
            "real data folder ../shared/data not found (set PLANUNGSATLAS_DATA) – skipping real-data test"
        )
    return root.resolve()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("db") / "demo_musterland.duckdb"
    cmd = [sys.executable, "-m", "etl", "build", "--config", DEMO_CONFIG, "--out", str(out)]
    result = subprocess.run(cmd, cwd=REPO_ROOT, capture_output=True, text=True)
    if result.returncode != 0 or not out.is_file():
        pytest.fail(
            f"demo database build failed (exit {result.returncode}): {' '.join(cmd)}\n"
            f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}",
            pytrace=False,
        )
    return out


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        _skip_or_fail_browser(
            f"{CHROMIUM} not found – browser tests need Debian's chromium "
            "(apt-get install chromium fonts-liberation, or run scripts/setup.sh as root)"
        )
    return CHROMIUM


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _stop_process_group(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    # Streamlit may spawn helpers (file watchers); signal the whole group so none outlive the tests.
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


@contextlib.contextmanager
def serve_app(db_dir: Path, log_dir: Path, port: int | None = None, args: tuple[str, ...] = (), env: dict[str, str] | None = None) -> Iterator[str]:
    """A Streamlit server of the app on a free local port over the databases in ``db_dir``; yields its base URL.
    ``args`` are more options of ``streamlit run``, ``env`` more environment (e.g. the login mode)."""
    port = port or _free_port()
    base_url = f"http://127.0.0.1:{port}"
    cmd = [
        sys.executable, "-m", "streamlit", "run", "dashboard/app.py",
        "--server.port", str(port),
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        *args,
    ]  # fmt: skip
    env = {**os.environ, "PLANUNGSATLAS_DB_DIR": str(db_dir), **(env or {})}
    # A file, not a pipe: nobody reads a pipe while tests run, and a full pipe would block the server.
    log_path = log_dir / "server.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while _health(f"{base_url}/_stcore/health") != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                state = (
                    f"exited with {proc.returncode}"
                    if proc.poll() is not None
                    else f"not healthy after {SERVER_START_TIMEOUT_S} s"
                )
                pytest.fail(
                    f"Streamlit server {state}: {' '.join(cmd)}\n"
                    f"--- server output ---\n{log_path.read_text(errors='replace')}",
                    pytrace=False,
                )
            time.sleep(0.25)
        yield base_url
    finally:
        _stop_process_group(proc)


@pytest.fixture(scope="session")
def streamlit_server(demo_db: Path, tmp_path_factory: pytest.TempPathFactory):
    with serve_app(demo_db.parent, tmp_path_factory.mktemp("streamlit")) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def _playwright():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p


@pytest.fixture
def browser_page(chromium_path: Path, _playwright):
    # A fresh browser per test costs ~0.2 s and keeps one test's crash or state out of the next.
    browser = _playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(viewport={"width": 1400, "height": 1500}, locale="de-DE")
        page = context.new_page()
        yield page
        context.close()
    finally:
        browser.close()


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    path = REPO_ROOT / "tests" / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path

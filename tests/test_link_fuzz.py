"""Fuzz: every page under AppTest with every URL parameter it binds set to hostile values – no exception, ever.

A shared link is untrusted input. Each page is opened once to learn which parameters it binds (``share`` keeps
them per run); then the page is opened again as a fresh session from a link that sets *all* of them to one
hostile value (and once with a repeated parameter). A traceback on screen, a value echoed as Markdown or a
search that scales with a 100 KB link are failures.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from page_helpers import open_page
from streamlit.testing.v1 import AppTest

from dashboard import page_registry, share
from dashboard.markdown import WORD_JOINER

# every page of the navigation's planning section (dashboard/page_registry.py), so a new page is fuzzed without
# touching this test
PAGES = page_registry.page_ids("Planung")
HOSTILE = {
    "sql": "1' OR '1'='1'; DROP TABLE areas; --",
    "markdown": "**Sitzung abgelaufen:** [bitte hier neu anmelden](http://evil.example/login) ![t](http://127.0.0.1:9/t.png)",
    "html": "<img src=x onerror=alert(1)><script>alert(2)</script>",
    "jinja": "{{ cycler.__init__.__globals__.os.getpid() }}",
    "huge": "wort " * 20_000,
    "control": "a\x00b\x01c\x07d\u2028e",
    "numbers": "1e309",
    "negative": "-1",
    "unknown": "gibt_es_nicht",
}


UNESCAPED_LINK = re.compile(r"(?<!\\)\]\(http")  # '](http' that Markdown would read as a link


def _bound_params(at: AppTest) -> list[str]:
    run = at.session_state["_share_run"]
    return sorted(run.params)


@pytest.fixture(scope="module")
def bound(demo_db: Path) -> dict[str, list[str]]:
    monkeypatch = pytest.MonkeyPatch()
    try:
        return {page: _bound_params(open_page(demo_db.parent, monkeypatch, f"pages/{page}.py")) for page in PAGES}
    finally:
        monkeypatch.undo()


def test_every_page_binds_parameters(bound: dict[str, list[str]]) -> None:
    for page, names in bound.items():
        assert {"db", "kreis", "jahr"} <= set(names), page
        assert len(names) > 4, f"{page} binds only {names}"


@pytest.mark.parametrize("kind", list(HOSTILE))
@pytest.mark.parametrize("page", PAGES)
def test_hostile_link_values_cause_no_exception(page: str, kind: str, bound, demo_db: Path, monkeypatch) -> None:
    value = HOSTILE[kind]
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    for name in bound[page]:
        at.query_params[name] = [value, value] if kind == "unknown" else value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    for element in [*at.warning, *at.markdown, *at.caption, *at.title, *at.info, *at.error]:
        text = str(element.value)
        assert not UNESCAPED_LINK.search(text) and "**Sitzung" not in text, f"link text rendered as Markdown: {text[:200]}"
        assert len(text) < 5_000, "a 100 KB link value is not echoed"


@pytest.mark.parametrize("kind", ["unknown", "markdown", "numbers"])
@pytest.mark.parametrize("page", PAGES)
def test_each_parameter_alone(page: str, kind: str, bound, demo_db: Path, monkeypatch) -> None:
    """One hostile parameter at a time, the others valid or absent (e.g. ``/indikatoren?klassen=foo``)."""
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    for name in bound[page]:
        at = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py"), default_timeout=60)
        at.switch_page(f"pages/{page}.py")
        at.query_params[name] = HOSTILE[kind]
        at.run()
        assert not at.exception, (name, [e.value for e in at.exception])


def test_hint_shows_link_value_as_plain_text(demo_db: Path, monkeypatch) -> None:
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(demo_db.parent))
    at = open_page(demo_db.parent, monkeypatch, "pages/uebersichtskarte.py", {"kreis": HOSTILE["markdown"]})
    hints = [w.value for w in at.warning if "nicht übernommen" in w.value]
    assert len(hints) == 1
    assert r"kreis=\*\*Sitzung abgelaufen:\*\* \[bitte hier neu anmelden\](htt…" in hints[0], "escaped and cut"
    at = open_page(demo_db.parent, monkeypatch, "pages/uebersichtskarte.py", {"kreis": "![t](http://127.0.0.1:9/t.png)"})
    assert any(r"kreis=!\[t\](http:" + WORD_JOINER + "//127.0.0.1:9/t.png)" in w.value for w in at.warning), "no image"


def test_link_values_are_capped() -> None:
    param = share.Param("explorer_search", "suche")
    with pytest.raises(ValueError):
        param.parse(["wort " * 100])
    with pytest.raises(ValueError):
        share.Param("x", "x", many=True).parse(["a"] * (share.MAX_ITEMS + 1))
    with pytest.raises(ValueError):
        share.Param("x", "x", float).parse(["nan"])
    with pytest.raises(ValueError):
        share.Param("x", "x", choices=("quantile",)).parse(["foo"])
    assert share.Param("x", "x", choices=("quantile",)).parse(["quantile"]) == "quantile"

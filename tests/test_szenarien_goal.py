"""Szenarien page: the choice 'Ziel der Vorschläge' (MCLP or p-median), bound to the URL, with the gain per site in
the objective's terms, and 'Vorschläge übernehmen' for both."""
from __future__ import annotations

from pathlib import Path

import pytest

from page_helpers import open_page, rerun, writable_db_dir

PAGE = "pages/szenarien.py"


@pytest.fixture
def page_db(demo_db: Path, tmp_path: Path) -> Path:
    return writable_db_dir(tmp_path, demo_db)


def _sites(at):
    return next(f for f in (d.value for d in at.dataframe) if "Standort" in f.columns)


def _method(at) -> str:
    return " ".join(m.value for m in at.markdown)


def test_goal_from_the_link_shows_p_median_and_takes_its_sites(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(page_db, monkeypatch, PAGE, {"ziel": "p_median", "art": "familienzentrum", "anzahl": "2"})
    assert at.radio(key="sz_goal").value == "p_median"
    sites = _sites(at)
    assert list(sites.columns)[2:4] == ["Mittlerer Weg kürzer (km)", "Nächstes Angebot für (Pers.)"] and len(sites) == 2
    method = _method(at)
    assert "p-Median" in method and "Einheiten (1-km-Quadrate" in method and "Luftlinie" in method and "CBC" in method
    assert any("mittlere Weg der Zielgruppe" in c.value for c in at.caption)
    at.button(key="sz_take").click()
    rerun(at)
    taken = [m.value for m in at.markdown if "Vorschlag" in m.value]
    assert len(taken) == 1 and taken[0].count("Vorschlag") == 2
    assert sites["Standort"].iloc[0] in taken[0]


def test_switching_the_goal_changes_table_and_link(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(page_db, monkeypatch, PAGE, {"art": "familienzentrum"})
    assert at.radio(key="sz_goal").value == "mclp"
    assert "Neu in Reichweite (Personen)" in _sites(at).columns and "MCLP" in _method(at)
    assert "ziel" not in at.query_params  # the default stays out of the link
    at.radio(key="sz_goal").set_value("p_median")
    rerun(at)
    assert "Mittlerer Weg kürzer (km)" in _sites(at).columns and "p-Median" in _method(at)
    assert at.query_params["ziel"] in ("p_median", ["p_median"])
    at.button(key="sz_take").click()
    rerun(at)
    assert any("Vorschlag 1" in m.value for m in at.markdown)


def test_unknown_goal_in_the_link_falls_back_to_mclp(page_db: Path, monkeypatch: pytest.MonkeyPatch):
    at = open_page(page_db, monkeypatch, PAGE, {"ziel": "**fett**"})
    assert at.radio(key="sz_goal").value == "mclp"
    assert any("Arbeitsbereich der Datenbank" in c.value for c in at.caption)

"""Shareable views with Streamlit's AppTest: a link restores every page's selections, widget changes write the URL,
the 'Link zu dieser Ansicht' reproduces the view, bad link values are ignored with a hint, presentation mode.

Each page is opened through dashboard/app.py (like a browser does), which publishes the URL after the page ran.
"""
from __future__ import annotations

import urllib.parse
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import share
from planning.queries import DB_DIR_ENV

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
SOZIALRAUM = "99001-SR03"
OTHER_SOZIALRAUM = "99001-SR01"
LINK_HINT = "Aus dem Link nicht übernommen"

# page → (link parameters, session-state values they must produce); values differ from each page's defaults
CASES = {
    "uebersichtskarte": (
        {"ebene": "sozialraum", "kennzahl": "altenquotient", "gebiet": SOZIALRAUM, "jahr": "2022", "hintergrund": "1"},
        {"level": "sozialraum", "indicator": "altenquotient", "selected_area": SOZIALRAUM, "year": 2022, "tiles": True},
    ),
    "indikatoren": (
        {"kennzahl": "anteil_u18", "ebene": "sozialraum", "klassen": "equal_interval", "anzahl": "4",
         "themen": ["Demografie"], "gebiete": [SOZIALRAUM, OTHER_SOZIALRAUM]},
        {"explorer_indicator": "anteil_u18", "explorer_level": "sozialraum", "explorer_scheme": "equal_interval",
         "explorer_k": 4, "explorer_topics": ["Demografie"],
         "explorer_series_anteil_u18_sozialraum": [SOZIALRAUM, OTHER_SOZIALRAUM]},
    ),
    "steckbrief": (
        {"ebene": "sozialraum", "gebiet": SOZIALRAUM},
        {"steckbrief_level": "sozialraum", "steckbrief_area": SOZIALRAUM},
    ),
    "kreistag": (
        {"ebene": "sozialraum", "gebiete": [SOZIALRAUM, OTHER_SOZIALRAUM], "kennzahlen": ["altenquotient", "anteil_u18"],
         "kartenjahr": "2022", "titel": "Vorlage Jugendhilfeausschuss"},
        {"kreistag_level": "sozialraum", "kreistag_areas": [SOZIALRAUM, OTHER_SOZIALRAUM],
         "kreistag_indicators": ["altenquotient", "anteil_u18"], "kreistag_year": 2022,
         "kreistag_title": "Vorlage Jugendhilfeausschuss"},
    ),
}  # fmt: skip


@pytest.fixture(autouse=True)
def demo_only(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DB_DIR_ENV, str(demo_db.parent))


def open_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(f"pages/{page}.py")
    at.query_params.update(params or {})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def link_hints(at: AppTest) -> list[str]:
    return [w.value for w in at.warning if LINK_HINT in w.value]


def link_params(at: AppTest) -> dict[str, list[str]]:
    """The query of the URL shown in 'Link zu dieser Ansicht'."""
    links = [c.value for c in at.code if "?" in c.value and "db=" in c.value]
    assert len(links) == 1, f"one link in the popover: {[c.value for c in at.code]}"
    return urllib.parse.parse_qs(urllib.parse.urlsplit(links[0]).query)


def as_list(value: str | list[str]) -> list[str]:
    return value if isinstance(value, list) else [value]


def as_app_params(query: dict[str, list[str]]) -> dict[str, str | list[str]]:
    return {k: v[0] if len(v) == 1 else v for k, v in query.items()}


@pytest.mark.parametrize("page", list(CASES))
def test_a_link_restores_the_selections(page: str):
    params, expected = CASES[page]
    at = open_page(page, params)
    for key, value in expected.items():
        assert at.session_state[key] == value, key
    assert not link_hints(at), "every value of the link was taken over"
    for name, value in params.items():
        assert as_list(at.query_params[name]) == as_list(value), f"the URL keeps {name}"
    assert at.query_params["db"] == "demo_musterland" and at.query_params["kreis"] == "99001", "sidebar in the URL"


@pytest.mark.parametrize("page", list(CASES))
def test_the_link_control_reproduces_the_view(page: str):
    params, expected = CASES[page]
    first = open_page(page, params)
    query = link_params(first)
    assert {k: as_list(v) for k, v in params.items()}.items() <= query.items()

    second = open_page(page, as_app_params(query))
    for key in [*expected, "year", "kreis_id", "db_path"]:
        assert second.session_state[key] == first.session_state[key], key


def test_overview_widget_changes_write_the_url():
    at = open_page("uebersichtskarte")
    assert "ebene" in at.query_params and at.query_params["jahr"] == "2023", "the view is in the URL from the start"
    at.radio(key="level").set_value("sozialraum").run()
    assert at.query_params["ebene"] == "sozialraum"
    at.selectbox(key="indicator").set_value("altenquotient").run()
    assert at.query_params["kennzahl"] == "altenquotient"
    at.selectbox(key="year").set_value(2021).run()
    assert at.query_params["jahr"] == "2021"
    at.toggle(key="tiles").set_value(True).run()
    assert at.query_params["hintergrund"] == "1"
    at.toggle(key="tiles").set_value(False).run()
    assert "hintergrund" not in at.query_params, "a default stays out of the URL"
    assert link_params(at)["kennzahl"] == ["altenquotient"], "the link follows the widgets"


def test_explorer_widget_changes_write_the_url():
    at = open_page("indikatoren")
    at.selectbox(key="explorer_indicator").set_value("altenquotient").run()
    at.select_slider(key="explorer_k").set_value(6).run()  # classes are chosen for Gemeinden; five Sozialräume get fixed ones
    at.radio(key="explorer_level").set_value("sozialraum").run()
    at.multiselect(key="explorer_series_altenquotient_sozialraum").set_value([OTHER_SOZIALRAUM]).run()
    assert not at.exception
    assert (at.query_params["kennzahl"], at.query_params["ebene"], at.query_params["anzahl"]) == ("altenquotient", "sozialraum", "6")
    assert at.query_params["gebiete"] == OTHER_SOZIALRAUM
    at.text_input(key="explorer_search").input("Quote").run()
    assert at.query_params["suche"] == "Quote"


def test_invalid_link_values_are_ignored_with_a_hint():
    at = open_page("uebersichtskarte", {"jahr": "1850", "kennzahl": "gibt_es_nicht", "db": "fremde_datenbank",
                                        "ebene": "bundesland", "hintergrund": "vielleicht"})  # fmt: skip
    assert at.selectbox(key="year").value == 2023 and at.selectbox(key="indicator").value == "anteil_u6"
    assert at.radio(key="level").value == "gemeinde" and at.toggle(key="tiles").value is False
    hints = link_hints(at)
    assert len(hints) == 1
    for shown in ("jahr=1850", "kennzahl=gibt_es_nicht", "db=fremde_datenbank", "ebene=bundesland", "hintergrund=vielleicht"):
        assert shown in hints[0], shown
    assert at.query_params["jahr"] == "2023" and at.query_params["kennzahl"] == "anteil_u6", "the URL shows what is shown"

    at.run()
    assert not link_hints(at), "the hint is about the link, shown once"


def test_a_partly_valid_list_keeps_the_valid_items_and_says_so():
    at = open_page("kreistag", {"ebene": "sozialraum", "gebiete": [SOZIALRAUM, "99001-SR99"]})
    assert at.multiselect(key="kreistag_areas").value == [SOZIALRAUM]
    assert "gebiete=99001-SR03,99001-SR99" in link_hints(at)[0]


def test_a_pasted_link_overrides_the_session_but_the_sessions_own_url_does_not():
    at = open_page("uebersichtskarte")
    at.radio(key="level").set_value("sozialraum").run()
    at.run()
    assert at.radio(key="level").value == "sozialraum", "reruns keep the widget value"
    at.query_params["ebene"] = "verbandsgemeinde"  # the user edits the address
    at.run()
    assert at.radio(key="level").value == "verbandsgemeinde"


def test_presentation_mode_from_the_url_and_the_toggle():
    at = open_page("uebersichtskarte", {"praesentation": "1"})
    assert at.toggle(key="praesentation").value is True
    assert any("font-size: 21px" in m.value for m in at.markdown), "large type"
    at.toggle(key="praesentation").set_value(False).run()
    assert "praesentation" not in at.query_params
    assert not any("font-size: 21px" in m.value for m in at.markdown)


def test_params_parse_and_dump():
    year = share.Param("year", "jahr", int)
    assert year.parse(["2021"]) == 2021 and year.dump(2021) == ["2021"]
    with pytest.raises(ValueError):
        year.parse(["zwanzig"])
    flag = share.Param("tiles", "hintergrund", bool, default=False)
    assert flag.parse(["ja"]) is True and flag.parse(["0"]) is False
    assert flag.dump(False) == [] and flag.dump(True) == ["1"]
    areas = share.Param("areas", "gebiete", many=True)
    assert areas.parse(["a", "b"]) == ["a", "b"] and areas.dump([]) == [] and areas.dump(["a"]) == ["a"]
    names = {"demo": "/data/demo.duckdb"}
    db = share.Param("db_path", "db", from_url=names.__getitem__, to_url=lambda p: "demo")
    assert db.parse(["demo"]) == "/data/demo.duckdb" and db.dump("/data/demo.duckdb") == ["demo"]
    with pytest.raises(KeyError):
        db.parse(["other"])

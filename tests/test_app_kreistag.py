"""The Kreistag report page with Streamlit's AppTest: choosing areas and indicators, what is offered per level,
the hint when something is missing, and one click → PDF and .docx downloads named after their content."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.queries import DB_DIR_ENV
from reports import render

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "pages/kreistag.py"
SOZIALRAUM = "99001-SR03"


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DB_DIR_ENV, str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def exporter(chromium_path: Path):
    """The shared kaleido browser the page starts, closed after the test."""
    yield render
    render.stop()


def test_asks_for_areas_before_building(app: AppTest):
    assert app.radio(key="kreistag_level").value == "gemeinde"
    assert app.multiselect(key="kreistag_areas").value == []
    indicators = app.multiselect(key="kreistag_indicators")
    assert indicators.value == ["anteil_u18", "anteil_u6", "sgb2_quote", "altenquotient"], "the defaults the demo has"
    assert "Anteil Minderjährige (Demografie)" in indicators.options
    assert any("mindestens ein Gebiet" in i.value for i in app.info)
    assert app.button(key="kreistag_build").disabled


def test_choices_follow_the_level(app: AppTest):
    app.radio(key="kreistag_level").set_value("sozialraum").run()
    areas = app.multiselect(key="kreistag_areas")
    assert len(areas.options) == 5 and "Musterstadt/Rabenbach" in areas.options
    areas.select(SOZIALRAUM).run()
    app.multiselect(key="kreistag_indicators").set_value(["anteil_u18"]).run()
    assert not app.button(key="kreistag_build").disabled
    assert any("1 Gebiet(e), 1 Kennzahl(en)" in c.value for c in app.caption)
    years = app.selectbox(key="kreistag_year").options
    assert years[0] == "je Kennzahl das neueste" and "2023" in years

    app.radio(key="kreistag_level").set_value("gemeinde").run()
    assert app.multiselect(key="kreistag_areas").value == [], "Sozialräume are no Gemeinden"


def test_one_click_gives_pdf_and_word(app: AppTest, exporter):
    app.radio(key="kreistag_level").set_value("sozialraum").run()
    app.multiselect(key="kreistag_areas").set_value([SOZIALRAUM]).run()
    app.multiselect(key="kreistag_indicators").set_value(["anteil_u18", "altenquotient"]).run()
    app.text_input(key="kreistag_title").input("Vorlage Jugendhilfeausschuss").run()
    app.button(key="kreistag_build").click().run()
    assert not app.exception, [e.value for e in app.exception]
    stem = f"kreistag_landkreis-musterland-demodaten_musterstadt-rabenbach_{date.today():%d-%m-%Y}"
    assert [b.proto.help for b in app.get("download_button")] == [f"{stem}.pdf", f"{stem}.docx"]
    assert [b.proto.label for b in app.get("download_button")] == ["PDF herunterladen", "Word (.docx) herunterladen"]

    app.multiselect(key="kreistag_indicators").set_value(["anteil_u18"]).run()
    assert not app.get("download_button"), "another selection: the finished files no longer match it"

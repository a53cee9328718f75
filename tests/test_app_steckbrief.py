"""The Steckbrief page with Streamlit's AppTest: area choice, key indicators against the Kreis from the database,
age pyramid and development, offers by Lebensphase, sources, the area clicked on the map, the PDF download."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planning.formatting import number
from planning.queries import DB_DIR_ENV
from etl.db import connect
from reports import render

APP = str(Path(__file__).resolve().parent.parent / "dashboard" / "app.py")
PAGE = "pages/steckbrief.py"
KREIS = "99001"
SOZIALRAUM = "99001-SR03"


@pytest.fixture
def app(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv(DB_DIR_ENV, str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=60)
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _value(demo_db: Path, area_id: str, indicator_id: str) -> tuple[int, float]:
    with connect(demo_db, read_only=True) as con:
        year, value = con.execute(
            "SELECT year, value FROM observations WHERE area_id = ? AND indicator_id = ? AND status = 'ok' "
            "ORDER BY year DESC LIMIT 1", [area_id, indicator_id],
        ).fetchone()  # fmt: skip
    return int(year), value


def _key_table(at: AppTest):
    return next(df.value for df in at.dataframe if "Kennzahl" in df.value.columns)


def test_opens_on_the_first_gemeinde_with_all_sections(app: AppTest):
    assert app.radio(key="steckbrief_level").value == "gemeinde"
    assert app.selectbox(key="steckbrief_area").value == "99001001", "the first Gemeinde by name (Altenborn)"
    assert [h.value for h in app.header] == ["Steckbrief Gemeinde Altenborn"]
    assert [h.value for h in app.subheader] == ["Kennzahlen im Vergleich zum Kreis", "Angebote nach Lebensphase", "Quellen und Lizenzen"]
    assert len(app.get("plotly_chart")) == 2, "age pyramid and population development"
    assert any("Demodaten" in w.value for w in app.warning)


def test_key_indicators_are_the_areas_values_against_the_kreis(app: AppTest, demo_db: Path):
    app.radio(key="steckbrief_level").set_value("sozialraum").run()
    app.selectbox(key="steckbrief_area").set_value(SOZIALRAUM).run()
    assert not app.exception
    assert app.header[0].value == "Steckbrief Sozialraum Musterstadt/Rabenbach"
    table = _key_table(app).set_index("Kennzahl")
    year, own = _value(demo_db, SOZIALRAUM, "anteil_u18")
    _, kreis = _value(demo_db, KREIS, "anteil_u18")
    row = table.loc["Anteil Minderjährige (%)"]
    assert (row["Jahr"], row["Sozialraum"], row["Kreis"]) == (str(year), number(own, 1), number(kreis, 1))
    assert row["Vergleich mit dem Kreis"] in {"höher", "niedriger", "ähnlich"}
    _, people = _value(demo_db, SOZIALRAUM, "bev_insgesamt")
    assert table.loc["Einwohner insgesamt", "Sozialraum"] == number(people, 0), "German thousands separator"
    offers = next(df.value for df in app.dataframe if "Lebensphase" in df.value.columns)
    assert "0 bis 3 Jahre" in set(offers["Lebensphase"])
    assert any("Demodaten (keine amtlichen Zahlen)" in c.value for c in app.caption), "sources listed"


def test_the_area_clicked_on_the_map_is_profiled(demo_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(DB_DIR_ENV, str(demo_db.parent))
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.radio(key="level").set_value("sozialraum").run()
    component_key = at.get("component_instance")[0].proto.id.split("-", 2)[-1]
    at.session_state[component_key] = {"last_active_drawing": {"properties": {"area_id": SOZIALRAUM}}}
    at.run()
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.radio(key="steckbrief_level").value == "sozialraum"
    assert at.selectbox(key="steckbrief_area").value == SOZIALRAUM


@pytest.fixture
def exporter(chromium_path: Path):
    """The shared kaleido browser the page starts, closed after the test."""
    yield render
    render.stop()


def test_pdf_download(app: AppTest, exporter):
    app.selectbox(key="steckbrief_area").set_value("99001041").run()
    app.button(key="steckbrief_build").click().run()
    assert not app.exception
    buttons = app.get("download_button")
    assert [b.proto.help for b in buttons] == ["steckbrief_gemeinde_musterstadt_landkreis-musterland-demodaten.pdf"]
    app.selectbox(key="steckbrief_area").set_value("99001001").run()
    assert not app.get("download_button"), "another area: the old PDF is not offered for it"

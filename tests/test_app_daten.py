"""The page "Daten" under AppTest: upload → preview with report → draft → publish → the pages show the new figures →
roll back → the old database byte-identical; bad uploads get a message naming sheet/file, row and column."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.own_indicator_fixtures import GOOD_META, filled, good_values
from tests.page_helpers import open_page, rerun
from workspace.storage import Workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE = "pages/daten.py"


@pytest.fixture
def db_dir(demo_db: Path, tmp_path: Path, monkeypatch) -> Path:
    """A folder with a copy of the demo database and its own workspace (demo mode: no login, planner's rights)."""
    folder = tmp_path / "db"
    folder.mkdir()
    shutil.copy(demo_db, folder / "demo_musterland.duckdb")
    monkeypatch.delenv("PLANUNGSATLAS_AUTH", raising=False)
    monkeypatch.delenv("PLANUNGSATLAS_WORKSPACE_URL", raising=False)
    yield folder
    Workspace.close_all()


@pytest.fixture(scope="module")
def gemeinden(demo_db) -> list[str]:
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return [r[0] for r in con.sql("SELECT area_id FROM areas WHERE level = 'gemeinde' ORDER BY area_id").fetchall()]


def _texts(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "success", "error", "warning", "info") for e in at.get(kind)]
    return "\n".join(str(p) for p in parts)


def _upload(at, kind: str, name: str, content: bytes, mime: str = XLSX):
    at.radio(key="daten_kind").set_value(kind)
    rerun(at)
    at.file_uploader[0].set_value((name, content, mime))
    return rerun(at)


def test_upload_preview_publish_shows_new_figures_and_rollback_restores_the_bytes(db_dir, gemeinden, monkeypatch, tmp_path):
    live = db_dir / "demo_musterland.duckdb"
    original = hashlib.sha256(live.read_bytes()).hexdigest()
    at = open_page(db_dir, monkeypatch, PAGE)
    assert at.title[0].value.startswith("Daten")
    assert [b.label for b in at.get("download_button")][:1] == ["Vorlage „Eigene Indikatoren“ (.xlsx)"]
    table = filled(tmp_path / "eigene_indikatoren.xlsx", GOOD_META, good_values(gemeinden))
    _upload(at, "eigene_indikatoren", table.name, table.read_bytes())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Zeilen, die geladen werden"] == str(3 * len(gemeinden) + 1) and metrics["Zeilen im Prüfbericht"] == "0"
    assert "Indikator" in list(at.dataframe[0].value.columns) or any("Indikator" in df.value.columns for df in at.dataframe)
    changes = next(df.value for df in at.dataframe if "Änderung" in df.value.columns)
    assert set(changes["Bezeichnung"]) == {"Kinder auf der Kita-Warteliste", "Willkommensbesuche"}
    assert not at.button(key="daten_save").disabled
    at.button(key="daten_save").click()
    rerun(at)
    assert "Entwurf Nr. 1 gespeichert" in _texts(at)
    assert hashlib.sha256(live.read_bytes()).hexdigest() == original  # a draft changes nothing
    assert any("eigene_indikatoren.xlsx" in e.label for e in at.expander)

    at.button(key="daten_publish").click()
    rerun(at)
    assert "Version 2 veröffentlicht" in _texts(at), _texts(at)
    versions = next(df.value for df in at.dataframe if "Version" in df.value.columns)
    assert list(versions["Version"]) == [2, 1] and list(versions["Aktion"]) == ["Veröffentlicht", "Ausgangsstand"]
    assert "Indikatoren: 2 neu" in versions["Änderungen"].iloc[0] and versions["Wer"].iloc[0] == "demo"
    assert hashlib.sha256(live.read_bytes()).hexdigest() != original
    assert Workspace.open().uploads("demo_musterland", status="veroeffentlicht")[0].filename == "eigene_indikatoren.xlsx"

    # the Indikatoren page lists the county's indicator with its values, like a catalogue indicator
    at.switch_page("pages/indikatoren.py")
    rerun(at)
    picker = at.selectbox(key="explorer_indicator")
    assert "kita_warteliste" in picker.options or "Kinder auf der Kita-Warteliste" in " ".join(picker.options)
    picker.set_value("kita_warteliste")
    rerun(at)
    shown = _texts(at) + " ".join(str(df.value.to_dict()) for df in at.dataframe)
    assert "Kita-Warteliste" in shown and "7,5" in shown

    at.switch_page(PAGE)
    rerun(at)
    at.selectbox(key="daten_rollback_to").set_value(1)
    at.button(key="daten_rollback").click()
    rerun(at)
    assert "Version 1 ist wieder live" in _texts(at)
    assert hashlib.sha256(live.read_bytes()).hexdigest() == original  # byte-identical
    versions = next(df.value for df in at.dataframe if "Version" in df.value.columns)
    assert versions["Aktion"].iloc[0] == "Zurückgesetzt auf Version 1"


def test_a_stale_publish_is_refused_and_the_draft_stays(db_dir, gemeinden, monkeypatch, tmp_path):
    from workspace import versions

    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    versions.register_initial(Workspace.open(), db_dir / "demo_musterland.duckdb", "system")  # version 1 live
    at = open_page(db_dir, monkeypatch, PAGE)
    table = filled(tmp_path / "eigene.xlsx", GOOD_META, good_values(gemeinden))
    _upload(at, "eigene_indikatoren", table.name, table.read_bytes())
    at.button(key="daten_save").click()
    rerun(at)
    # another planner rolls back meanwhile (the page still shows version 1)
    versions.rollback(Workspace.open(), db_dir / "demo_musterland.duckdb", 1, "bert")
    at.button(key="daten_publish").click()
    rerun(at)
    assert "Inzwischen hat bert" in _texts(at) and "Nichts ist verloren" in _texts(at)
    assert [u.filename for u in Workspace.open().uploads("demo_musterland")] == ["eigene.xlsx"]


BAD = {
    "falsches Format": ("angebote", "liste.csv", b"Bezeichnung;Art\nKita Sonnenschein;Kita\n", "text/csv",
                        "Datei liste.csv, Zeile 1: Spalten angebotsart, name fehlen"),
    "falscher Schlüssel": ("eigene_indikatoren", [["familienbesuche", "07235001", "", 2023, 3, None, None]], GOOD_META, None,
                           "Blatt „Werte“, Zeile 2, Spalte Gebietsschlüssel"),
    "falsches Jahr": ("eigene_indikatoren", [["familienbesuche", "99001", "", 2123, 3, None, None]], GOOD_META, None,
                      "Blatt „Werte“, Zeile 2, Spalte Jahr"),
    "doppelte id": ("eigene_indikatoren", [], [GOOD_META[0], GOOD_META[0]], None, "Blatt „Metadaten“, Zeile 3, Spalte id"),
    "Lizenz fehlt": ("eigene_indikatoren", [], [[*GOOD_META[0][:6], None, GOOD_META[0][7]]], None,
                     "Blatt „Metadaten“, Zeile 2, Spalte Lizenz"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_previews_name_the_place_and_cannot_be_saved(case, db_dir, monkeypatch, tmp_path):
    kind, a, b, mime, expected = BAD[case]
    if kind == "angebote":
        name, content = a, b
    else:
        path = filled(tmp_path / "eigene.xlsx", b, a)
        name, content, mime = path.name, path.read_bytes(), XLSX
    at = open_page(db_dir, monkeypatch, PAGE)
    before = hashlib.sha256((db_dir / "demo_musterland.duckdb").read_bytes()).hexdigest()
    _upload(at, kind, name, content, mime)
    errors = " ".join(e.value for e in at.error)
    assert expected in errors.replace("\\", ""), errors
    assert "Erwartet" in errors and "Abhilfe" in errors
    assert at.button(key="daten_save").disabled
    assert hashlib.sha256((db_dir / "demo_musterland.duckdb").read_bytes()).hexdigest() == before


def test_an_offer_list_replaces_the_configured_one_and_the_angebotskarte_lists_the_new_offer(db_dir, monkeypatch):
    from tests.test_workspace_upload import demo_offer_rows, rows_xlsx

    rows = demo_offer_rows()
    added = list(rows[1])
    added[0], added[1] = "ML-NEU", "Familiencafé Neubeginn"
    at = open_page(db_dir, monkeypatch, PAGE)
    _upload(at, "angebote", "angebote_musterland_demodaten.xlsx", rows_xlsx([*rows, added]))
    # the configured list of that name lends its choices: Datenstand and the public flag of config/demo_musterland.toml
    assert str(at.date_input(key="daten_stand").value) == "2023-12-31" and at.checkbox(key="daten_public").value
    changes = next(df.value for df in at.dataframe if "Änderung" in df.value.columns)
    assert list(zip(changes["Änderung"], changes["Bezeichnung"])) == [("neu", "Familiencafé Neubeginn")]
    report = next(df.value for df in at.dataframe if "Problem" in df.value.columns)  # the demo list's planted faults
    assert len(report) >= 5 and {"verworfen", "geladen"} <= set(report["Ergebnis"]) and report["Zeile"].notna().all()
    assert {m.label: m.value for m in at.metric}["Zeilen im Prüfbericht"] == str(len(report))
    at.button(key="daten_save").click()
    rerun(at)
    at.button(key="daten_publish").click()
    rerun(at)
    assert "Version 2 veröffentlicht" in _texts(at) and "Angebot: 1 neu" in _texts(at), _texts(at)
    at.switch_page("pages/angebotskarte.py")
    rerun(at)
    names = set().union(*(set(df.value[c].astype(str)) for df in at.dataframe for c in df.value.columns if c in ("Name", "Angebot")))
    assert "Familiencafé Neubeginn" in names


def test_a_publish_without_the_right_is_refused_and_logged(db_dir, gemeinden, monkeypatch, tmp_path):
    """A role that may open the page and upload, but not publish: the page says so, and a click sent anyway is refused
    on the server at the moment of the action and written to the audit log; nothing is published."""
    roles = tmp_path / "roles.toml"
    roles.write_text('[roles.public]\npages = []\nactions = []\n\n[roles.planung]\nlabel = "Nur hochladen"\n'
                     'pages = ["daten"]\nactions = ["upload"]\n', encoding="utf-8")  # fmt: skip
    monkeypatch.setenv("PLANUNGSATLAS_ROLES", str(roles))
    monkeypatch.setenv("PLANUNGSATLAS_DB_DIR", str(db_dir))
    from workspace import versions

    live = db_dir / "demo_musterland.duckdb"
    versions.register_initial(Workspace.open(), live, "system")
    before = hashlib.sha256(live.read_bytes()).hexdigest()
    at = open_page(db_dir, monkeypatch, PAGE)
    table = filled(tmp_path / "eigene.xlsx", GOOD_META, good_values(gemeinden))
    _upload(at, "eigene_indikatoren", table.name, table.read_bytes())
    assert not at.button(key="daten_save").disabled  # uploading is allowed
    assert "Ihre Rolle darf nicht veröffentlichen." in _texts(at)
    at.button(key="daten_publish").click()  # what a forged request sends as well
    at.run()
    assert any("Keine Berechtigung für „publish“" in e.value for e in at.error), [e.value for e in at.error] + [_texts(at)]
    log = Workspace.open().audit_log(action="publish")
    assert len(log) == 1 and not log["allowed"].iloc[0] and log["actor"].iloc[0] == "demo"
    assert Workspace.open().current_version("demo_musterland") == 1 and hashlib.sha256(live.read_bytes()).hexdigest() == before


def test_a_hostile_file_name_is_shown_as_text(db_dir, gemeinden, monkeypatch, tmp_path):
    table = filled(tmp_path / "t.xlsx", GOOD_META, good_values(gemeinden))
    hostile = "**fett** [hier klicken](evil.example) $x$ _y_.xlsx"
    at = open_page(db_dir, monkeypatch, PAGE)
    _upload(at, "eigene_indikatoren", hostile, table.read_bytes())
    at.button(key="daten_save").click()
    rerun(at)
    shown = [e.value for e in at.success] + [e.label for e in at.expander]
    assert len(shown) >= 2
    for text in shown:
        assert "__fett__" not in text and "[hier klicken](" not in text and "$x$" not in text, text  # Markdown stays text
    from workspace.draft import safe_name

    assert Workspace.open().uploads("demo_musterland")[0].filename == safe_name(hostile) == "__fett__ [hier klicken](evil.example) $x$ _y_.xlsx"

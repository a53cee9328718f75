"""Uploads checked by the ETL's own readers (rows that load, per-row report, fatal errors, changes against the
published database) and the config of the next version made from the uploads."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from etl.build import build
from etl.config import REPO_ROOT, load_config
from tests.own_indicator_fixtures import GOOD_META, filled, good_values
from workspace.draft import check_upload, draft_config, safe_name
from workspace.draft_changes import changes_text, diff_databases
from workspace_helpers import workspace, workspace_url  # noqa: F401  (fixtures: SQLite and PostgreSQL)

DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
DEMO_LIST = REPO_ROOT / "data" / "demo" / "angebote" / "angebote_musterland_demodaten.csv"
DEMO_MAPPING = REPO_ROOT / "data" / "demo" / "sozialraeume_musterland.csv"


@pytest.fixture(scope="module")
def config():
    return load_config(DEMO_CONFIG)


@pytest.fixture(scope="module")
def gemeinden(demo_db) -> list[str]:
    import duckdb

    with duckdb.connect(str(demo_db), read_only=True) as con:
        return [r[0] for r in con.sql("SELECT area_id FROM areas WHERE level = 'gemeinde' ORDER BY area_id").fetchall()]


def _csv_rows(path: Path) -> list[str]:
    return path.read_bytes().decode("utf-8-sig").splitlines()


def test_the_same_list_again_loads_every_row_and_changes_nothing(config, demo_db):
    check = check_upload("angebote", DEMO_LIST.name, DEMO_LIST.read_bytes(), {"format": "planungsatlas"}, config, demo_db)
    assert check.ok and check.rows > 300
    assert list(check.report.columns) == ["Blatt", "Zeile", "Spalte", "Problem", "Ergebnis"]
    assert set(check.report["Ergebnis"]) >= {"geladen", "verworfen"}  # the demo list has planted faulty rows
    xlsx = REPO_ROOT / "data" / "demo" / "angebote" / "angebote_musterland_demodaten.xlsx"
    again = check_upload("angebote", xlsx.name, xlsx.read_bytes(), {"format": "planungsatlas"}, config, demo_db)
    assert again.ok and again.changes.empty and changes_text(again.changes) == "keine Änderungen"


def test_an_edited_list_shows_new_changed_and_removed_offers(config, demo_db):
    header, *rows = demo_offer_rows()
    removed_name = rows[0][1]
    changed = list(rows[1])
    changed[header.index("traeger")] = "Neuer Träger e. V."
    changed[header.index("telefon")] = "0651 12345"
    added = list(rows[2])
    added[header.index("name")] = "Familiencafé Neubeginn"
    content = rows_xlsx([header, changed, *rows[2:], added])
    check = check_upload("angebote", "angebote_musterland_demodaten.xlsx", content, {"format": "planungsatlas"}, config, demo_db)
    assert check.ok
    by = {kind: part for kind, part in check.changes.groupby("Änderung")}
    assert list(by["neu"]["Bezeichnung"]) == ["Familiencafé Neubeginn"]
    assert list(by["entfernt"]["Bezeichnung"]) == [removed_name]
    assert list(by["geändert"]["Bezeichnung"]) == [changed[1]]
    detail = by["geändert"]["Detail"].iloc[0]
    assert "Träger: " in detail and "→ Neuer Träger e. V." in detail and "Telefon: " in detail and "→ 0651 12345" in detail
    # the same rows as the published list (fields with ';' inside quotes included): no change at all
    assert check_upload("angebote", "angebote_musterland_demodaten.xlsx", rows_xlsx([header, *rows]), {"format": "planungsatlas"},
                        config, demo_db).changes.empty  # fmt: skip


def demo_offer_rows() -> list[list[str]]:
    """The demo offer list's cells (read as CSV: quoted fields keep their ';')."""
    return list(csv.reader(io.StringIO(DEMO_LIST.read_bytes().decode("utf-8-sig")), delimiter=";"))


def rows_xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind, filename, content, meta, expected", [
    ("angebote", "liste.csv", b"Bezeichnung;Art\nKita;Kita\n", {"format": "planungsatlas"}, "Datei liste.csv, Zeile 1: Spalten angebotsart, name fehlen"),
    ("angebote", "liste.csv", b"name;angebotsart\nKita;Kita\n", {"format": "gibtsnicht"}, "Format 'gibtsnicht'"),
    ("statistik", "tabelle.csv", b"a;b\n1;2\n", {"table": "12411-02-03-5"}, "tabelle.csv"),
    ("statistik", "tabelle.csv", b"a;b\n", {"table": "00000"}, "Tabelle '00000' ist nicht beschrieben"),
    ("eigene_indikatoren", "werte.xlsx", b"kein excel", {}, "keine lesbare Excel-Datei"),
    ("sozialraeume", "sr.csv", b"gemeinde_ags;sozialraum\n07235001;Nord\n", {}, "Zeile 2, Spalte gemeinde_ags"),
    ("irgendwas", "x.csv", b"", {}, "Unbekannte Art des Uploads"),
])  # fmt: skip
def test_a_file_that_cannot_load_is_a_fatal_error_naming_file_and_place(kind, filename, content, meta, expected, config, demo_db):
    check = check_upload(kind, filename, content, meta, config, demo_db)
    assert not check.ok and check.rows == 0
    assert expected in check.errors[0]
    assert "/tmp/" not in check.errors[0] and "planungsatlas-upload-" not in check.errors[0]  # the upload's name, not a temp path


@pytest.mark.parametrize("case, meta, values, sheet, row, column", [
    ("falscher Schlüssel", GOOD_META, [["familienbesuche", "07235001", "", 2023, 3, None, None]], "Werte", 2, "Gebietsschlüssel"),
    ("falsches Jahr", GOOD_META, [["familienbesuche", "99001", "", 1850, 3, None, None]], "Werte", 2, "Jahr"),
    ("doppelte id", [GOOD_META[1], GOOD_META[1]], [], "Metadaten", 3, "id"),
    ("Lizenz fehlt", [[*GOOD_META[1][:6], "", *GOOD_META[1][7:]]], [], "Metadaten", 2, "Lizenz"),
])  # fmt: skip
def test_bad_own_indicator_tables_are_reported_by_sheet_row_and_column(case, meta, values, sheet, row, column, config, demo_db, tmp_path):
    path = filled(tmp_path / "eigene.xlsx", meta, values)
    check = check_upload("eigene_indikatoren", path.name, path.read_bytes(), {}, config, demo_db)
    assert not check.ok and check.rows == 0, case
    first = check.report.iloc[0]
    assert (first["Blatt"], first["Zeile"], first["Spalte"]) == (sheet, row, column)
    assert f"Blatt „{sheet}“, Zeile {row}, Spalte {column}" in check.errors[0]


def test_own_indicators_new_and_changed_against_the_published_version(config, demo_db, gemeinden, tmp_path):
    first = filled(tmp_path / "eigene.xlsx", GOOD_META, good_values(gemeinden))
    check = check_upload("eigene_indikatoren", first.name, first.read_bytes(), {}, config, demo_db)
    assert check.ok and check.rows == 3 * len(gemeinden) + 1
    assert set(check.changes["Art"]) == {"Indikator"} and set(check.changes["Änderung"]) == {"neu"}
    # published with it, the same file again with one changed value and a new year is "geändert" and "Jahr neu"
    published = tmp_path / "mit_eigenen.duckdb"
    from dataclasses import replace

    build([replace(config, own_indicators=[first])], published, say=lambda _: None)
    values = good_values(gemeinden)
    values[-1][4] = 99  # familienbesuche of the last Gemeinde in 2023
    values.append(["familienbesuche", "99001", "", 2024, 500, None, None])
    second = filled(tmp_path / "neu" / "eigene.xlsx" if (tmp_path / "neu").mkdir() is None else None, GOOD_META, values)
    again = check_upload("eigene_indikatoren", "eigene.xlsx", second.read_bytes(), {}, config, published)
    assert again.ok, again.errors  # same file name: its ids are not "taken"
    rows = {(r["Änderung"], r["Art"]): r["Detail"] for _, r in again.changes.iterrows()}
    assert rows[("neu", "Jahr")] == "2024: 1 Wert" and rows[("geändert", "Werte")] == "2023: 1 Wert anders als veröffentlicht"
    # the same ids under another file name would collide with the published ones
    other = check_upload("eigene_indikatoren", "andere.xlsx", second.read_bytes(), {}, config, published)
    assert not other.ok and "gibt es schon" in other.errors[0]
    # the database diff of the two versions names the new indicators
    diff = diff_databases(demo_db, published)
    assert {"Kinder auf der Kita-Warteliste", "Willkommensbesuche"} <= set(diff.loc[diff["Art"] == "Indikator", "Bezeichnung"])


def test_a_sozialraum_mapping_upload_shows_the_gemeinden_that_move(config, demo_db):
    lines = _csv_rows(DEMO_MAPPING)
    first = lines[1].split(";")
    first[-1] = "Neuer Sozialraum"
    text = "\n".join([lines[0], ";".join(first), *lines[2:]]).encode("utf-8")
    check = check_upload("sozialraeume", "sr.csv", text, {}, config, demo_db)
    assert check.ok and check.rows == len(lines) - 1
    assert ("neu", "Sozialraum", "Neuer Sozialraum") in set(zip(check.changes["Änderung"], check.changes["Art"], check.changes["Bezeichnung"]))
    assert (check.changes["Art"] == "Zuordnung").sum() == 1


def test_draft_config_replaces_lists_of_the_same_name_and_adds_the_rest(config, gemeinden, tmp_path, workspace):
    ws = workspace
    xlsx = REPO_ROOT / "data" / "demo" / "angebote" / "angebote_musterland_demodaten.xlsx"
    own = filled(tmp_path / "eigene.xlsx", GOOD_META, good_values(gemeinden))
    ids = [
        ws.add_upload("demo", "angebote", xlsx.name, xlsx.read_bytes(), "anna", {"format": "planungsatlas", "stand": "2025-01-01", "covers": ["kita"]}),
        ws.add_upload("demo", "angebote", "neue_liste.csv", DEMO_LIST.read_bytes(), "anna", {"format": "planungsatlas", "public": True}),
        ws.add_upload("demo", "eigene_indikatoren", "../eigene.xlsx", own.read_bytes(), "anna"),
        ws.add_upload("demo", "sozialraeume", "sr.csv", DEMO_MAPPING.read_bytes(), "anna", {"status": "amtlich", "source": "Kreistag 2025"}),
    ]  # fmt: skip
    drafted = draft_config(config, ws.uploads("demo"), tmp_path / "draft", ws, "demo")
    assert [o.path.name for o in drafted.offers] == [xlsx.name, "neue_liste.csv"]
    assert drafted.offers[0].stand == "2025-01-01" and drafted.offers[0].covers == ("kita",) and drafted.offers[1].public
    assert drafted.offers[0].path.read_bytes() == xlsx.read_bytes() and str(tmp_path / "draft") in str(drafted.offers[0].path)
    assert [p.name for p in drafted.own_indicators] == ["eigene.xlsx"]  # the folder part of a sent name is dropped
    assert drafted.sozialraum_status == "amtlich" and drafted.sozialraum_source == "Kreistag 2025"
    assert drafted.statistics == config.statistics and len(ids) == 4
    # a mapping made in the app later than the upload wins
    mapping = [line.split(";") for line in _csv_rows(DEMO_MAPPING)[1:]]
    import pandas as pd

    ws.save_sozialraum_mapping("demo", pd.DataFrame({"gemeinde_id": [m[0] for m in mapping], "sozialraum": "Alle"}), "Arbeitsannahme", "Planungsrunde", "bert")
    later = draft_config(config, ws.uploads("demo"), tmp_path / "draft2", ws, "demo")
    assert later.sozialraum_status == "Arbeitsannahme" and later.sozialraum_source == "Planungsrunde"
    assert "Alle" in later.sozialraum_mapping.read_text(encoding="utf-8")


def test_safe_names_keep_the_file_name_only():
    assert safe_name("C:\\Users\\x\\Angebote 2025.xlsx") == "Angebote 2025.xlsx"
    assert safe_name("../../etc/passwd") == "passwd" and safe_name("..") == "upload" and safe_name("a<b>.csv") == "a_b_.csv"


def test_the_base_config_is_the_recipe_or_the_kreis_with_the_reason(demo_db, tmp_path):
    import shutil

    import duckdb

    from workspace.draft import base_config

    config, reason = base_config(demo_db, "99001")
    assert config.file == DEMO_CONFIG.resolve() and reason is None
    unknown = tmp_path / "unbekannt.duckdb"
    shutil.copy(demo_db, unknown)
    with duckdb.connect(str(unknown)) as con:
        con.execute("UPDATE build_log SET message = '/nirgends/gibts_nicht.toml' WHERE topic IN ('config', 'config_path')")
    config, reason = base_config(unknown, "99001")
    assert config.ags == "99001" and "gibts_nicht.toml" in reason  # uploads can still be checked; publishing says why not


def test_a_statistics_export_again_changes_nothing_and_an_edited_value_is_named(config, demo_db):
    path = REPO_ROOT / "data" / "demo" / "statistics" / "12411-01-01-5_musterland.csv"
    raw = path.read_bytes()
    same = check_upload("statistik", path.name, raw, {"table": "12411-01-01-5"}, config, demo_db)
    assert same.ok and same.rows > 500 and same.changes.empty and same.report.empty
    # Altenborn's population 2023: 1267 → 1300 (male and female unchanged)
    edited = raw.replace(b"99001001;        Altenborn;1267;", b"99001001;        Altenborn;1300;")
    assert edited != raw
    check = check_upload("statistik", path.name, edited, {"table": "12411-01-01-5"}, config, demo_db)
    assert list(zip(check.changes["Änderung"], check.changes["Art"], check.changes["Detail"])) == [
        ("geändert", "Werte", "2023: 1 Wert anders als veröffentlicht")]  # fmt: skip
    assert check.changes["Bezeichnung"].iloc[0] == "Einwohner insgesamt"

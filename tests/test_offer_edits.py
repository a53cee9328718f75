"""Planners' offer edits and duplicate merges: checked like an import, applied on every build, keyed so that they
survive the next import of the same lists (etl/offer_keys.py, etl/offer_edits.py, etl/sources/offer_overlay.py)."""
from __future__ import annotations

import dataclasses
import json

import duckdb
import openpyxl
import pandas as pd
import pytest

from etl.build import build
from etl.config import load_config
from etl.errors import EtlError
from etl.offer_edits import check_edit
from etl.offer_keys import offer_keys
from etl.sources.offer_overlay import read_overlay, write_overlay
from etl.sources.offers import read_offer_list

DEMO_CONFIG = "config/demo_musterland.toml"


@pytest.mark.parametrize(("field", "raw", "value"), [
    ("kapazitaet", "45", 45.0), ("kapazitaet", "12,5", 12.5), ("kapazitaet", "", None), ("alter_von", 3, 3.0),
    ("lon", "6,6401", 6.6401), ("gueltig_ab", "2026-08-01", "2026-08-01"), ("gueltig_bis", "1.8.2027", "2027-08-01"),
    ("oeffentlich", True, True), ("oeffentlich", "nein", False), ("webseite", "www.kita.de", "https://www.kita.de"),
    ("offer_type", "kita", "kita"), ("barrierefrei", "teilweise", "teilweise"), ("name", "  Kita Regenbogen ", "Kita Regenbogen"),
])  # fmt: skip
def test_an_edit_that_fits_is_taken_as_a_list_cell_would_be(field, raw, value):
    checked = check_edit(field, raw)
    assert checked.ok, checked.message
    assert checked.value == value


@pytest.mark.parametrize(("field", "raw", "words"), [
    ("kapazitaet", "viele", "keine gültige Zahl"), ("kapazitaet", "-3", "keine gültige Zahl"), ("lat", "0", "nicht in Deutschland"),
    ("email", "kita at example", "keine gültige Angabe"), ("gueltig_ab", "31.02.2026", "kein Datum"), ("name", "", "nicht leer"),
    ("offer_type", "Spielplatz", "unbekannte Angebotsart"), ("name", "Kita\x07", "Steuerzeichen"), ("offer_id", "x", "nicht bearbeitbar"),
    ("oeffentlich", "vielleicht", "weder ja noch nein"), ("beschreibung", "x" * 1600, "Zeichen lang"),
])  # fmt: skip
def test_an_edit_that_does_not_fit_says_what_would(field, raw, words):
    checked = check_edit(field, raw)
    assert not checked.ok
    assert words in checked.message


def test_keys_survive_a_reimport_with_rows_in_another_order(tmp_path, repo_root):
    config = load_config(repo_root / DEMO_CONFIG)
    entry = config.offers[0]
    first = read_offer_list(entry.path, entry.format, entry.encoding)
    sheet = openpyxl.load_workbook(entry.path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    book = openpyxl.Workbook()
    for row in [rows[0], *reversed(rows[1:])]:
        book.active.append(row)
    shuffled = tmp_path / entry.path.name
    book.save(shuffled)
    second = read_offer_list(shuffled, entry.format, entry.encoding)
    assert first.offers["offer_key"].is_unique
    assert dict(zip(first.offers["offer_key"], first.offers["name"])) == dict(zip(second.offers["offer_key"], second.offers["name"]))


def test_equal_rows_of_one_list_get_numbered_keys():
    rows = pd.DataFrame({"offer_type": ["kita"] * 2, "name": ["Kita A"] * 2, "strasse": ["Weg 1"] * 2, "plz": [""] * 2, "ort": [""] * 2})
    keys = offer_keys("liste.csv", rows).tolist()
    assert keys[1] == keys[0] + "#2"


@pytest.fixture(scope="module")
def edited_build(tmp_path_factory, repo_root):
    """The demo county built once plain and once with edits, a bad edit, an edit of a vanished offer and a merge."""
    folder = tmp_path_factory.mktemp("edits")
    config = load_config(repo_root / DEMO_CONFIG)
    plain = folder / "plain.duckdb"
    build([config], plain, say=lambda _: None)
    with duckdb.connect(str(plain), read_only=True) as con:
        offers = con.sql("SELECT * FROM offers ORDER BY offer_id").df()
    kita = offers[offers["offer_type"] == "kita"].iloc[0]
    pair = offers[offers["offer_type"] == "jugendarbeit"].iloc[:2] if (offers["offer_type"] == "jugendarbeit").sum() >= 2 else offers.iloc[1:3]
    edits = pd.DataFrame([
        (kita.offer_key, "kapazitaet", "77", "mueller", "2026-12-05T10:00:00"),
        (kita.offer_key, "name", "Kita Umbenannt", "mueller", "2026-12-05T10:01:00"),
        (kita.offer_key, "email", "keine adresse", "mueller", "2026-12-05T10:02:00"),
        (kita.offer_key, "lat", str(round(kita.lat + 0.001, 6)), "mueller", "2026-12-05T10:03:00"),
        (kita.offer_key, "lon", str(kita.lon), "mueller", "2026-12-05T10:03:00"),
        ("verschwunden00000", "kapazitaet", "5", "mueller", "2026-12-05T10:04:00"),
    ], columns=["offer_key", "field", "value", "by", "at"])  # fmt: skip
    merges = pd.DataFrame([(pair.iloc[0].offer_key, pair.iloc[1].offer_key, "mueller", "2026-12-05T10:05:00")], columns=["keep", "drop", "by", "at"])
    overlay = write_overlay(folder / "bearbeitungen.json", edits, merges)
    edited = folder / "edited.duckdb"
    summary = build([dataclasses.replace(config, offer_overlay=overlay)], edited, say=lambda _: None)
    con = duckdb.connect(str(edited), read_only=True)
    yield con, offers, kita, pair, summary
    con.close()


def test_edits_reach_the_published_offer(edited_build):
    con, _, kita, _, _ = edited_build
    row = con.execute("SELECT name, kapazitaet, email, lat, offer_key FROM offers WHERE offer_key = ?", [kita.offer_key]).df().iloc[0]
    assert (row["name"], row["kapazitaet"]) == ("Kita Umbenannt", 77.0)
    assert row["lat"] == pytest.approx(kita.lat + 0.001, abs=1e-6)
    assert row["email"] == kita.email  # the bad edit is not applied: the list's value stays


def test_a_bad_edit_is_in_the_import_report(edited_build):
    con, _, kita, _, _ = edited_build
    report = con.execute("SELECT source_column, problem, action FROM import_report WHERE row = ? AND source_column LIKE 'Bearbeitung%'",
                         [int(kita.source_row)]).df()  # fmt: skip
    assert report.values.tolist() == [["Bearbeitung E-Mail", "'keine adresse' ist keine gültige Angabe (erwartet: eine E-Mail-Adresse "
                                       "wie beratung@beispiel.de; höchstens 254 Zeichen)", "Bearbeitung nicht übernommen"]]  # fmt: skip


def test_an_edit_of_a_vanished_offer_is_a_finding_not_lost(edited_build):
    *_, summary = edited_build
    assert any("verschwunden00000" in w and "nicht übernommen" in w for w in summary.warnings)


def test_a_merge_keeps_one_offer_and_reports_the_other(edited_build):
    con, plain, _, pair, _ = edited_build
    keys = set(con.sql("SELECT offer_key FROM offers").df()["offer_key"])
    assert pair.iloc[0].offer_key in keys and pair.iloc[1].offer_key not in keys
    assert len(keys) == len(plain) - 1
    merged = con.execute("SELECT problem, action FROM import_report WHERE source_column = 'Dublette' AND row = ?",
                         [int(pair.iloc[1].source_row)]).df()  # fmt: skip
    assert merged["action"].tolist() == ["verworfen (zusammengeführt)"]


def test_the_overlay_is_a_source_of_the_database(edited_build):
    con, *_ = edited_build
    sources = con.sql("SELECT kind, file, rows FROM sources WHERE kind = 'offer_edits'").df()
    assert sources.values.tolist() == [["offer_edits", "bearbeitungen.json", 7]]


def test_a_damaged_overlay_stops_the_build_with_its_file_named(tmp_path):
    damaged = tmp_path / "bearbeitungen.json"
    damaged.write_text(json.dumps({"format": "etwas anderes"}), encoding="utf-8")
    with pytest.raises(EtlError) as caught:
        read_overlay(damaged)
    assert "bearbeitungen.json" in str(caught.value) and "keine Angebotsbearbeitung" in str(caught.value)

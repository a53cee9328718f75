"""The county's own indicator tables: template, reader (every bad input named by sheet, row, column) and build."""
from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import duckdb
import openpyxl
import pytest

from etl.build import build
from etl.config import REPO_ROOT, load_config
from etl.errors import EtlError
from etl.own_indicator_template import template_xlsx
from etl.own_indicators import catalogue_topics
from etl.sources.own_indicators import check_areas, read_own_indicators
from tests.own_indicator_fixtures import GOOD_META, filled, good_values

DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"


@pytest.fixture(scope="module")
def demo_areas(demo_db: Path):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        return con.sql("SELECT area_id, name, level, parent_id, kreis_id, sozialraum_id FROM areas").df()


@pytest.fixture(scope="module")
def gemeinden(demo_areas) -> list[str]:
    return sorted(demo_areas.loc[demo_areas["level"] == "gemeinde", "area_id"])


def _read(path: Path, areas=None, kreis: str = "99001"):
    from etl.catalogue import load_catalogue

    table = read_own_indicators(path, set(load_catalogue().index), catalogue_topics())
    if areas is not None:
        check_areas(table, areas, kreis)
    return table


def test_template_has_the_sheets_choices_and_every_area_key(demo_areas, tmp_path):
    book = openpyxl.load_workbook(io.BytesIO(template_xlsx(demo_areas, catalogue_topics())))
    assert book.sheetnames == ["Anleitung", "Metadaten", "Listen", "Werte", "Gebiete"]
    assert [c.value for c in book["Metadaten"][1]][:8] == [
        "id", "Bezeichnung", "Einheit", "Definition", "Polarität", "Quelle", "Lizenz", "Handlungsfeld"]  # fmt: skip
    assert [c.value for c in book["Werte"][1]] == ["Indikator", "Gebietsschlüssel", "Gebiet", "Jahr", "Wert", "Zähler", "Nenner"]
    keys = [r[0] for r in book["Gebiete"].iter_rows(min_row=2, values_only=True)]
    assert keys[0] == "99001" and set(keys) == set(demo_areas.loc[demo_areas["level"] != "land", "area_id"])
    assert all(isinstance(k, str) for k in keys)  # text, so Excel keeps leading zeros
    choices = [v.formula1 for v in book["Metadaten"].data_validations.dataValidation]
    assert '"höher ist besser,höher ist schlechter,neutral"' in choices
    # the empty template reads as nothing to load, without a problem
    empty = tmp_path / "leer.xlsx"
    empty.write_bytes(template_xlsx(demo_areas))
    table = _read(empty, demo_areas)
    assert table.problems == [] and table.indicators.empty and table.values.empty


def test_a_good_table_reads_with_values_rates_and_counts(demo_areas, gemeinden, tmp_path):
    table = _read(filled(tmp_path / "gut.xlsx", GOOD_META, good_values(gemeinden)), demo_areas)
    assert table.problems == []
    meta = table.indicators.set_index("indicator_id")
    assert meta.at["kita_warteliste", "kind"] == "rate" and meta.at["kita_warteliste", "per"] == 100
    assert meta.at["kita_warteliste", "polarity"] == "higher_is_worse"
    assert meta.at["familienbesuche", "kind"] == "count" and meta.at["familienbesuche", "licence"] == "nur für die interne Planung"
    first = table.values[(table.values["indicator_id"] == "kita_warteliste") & (table.values["area_id"] == gemeinden[0])].iloc[0]
    assert first["value"] == pytest.approx(3 / 40 * 100)  # computed from Zähler and Nenner
    assert len(table.values) == 3 * len(gemeinden) + 1


def test_a_key_that_lost_its_leading_zero_in_excel_is_taken_with_it(tmp_path):
    import pandas as pd

    areas = pd.DataFrame({"area_id": ["07235", "07235001"], "name": ["K", "G"], "level": ["kreis", "gemeinde"], "kreis_id": ["07235", "07235"]})
    path = filled(tmp_path / "zahl.xlsx", GOOD_META[:1], [["kita_warteliste", 7235001, "", 2023, 5.0, None, None]])
    table = _read(path, areas, "07235")
    assert table.problems == [] and list(table.values["area_id"]) == ["07235001"]


BAD = {
    "falscher Schlüssel": (GOOD_META, [["familienbesuche", "07235001", "", 2023, 3, None, None]], "Werte", 2, "Gebietsschlüssel",
                           "kein Gebiet des Kreises 99001"),
    "Land statt Kreis": (GOOD_META, [["familienbesuche", "09", "", 2023, 3, None, None]], "Werte", 2, "Gebietsschlüssel", "kein Gebiet"),
    "Jahr in der Zukunft": (GOOD_META, [["familienbesuche", "99001", "", 3023, 3, None, None]], "Werte", 2, "Jahr", "Jahr „3023“"),
    "Schuljahr": (GOOD_META, [["familienbesuche", "99001", "", "2023/24", 3, None, None]], "Werte", 2, "Jahr", "ungültig"),
    "id im Katalog": ([["bev_insgesamt", *GOOD_META[0][1:]]], [], "Metadaten", 2, "id", "gibt es schon im Indikatorenkatalog"),
    "id doppelt": ([GOOD_META[0], GOOD_META[0]], [], "Metadaten", 3, "id", "doppelt (auch Zeile 2)"),
    "Lizenz fehlt": ([[*GOOD_META[0][:6], None, GOOD_META[0][7]]], [], "Metadaten", 2, "Lizenz", "Lizenz fehlt"),
    "Wert kein Zahl": (GOOD_META, [["familienbesuche", "99001", "", 2023, "viele", None, None]], "Werte", 2, "Wert", "„viele“ ist keine Zahl"),
    "Zähler > Nenner": (GOOD_META, [["kita_warteliste", "99001", "", 2023, None, 50, 40]], "Werte", 2, "Zähler", "größer als der Nenner"),
    "Nenner fehlt": (GOOD_META, [["kita_warteliste", "99001", "", 2023, None, 5, None]], "Werte", 2, "Nenner", "Nenner fehlt"),
    "Wert passt nicht": (GOOD_META, [["kita_warteliste", "99001", "", 2023, 50, 5, 40]], "Werte", 2, "Wert", "passt nicht"),
    "unbekannter Indikator": (GOOD_META, [["kita_wartelist", "99001", "", 2023, 5, None, None]], "Werte", 2, "Indikator", "kita_wartelist"),
    "doppelte Zeile": (GOOD_META, [["familienbesuche", "99001", "", 2023, 3, None, None]] * 2, "Werte", 3, "Gebietsschlüssel", "doppelt"),
    "Polarität": ([[*GOOD_META[0][:4], "gut", *GOOD_META[0][5:]]], [], "Metadaten", 2, "Polarität", "„gut“ ist unbekannt"),
    "Handlungsfeld": ([[*GOOD_META[0][:7], "Sport"]], [], "Metadaten", 2, "Handlungsfeld", "„Sport“ ist unbekannt"),
    "ungültige id": ([["Kita Warteliste", *GOOD_META[0][1:]]], [], "Metadaten", 2, "id", "kita_warteliste"),
}  # fmt: skip


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_is_named_by_sheet_row_and_column(case, demo_areas, tmp_path):
    meta, values, sheet, row, column, text = BAD[case]
    table = _read(filled(tmp_path / "schlecht.xlsx", meta, values), demo_areas)
    assert table.problems, case
    problem = table.problems[0]
    assert (problem.sheet, problem.row, problem.column) == (sheet, row, column)
    message = str(problem.error("schlecht.xlsx"))
    assert text in message and f"Blatt „{sheet}“" in message and f"Zeile {row}" in message and f"Spalte {column}" in message
    assert "Erwartet:" in message and "Abhilfe:" in message


def test_a_faulty_metadata_row_is_listed_once_not_again_for_each_of_its_values(demo_areas, gemeinden, tmp_path):
    meta = [[*GOOD_META[0][:6], None, GOOD_META[0][7]], GOOD_META[1]]  # kita_warteliste without licence
    table = _read(filled(tmp_path / "eine.xlsx", meta, good_values(gemeinden)), demo_areas)
    assert [(p.sheet, p.row, p.column) for p in table.problems] == [("Metadaten", 2, "Lizenz")]
    with pytest.raises(EtlError, match="Lizenz fehlt"):
        table.raise_for_problems()


def test_an_unreadable_file_or_a_missing_sheet_stops_with_the_file_named(tmp_path):
    bad = tmp_path / "kaputt.xlsx"
    bad.write_text("id;Wert\n", encoding="utf-8")
    with pytest.raises(EtlError, match="keine lesbare Excel-Datei"):
        _read(bad)
    book = openpyxl.Workbook()
    book.active.title = "Tabelle1"
    book.save(tmp_path / "ohne.xlsx")
    with pytest.raises(EtlError, match="Blatt „Metadaten“ fehlt"):
        _read(tmp_path / "ohne.xlsx")
    book = openpyxl.Workbook()
    book.active.title = "Metadaten"
    book.active.append(["id", "Bezeichnung"])
    book.create_sheet("Werte").append(["Indikator", "Gebietsschlüssel", "Jahr", "Wert"])
    book.save(tmp_path / "spalten.xlsx")
    with pytest.raises(EtlError) as raised:
        _read(tmp_path / "spalten.xlsx")
    assert "Einheit" in str(raised.value) and "Lizenz" in str(raised.value) and "Zeile 1" in str(raised.value)


@pytest.fixture(scope="module")
def own_build(tmp_path_factory, gemeinden):
    folder = tmp_path_factory.mktemp("own")
    table = filled(folder / "eigene.xlsx", GOOD_META, good_values(gemeinden))
    toml = DEMO_CONFIG.read_text(encoding="utf-8").replace('data_root = "../data/demo"', f'data_root = "{REPO_ROOT / "data" / "demo"}"')
    toml = toml.replace('path = "../data/demo/sozialraeume_musterland.csv"', f'path = "{REPO_ROOT / "data" / "demo" / "sozialraeume_musterland.csv"}"')
    config = folder / "mit_eigenen.toml"
    config.write_text(toml + f'\n[[own_indicators]]\npath = "{table}"\n', encoding="utf-8")
    out = folder / "eigene.duckdb"
    build([config], out, say=lambda _: None)
    return out, config


def test_the_config_names_own_tables_and_the_build_shows_them_like_catalogue_indicators(own_build, demo_areas, gemeinden):
    out, config = own_build
    assert load_config(config).own_indicators[0].name == "eigene.xlsx"
    with duckdb.connect(str(out), read_only=True) as con:
        meta = con.sql("SELECT * FROM indicators WHERE indicator_id = 'kita_warteliste'").df().iloc[0]
        last = con.sql("SELECT max(position) FROM indicators WHERE indicator_id NOT IN ('kita_warteliste', 'familienbesuche')").fetchone()[0]
        obs = con.sql("SELECT * FROM observations WHERE indicator_id IN ('kita_warteliste', 'familienbesuche')").df()
        sources = con.sql("SELECT s.* FROM sources s WHERE file = 'eigene.xlsx' ORDER BY source_id").df()
    assert meta["topic"] == "Familie und Arbeitswelt/Betreuung" and meta["licence"] == "dl-de/by-2-0" and meta["listed"]
    assert meta["position"] > last and meta["vintage"] == "2023"
    # one source per indicator, with that indicator's own source text and licence (an export cites only its own)
    assert list(sources["title"]) == [GOOD_META[0][5], GOOD_META[1][5]] and list(sources["licence"]) == [GOOD_META[0][6], GOOD_META[1][6]]
    assert set(sources["kind"]) == {"statistics"} and set(sources["publisher"]) == {"Landkreis Musterland (Demodaten)"}
    assert set(sources["kreis_id"]) == {"99001"}
    by_indicator = obs.groupby("indicator_id")["source_id"].unique().map(list).to_dict()
    assert by_indicator == {"kita_warteliste": [sources["source_id"][0]], "familienbesuche": [sources["source_id"][1]]}
    rate = obs[obs["indicator_id"] == "kita_warteliste"].set_index("area_id")
    assert rate.at["99001", "value"] == 7.5 and rate.at["99001", "derivation"] == "source"  # as given, not recomputed
    members = demo_areas[demo_areas["sozialraum_id"] == "99001-SR04"]["area_id"]
    expected = sum(3 + gemeinden.index(g) % 4 for g in members) / sum(40 + gemeinden.index(g) for g in members) * 100
    assert rate.at["99001-SR04", "value"] == pytest.approx(expected) and rate.at["99001-SR04", "derivation"] == "derived"
    counts = obs[(obs["indicator_id"] == "familienbesuche") & (obs["year"] == 2022)].set_index("area_id")
    assert counts.at["99001", "value"] == sum(10 + i for i in range(len(gemeinden)))


def test_a_faulty_table_stops_the_build_and_leaves_the_database_as_it_was(own_build, gemeinden, tmp_path):
    out, config = own_build
    before = out.read_bytes()
    bad = filled(tmp_path / "falsch.xlsx", GOOD_META, [["familienbesuche", "07235001", "", 2023, 3, None, None]])
    with pytest.raises(EtlError) as raised:
        build([replace(load_config(config), own_indicators=[bad])], out, say=lambda _: None)
    assert "falsch.xlsx, Blatt „Werte“" in str(raised.value) and "Zeile 2" in str(raised.value)
    assert out.read_bytes() == before
    # the same id in two tables of one build
    twice = filled(tmp_path / "zweimal.xlsx", GOOD_META, good_values(gemeinden))
    with pytest.raises(EtlError, match="gibt es schon"):
        build([replace(load_config(config), own_indicators=[*load_config(config).own_indicators, twice])], out, say=lambda _: None)
    assert out.read_bytes() == before


def test_an_export_of_an_own_indicator_cites_its_own_source_and_licence(own_build):
    from planning import queries
    from reports import tables

    out, _ = own_build
    db = queries.Database(str(out), out.stat().st_mtime)
    header = dict(tables.value_table(queries.connection(db), ["99001-SR04"], "kita_warteliste").header)
    assert header["Lizenz"] == "dl-de/by-2-0"  # not the other indicator's "nur für die interne Planung"
    assert "Kita-Bedarfsplanung" in header["Quelle"] and "Frühe Hilfen" not in header["Quelle"]
    csv = tables.csv_bytes(tables.value_table(queries.connection(db), ["99001-SR04"], "familienbesuche")).decode("utf-8-sig")
    assert "Lizenz;nur für die interne Planung" in csv and "Willkommensbesuche" in csv

"""The bad-input corpus (tests/data/bad, README.md there): every broken file either stops the build with one clear
message, or loads with every problem row in the import report – and a previous database stays byte-identical.

One private copy of data/demo per module (badinput_helpers.demo_workspace) holds the corpus under ``bad/`` and the
files generated at test time (zips without .dbf/.prj, broken boundaries, an .xlsx with formulas) under
``generated/``. Each case writes a copy of config/demo_musterland.toml with the one broken file swapped in and
builds in-process over a copy of a good database built once per module. A case the ETL does not handle yet is
marked with ``message_bug``/``accepted_bug`` (a strict xfail whose reason says what is wrong); none is open.
Runs without ../shared/data.
"""
from __future__ import annotations

import csv
import math
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import geopandas as gpd
import pandas as pd
import pyproj
import pytest

from badinput_helpers import (
    BAD_CORPUS, DemoWorkspace, Fingerprint, demo_workspace, fingerprint, read_only, replace_once, sha256,
)  # fmt: skip
from etl.build import build
from etl.errors import EtlError

GEO = "geo/vg250_musterland"
STATISTICS = {  # table -> the demo file a corpus file of that table replaces
    "13211-01-03-5": "statistics/13211-01-03-5_2023_musterland.csv",
    "12411-15i": "statistics/12411-15i_2023_musterland_latin1.csv",
    "22811-01i": "statistics/22811-01i_2023_musterland_latin1.csv",
}
GEMEINDE_NAMES = {
    "99001001": "Altenborn", "99001002": "Altenmühl", "99001003": "Bad Quellenbrunn", "99001004": "Bärenborn",
    "99001005": "Bärenhofen",
}  # fmt: skip
ABSENT = object()  # "not checked": for messages of cases the ETL does not handle yet

# --- how a case changes the config ----------------------------------------------------------------------------

Swap = Callable[[DemoWorkspace, str], str]


def statistics(table: str, file: str, encoding: str | None = None) -> Swap:
    def swap(ws: DemoWorkspace, text: str) -> str:
        new = f'table = "{table}"\npath = "bad/{file}"' + (f'\nencoding = "{encoding}"' if encoding else "")
        return replace_once(text, f'table = "{table}"\npath = "{STATISTICS[table]}"', new)

    return swap


def mapping(file: str) -> Swap:
    return lambda ws, text: replace_once(text, f'path = "{ws.data}/sozialraeume_musterland.csv"', f'path = "{ws.data}/bad/{file}"')


def offers(*paths: str, encoding: str | None = None) -> Swap:
    """Offer lists (paths relative to data_root) appended as [[offers]] of format planungsatlas."""
    blocks = "".join(
        f'\n[[offers]]\nformat = "planungsatlas"\npath = "{p}"\nstand = "2024-03-01"\n' + (f'encoding = "{encoding}"\n' if encoding else "")
        for p in paths
    )
    return lambda ws, text: text + blocks


def boundaries(path: str) -> Swap:
    return lambda ws, text: replace_once(text, f'path = "{GEO}"', f'path = "{path}"')


def combined(*swaps: Swap) -> Swap:
    def swap(ws: DemoWorkspace, text: str) -> str:
        for s in swaps:
            text = s(ws, text)
        return text

    return swap


# --- refused files: the build must stop ------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    id: str
    swap: Swap
    file: str  # the file name the message must name
    line: int | None | object = None
    column: str | None | object = None  # the column as the message names it (a prefix for "4 (…)")
    says: tuple[str, ...] = ()
    message_bug: str | None = None  # strict xfail of the message test
    accepted_bug: str | None = None  # the ETL accepts the file: strict xfail of the database test too


def genesis(file: str, table: str = "13211-01-03-5", encoding: str | None = None, **kw) -> Refused:
    return Refused(file, statistics(table, file, encoding), file, **kw)


def sozialraum(file: str, **kw) -> Refused:
    return Refused(file, mapping(file), file, **kw)


def offer_list(file: str, encoding: str | None = None, **kw) -> Refused:
    return Refused(file, offers(f"bad/{file}", encoding=encoding), file, **kw)


def bkg(name: str, **kw) -> Refused:
    return Refused(name, boundaries(f"generated/{name}"), name, **kw)


NOT_A_KEY = "ist kein Gebietsschlüssel"
NUL = "Datei enthält ein Nullzeichen (Byte 0x00)"
REFUSED = [
    # wrong encodings
    genesis("genesis_13211_utf16.csv", says=("Datei ist UTF-16-kodiert",)),
    genesis("genesis_13211_latin1_declared_utf8.csv", encoding="utf-8", line=2, says=("nicht als utf-8 lesen (Byte 0xe4)", 'encoding = "latin-1"')),
    genesis(
        "genesis_13211_mojibake.csv", line=9, column="4 (",
        says=("Unbekannte Spaltenbeschriftung 'AuslÃ¤nder' (Merkmal 'group')", "'Ausländer'"),
    ),  # fmt: skip
    sozialraum("sozialraum_utf16.csv", says=("Datei ist UTF-16-kodiert",)),
    offer_list("offers_utf16.csv", says=("Datei ist UTF-16-kodiert",)),
    offer_list("offers_latin1_declared_utf8.csv", encoding="utf-8", line=2, says=("nicht als utf-8 lesen (Byte 0xdf)",)),
    # truncated and empty files
    genesis("genesis_13211_truncated.csv", line=14, says=("Fußzeile '__________' fehlt",)),
    genesis("genesis_13211_short_row.csv", line=13, says=("Zeile hat 5 Spalten statt 9",)),
    genesis("genesis_13211_empty.csv", says=("Datei ist leer",)),
    genesis("genesis_13211_blank_lines.csv", says=("Datei ist leer",)),
    sozialraum("sozialraum_empty.csv", says=("Datei ist leer",)),
    sozialraum(
        "sozialraum_truncated.csv", line=31, column="sozialraum", says=("Sozialraum für 99001030 (Hirschheim) ist leer",),
    ),  # fmt: skip
    offer_list("offers_empty.csv", says=("Datei ist leer",)),
    # swapped columns
    genesis("genesis_13211_key_name_swapped.csv", line=11, column="1", says=(f"'      Musterland (Demodaten), Landkreis' {NOT_A_KEY}",)),
    genesis(
        "genesis_12411-15i_period_key_swapped.csv", table="12411-15i", line=6, column="2", says=(f"'31.12.2023' {NOT_A_KEY}",),
    ),  # fmt: skip
    sozialraum("sozialraum_columns_swapped.csv", line=2, column="gemeinde_ags", says=("Gemeindeschlüssel 'Altenborn' gehört zu keiner Gemeinde des Kreises",)),
    # duplicate keys, keys of another county
    genesis(
        "genesis_13211_duplicate_key.csv", line=15, column="1",
        says=("Gebiet 99001001 (Altenborn) steht mehrfach in der Datei (Zeilen 12, 15)",),
    ),  # fmt: skip
    sozialraum("sozialraum_duplicate_key.csv", line=8, column="gemeinde_ags", says=("Gemeinde 99001001 (Altenborn) steht doppelt (auch in Zeile 2)",)),
    genesis("genesis_13211_other_county_only.csv", says=("Die Datei enthält keine Zeilen des Kreises 99001",)),
    sozialraum("sozialraum_other_county.csv", line=5, column="gemeinde_ags", says=("Gemeindeschlüssel '99002004' gehört zu keiner Gemeinde",)),
    # negative or non-numeric counts
    genesis(
        "genesis_13211_negative_count.csv", line=12, column="3 (", says=("Wert '-18' ist negativ, aber eine Anzahl",),
    ),  # fmt: skip
    genesis("genesis_13211_non_numeric.csv", line=12, column="5 (", says=("Wert 'drei' ist weder Zahl noch GENESIS-Zeichen",)),
    # GENESIS markers in odd places: key column, header lines, title block, period column
    genesis("genesis_13211_marker_dash_in_key.csv", line=11, column="1", says=(f"'-' {NOT_A_KEY}",)),
    genesis("genesis_13211_marker_dot_in_key.csv", line=12, column="1", says=(f"'.' {NOT_A_KEY}",)),
    genesis("genesis_13211_marker_x_in_key.csv", line=13, column="1", says=(f"'x' {NOT_A_KEY}",)),
    genesis("genesis_13211_marker_slash_in_key.csv", line=14, column="1", says=(f"'/' {NOT_A_KEY}",)),
    genesis("genesis_13211_marker_ellipsis_in_key.csv", line=15, column="1", says=(f"'...' {NOT_A_KEY}",)),
    genesis("genesis_13211_marker_12p_in_key.csv", line=16, column="1", says=(f"'12p' {NOT_A_KEY}",)),
    sozialraum("sozialraum_marker_in_key.csv", line=10, column="gemeinde_ags", says=("Gemeindeschlüssel '.' gehört zu keiner Gemeinde",)),
    genesis("genesis_13211_marker_dash_in_header.csv", line=7, column="3 (", says=("Unbekannte Spaltenbeschriftung '-' (Merkmal 'measure')",)),
    genesis("genesis_13211_marker_x_in_header.csv", line=9, column="4 (", says=("Unbekannte Spaltenbeschriftung 'x' (Merkmal 'group')",)),
    genesis(
        "genesis_13211_marker_slash_as_year.csv", line=ABSENT, column=ABSENT, says=("Stichtag/Jahr im Tabellenkopf nicht gefunden",),
    ),  # fmt: skip
    genesis(
        "genesis_13211_marker_ellipsis_as_table_code.csv", line=1,
        says=("Kopfzeile passt nicht zur Tabelle 13211-01-03-5: 'GENESIS-Tabelle: ...'",),
    ),  # fmt: skip
    genesis(
        "genesis_12411-15i_marker_dot_as_period.csv", table="12411-15i", line=7, column="1", says=("Zeitangabe '.' nicht lesbar",),
    ),  # fmt: skip
    genesis(
        "genesis_22811-01i_marker_12p_as_year.csv", table="22811-01i", line=7, column="3 (", says=("Zeitangabe '12p' nicht lesbar",),
    ),  # fmt: skip
    # offer lists that cannot be read at all
    offer_list("offers_missing_angebotsart_column.csv", line=1, says=("Spalten angebotsart fehlen",)),
    # NUL bytes: refused where they stand, neither taken for UTF-16 (first 4 KB) nor loaded into a name (later)
    offer_list("offers_nul_in_name.csv", line=3, column="2 (name)", says=(NUL,)),
    offer_list("offers_nul_after_4kb.csv", line=62, column="4 (traeger)", says=(NUL,)),
    sozialraum("sozialraum_nul_byte.csv", line=10, column="3 (sozialraum)", says=(NUL,)),
    # an unquoted ';' in a Sozialraum name would cut the name short
    sozialraum("sozialraum_unquoted_delimiter.csv", line=4, says=("Zeile hat 4 Felder statt 3 wie die Kopfzeile", '"…"')),
    # a head count no Kreis can have
    genesis(
        "genesis_13211_implausible_count.csv", line=12, column="3 (",
        says=("Wert '1000000000000' ist für eine Anzahl (Arbeitslose) unplausibel groß", "100.000.000"),
    ),  # fmt: skip
    offer_list("offers_not_a_workbook.xlsx", says=("Excel-Datei lässt sich nicht lesen",)),
    # boundaries generated at test time
    bkg("boundaries_without_gem_dbf.zip", says=("Zum Shapefile vg250_musterland/VG250_GEM.shp fehlen die Begleitdateien .dbf",)),
    bkg("boundaries_without_lan_prj.zip", says=("Zum Shapefile vg250_musterland/VG250_LAN.shp fehlen die Begleitdateien .prj",)),
    bkg(
        "boundaries_truncated.zip", says=("Zip-Archiv ist beschädigt",),
    ),  # fmt: skip
    bkg(
        "boundaries_wgs84_prj", line=ABSENT, column=ABSENT,
        says=("passen nicht zum Koordinatensystem der .prj-Datei (WGS 84, EPSG:4326)",),
    ),  # fmt: skip
    bkg(
        "boundaries_outside_germany", line=ABSENT, column=ABSENT, says=("liegen außerhalb Deutschlands",),
    ),  # fmt: skip
]


def _params(bug: str) -> list:
    return [
        pytest.param(case, id=case.id, marks=[pytest.mark.xfail(strict=True, reason=reason)] if (reason := getattr(case, bug)) else [])
        for case in REFUSED
    ]


# --- files generated at test time --------------------------------------------------------------------------------

FORMULA_HEADER = ["id", "name", "angebotsart", "gemeinde_ags", "lon", "lat", "kapazitaet"]
FORMULA_ROWS = [  # row 2..7; cached values are patched into the sheet XML (openpyxl writes formulas without)
    ["X1", "Kita Formel mit Wert", "Kita", "99001001", 9.5272, 50.7078, "=20+25"],  # G2 cached 45
    ["X2", "Kita Formel ohne Wert", "Kita", "99001001", 9.5273, 50.7079, "=20+5"],  # G3 no cached value
    ["X3", '="Kita "&"Berechnet"', "Kita", "99001001", 9.5274, 50.7080, 10],  # B4 cached text
    ["X4", '="Kita "&"ohne Wert"', "Kita", "99001001", 9.5275, 50.7081, 10],  # B5 no cached value
    ["X5", "Kita Art als Formel", '=LOWER("KITA")', "99001001", 9.5276, 50.7082, 10],  # C6 no cached value
    ["X6", "Kita Koordinaten als Formel", "Kita", "99001001", "=9.5+0.0277", "=50.7+0.0083", 10],  # E7, F7 cached
]
FORMULA_CACHED = {"G2": 45, "B4": "Kita Berechnet", "E7": 9.5277, "F7": 50.7083}


def _offers_workbook(path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    for row in [FORMULA_HEADER, *FORMULA_ROWS]:
        sheet.append(row)
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        members = {info: archive.read(info) for info in archive.infolist()}
    for info in members:
        if info.filename == "xl/worksheets/sheet1.xml":
            xml = members[info].decode("utf-8")
            for ref, value in FORMULA_CACHED.items():
                kind = ' t="str"' if isinstance(value, str) else ""
                cell = rf'<c r="{ref}"><f>(.*?)</f>(?:<v\s*/>|<v></v>)?</c>'
                xml, n = re.subn(cell, rf'<c r="{ref}"{kind}><f>\1</f><v>{escape(str(value))}</v></c>', xml)
                assert n == 1, f"formula cell {ref} not found in the sheet XML written by openpyxl"
            members[info] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in members.items():
            archive.writestr(info, content)


def _generate(ws: DemoWorkspace) -> None:
    out = ws.data / "generated"
    out.mkdir()
    shapes = sorted((ws.data / GEO).iterdir())

    def zipped(name: str, without: str) -> Path:
        with zipfile.ZipFile(out / name, "w") as archive:
            for file in shapes:
                if file.name != without:
                    archive.write(file, f"vg250_musterland/{file.name}")
        return out / name

    zipped("boundaries_without_gem_dbf.zip", "VG250_GEM.dbf")
    zipped("boundaries_without_lan_prj.zip", "VG250_LAN.prj")
    whole = zipped("boundaries_whole.zip", "").read_bytes()
    (out / "boundaries_truncated.zip").write_bytes(whole[: len(whole) // 2])
    shutil.copytree(ws.data / GEO, out / "boundaries_wgs84_prj")
    for prj in (out / "boundaries_wgs84_prj").glob("*.prj"):
        prj.write_text(pyproj.CRS("EPSG:4326").to_wkt("WKT1_ESRI"), encoding="utf-8")
    (out / "boundaries_outside_germany").mkdir()
    for shp in (ws.data / GEO).glob("*.shp"):
        layer = gpd.read_file(shp)
        layer["geometry"] = layer.geometry.translate(xoff=2_000_000)
        layer.to_file(out / "boundaries_outside_germany" / shp.name, encoding="utf-8")
    _offers_workbook(out / "offers_formulas.xlsx")


# --- the machinery -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Baseline:
    path: Path
    sha256: str
    content: Fingerprint


@dataclass(frozen=True)
class Outcome:
    error: Exception | None  # None: the build went through
    target: Path  # a copy of the baseline database the build wrote over (or tried to)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> DemoWorkspace:
    ws = demo_workspace(tmp_path_factory.mktemp("corpus"))
    shutil.copytree(BAD_CORPUS, ws.data / "bad")
    _generate(ws)
    return ws


@pytest.fixture(scope="module")
def baseline(workspace) -> Baseline:
    out = workspace.root / "baseline" / "demo.duckdb"
    build([workspace.write_config(workspace.root / "baseline" / "demo.toml")], out, say=lambda _msg: None)
    content = fingerprint(out)
    assert content.rows["areas"] > 60 and content.rows["observations"] > 0
    return Baseline(out, sha256(out), content)


def _attempt(workspace: DemoWorkspace, baseline: Baseline, name: str, swap: Swap, target_name: str = "atlas.duckdb") -> Outcome:
    """Build a config with ``swap`` applied into db/<target_name>, next to (or over) a copy of the baseline."""
    folder = workspace.root / "cases" / name
    config = workspace.write_config(folder / "broken.toml", swap(workspace, workspace.config_text))
    (folder / "db").mkdir()
    shutil.copyfile(baseline.path, folder / "db" / "atlas.duckdb")
    target = folder / "db" / target_name
    try:
        build([config], target, say=lambda _msg: None)
    except Exception as exc:  # noqa: BLE001 – an unexpected exception type is itself a finding
        return Outcome(exc, target)
    return Outcome(None, target)


@pytest.fixture(scope="module")
def refuse(workspace, baseline) -> Callable[[Refused], Outcome]:
    done: dict[str, Outcome] = {}

    def run(case: Refused) -> Outcome:
        if case.id not in done:
            done[case.id] = _attempt(workspace, baseline, case.id, case.swap)
        return done[case.id]

    return run


# --- refused files -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params("message_bug"))
def test_refused_file_stops_the_build_with_one_clear_message(refuse, case):
    error = refuse(case).error
    assert isinstance(error, EtlError), f"expected an EtlError, the build ended with {error!r}"
    message = str(error)
    assert Path(str(error.file)).name == case.file and message.startswith(f"Datei {error.file}")
    if case.line is not ABSENT:
        assert error.line == case.line
        assert (f"Zeile {case.line}" in message) == (case.line is not None)
    if case.column is not ABSENT:
        if case.column is None:
            assert error.column is None
        else:
            assert str(error.column).startswith(case.column) and f"Spalte {case.column}" in message
    for fragment in case.says:
        assert fragment in message
    assert "\n  Erwartet: " in message, "the message says what was expected"
    assert "\n  Abhilfe: " in message, "the message says how to fix it"


@pytest.mark.parametrize("case", _params("accepted_bug"))
def test_refused_file_leaves_the_previous_database_byte_identical(refuse, baseline, case):
    outcome = refuse(case)
    assert outcome.error is not None, "the build accepted the file and replaced the database"
    assert sha256(outcome.target) == baseline.sha256  # byte-identical, hence also the same rows
    assert [p.name for p in outcome.target.parent.iterdir()] == [outcome.target.name], "no temporary file left behind"


def test_corpus_readme_describes_every_file():
    readme = (BAD_CORPUS / "README.md").read_text(encoding="utf-8")
    listed = {name.rstrip("/") for name in re.findall(r"^\| `([^`]+)` \|", readme, flags=re.MULTILINE)}
    files = {p.name for p in BAD_CORPUS.iterdir() if p.name != "README.md"}
    assert len(files) >= 30
    assert files <= listed, f"files without a README line: {sorted(files - listed)}"
    generated = {c.file for c in REFUSED if c.id.startswith("boundaries_")} | {"offers_formulas.xlsx"}
    assert listed == files | generated, f"README lines without a file: {sorted(listed - files - generated)}"
    tested = {c.id for c in REFUSED} | set(ACCEPTED_FILES)
    assert files <= tested, f"corpus files no test uses: {sorted(files - tested)}"


# --- accepted files: the build loads them and reports the rows it could not use -----------------------------------

OFFERS_CSV = "offers_every_bad_row.csv"
NAMES_MAPPING = "sozialraum_html_and_long_names.csv"
MARKER_NAMES = "genesis_13211_markers_in_names.csv"
CP1252_OFFERS = "offers_cp1252_excel.csv"
SEPARATOR_OFFERS = "offers_line_separators_in_name.csv"
CONTROL_OFFERS = "offers_control_characters.csv"
NUMBER_OFFERS = "offers_implausible_numbers.csv"
QUOTES_MAPPING = "sozialraum_doubled_quotes.csv"
CONTROL_MAPPING = "sozialraum_control_characters.csv"
ACCEPTED_FILES = [
    OFFERS_CSV, NAMES_MAPPING, MARKER_NAMES, "offers_header_only.csv", "offers_no_usable_row.csv",
    "offers_unquoted_delimiter_in_name.csv", CP1252_OFFERS, SEPARATOR_OFFERS, CONTROL_OFFERS, NUMBER_OFFERS,
    QUOTES_MAPPING, CONTROL_MAPPING,
]  # fmt: skip
# (row, column, start of the problem, action) for every line of offers_every_bad_row.csv that does not load as it
# stands (docs/OFFERS.md); lines 22–24 (HTML/JS and a 10,012-character name) load without a remark.
OFFER_REPORT = [
    (4, "angebotsart", "unbekannte Angebotsart 'Reitstall' (bekannt: ", "verworfen"),
    (5, "angebotsart", "Angebotsart fehlt (bekannt: ", "verworfen"),
    (6, "name+angebotsart+strasse+plz", "Dublette von Zeile 2", "verworfen"),
    (7, "x/y", "Koordinaten (50.72614, 9.38016) liegen außerhalb Deutschlands – x und y vertauscht?", "verworfen"),
    (8, "x/y", "Koordinaten (534000.0, 5618000.0) liegen außerhalb Deutschlands – falsches Koordinatensystem (angegeben EPSG:4326)?", "verworfen"),
    (9, "x/y", "Koordinaten (2.3522, 48.8566) liegen außerhalb Deutschlands – ", "verworfen"),  # Paris
    (10, "x/y", "liegt außerhalb des Kreises", "übersprungen"),  # Frankfurt am Main
    (11, "x/y", "300 m außerhalb der (generalisierten) Gemeindegrenze: Bergtal zugeordnet", "geladen"),
    (12, "gemeinde_ags", "Gemeindeschlüssel 99001001 widerspricht der Lage in Bärenhofen (99001005); die Lage gilt", "geladen"),
    (13, "x/y", "keine Koordinaten: Lage = Mitte der Gemeinde laut Gemeindeschlüssel", "geladen"),
    (14, "x/y", "weder Koordinaten noch Gemeindeschlüssel des Kreises", "verworfen"),
    (15, "x/y", "weder Koordinaten noch Gemeindeschlüssel des Kreises", "verworfen"),  # key of Trier
    (16, "kapazitaet", "'viele' ist keine gültige Zahl", "geladen ohne diesen Wert"),
    (17, "kapazitaet", "'-5' ist keine gültige Zahl", "geladen ohne diesen Wert"),
    (18, "alter_von", "'drei' ist keine gültige Zahl", "geladen ohne diesen Wert"),
    (19, "lon", "'abc' ist keine gültige Zahl", "verworfen"),
    (20, "lon", "'-9.5275' ist keine gültige Zahl", "verworfen"),  # dropped, not placed at the Gemeinde's centre
    (21, "name", "Name fehlt", "geladen als „(ohne Namen)“"),
    (25, "kapazitaet", "'.' ist keine gültige Zahl", "geladen ohne diesen Wert"),
    (26, "kapazitaet", "'12p' ist keine gültige Zahl", "geladen ohne diesen Wert"),
    (27, "lat", "'x' ist keine gültige Zahl", "verworfen"),
    (28, "angebotsart", "unbekannte Angebotsart '/' (bekannt: ", "verworfen"),
    (29, "alter_von", "'-' ist keine gültige Zahl", "geladen ohne diesen Wert"),
]
OFFERS_LOADED = {2: "99001001", 3: "99001002", 11: "99001007", 12: "99001005", 13: "99001004", 16: "99001001", 17: "99001001",
                 18: "99001001", 21: "99001001", 22: "99001001", 23: "99001001", 24: "99001002", 25: "99001001",
                 26: "99001001", 29: "99001001"}  # fmt: skip
DROPPED = ("verworfen", "übersprungen")


def _csv_rows(name: str) -> dict[int, dict[str, str]]:
    with open(BAD_CORPUS / name, encoding="utf-8", newline="") as f:
        return {i: row for i, row in enumerate(csv.DictReader(f, delimiter=";"), start=2)}


def _query(path: Path, sql: str, params: list | None = None) -> pd.DataFrame:
    con = read_only(path)
    try:
        return con.execute(sql, params or []).df()
    finally:
        con.close()


def _source_id(path: Path, file: str) -> str:
    return _query(path, "SELECT source_id FROM sources WHERE file = ?", [file])["source_id"].item()


@pytest.fixture(scope="module")
def accepted(workspace, baseline) -> Callable[[str, Swap], Outcome]:
    """Build a config with accepted files into a new database next to a copy of the previous one."""
    done: dict[str, Outcome] = {}

    def run(name: str, swap: Swap) -> Outcome:
        if name not in done:
            done[name] = _attempt(workspace, baseline, name, swap, target_name="new.duckdb")
            previous = done[name].target.parent / "atlas.duckdb"
            assert sha256(previous) == baseline.sha256, "the previous database next to the new one is untouched"
        return done[name]

    return run


@pytest.fixture(scope="module")
def offers_db(accepted) -> Path:
    outcome = accepted("offers", offers(f"bad/{OFFERS_CSV}", "generated/offers_formulas.xlsx"))
    if outcome.error is not None:
        raise outcome.error
    return outcome.target


@pytest.fixture(scope="module")
def names_db(accepted) -> Path:
    outcome = accepted("names", combined(mapping(NAMES_MAPPING), statistics("13211-01-03-5", MARKER_NAMES)))
    if outcome.error is not None:
        raise outcome.error
    return outcome.target


def _report(db: Path, file: str) -> pd.DataFrame:
    return _query(db, "SELECT row, source_column, problem, action FROM import_report WHERE source_id = ? ORDER BY row, source_column",
                  [_source_id(db, file)])  # fmt: skip


def _offers(db: Path, file: str) -> pd.DataFrame:
    return _query(db, "SELECT * FROM offers WHERE source_id = ? ORDER BY source_row", [_source_id(db, file)]).set_index("source_row")


def test_offer_list_import_report_names_row_column_problem_and_action(offers_db):
    actual = list(_report(offers_db, OFFERS_CSV).itertuples(index=False, name=None))
    assert [(r, c, a) for r, c, _p, a in actual] == [(r, c, a) for r, c, _p, a in OFFER_REPORT]
    for (row, _c, problem, _a), (_r, _c2, start, _a2) in zip(actual, OFFER_REPORT):
        assert problem.startswith(start), f"line {row}: {problem!r}"


def test_offer_list_loads_the_usable_rows_in_their_gemeinden(offers_db):
    loaded = _offers(offers_db, OFFERS_CSV)
    assert loaded["gemeinde_id"].to_dict() == OFFERS_LOADED
    assert loaded.loc[2, "kapazitaet"] == 45 and loaded.loc[2, "lon"] == pytest.approx(9.52718)  # decimal comma
    assert loaded.loc[[16, 17, 25, 26], "kapazitaet"].isna().all(), "text, negative and GENESIS markers give no capacity"
    assert loaded.loc[[18, 29], "alter_von"].isna().all() and loaded.loc[18, "alter_bis"] == 6


def test_offer_names_are_stored_verbatim(offers_db):
    source = _csv_rows(OFFERS_CSV)
    names = _offers(offers_db, OFFERS_CSV)["name"]
    assert names[22] == "<script>alert('angebot')</script>" == source[22]["name"]
    assert names[23] == "<img src=x onerror=alert(1)>" == source[23]["name"]
    assert len(source[24]["name"]) >= 10_000 and names[24] == source[24]["name"]
    assert names[21] == "(ohne Namen)"


def test_offer_rows_are_either_loaded_or_dropped(offers_db):
    report = _report(offers_db, OFFERS_CSV)
    loaded = set(_offers(offers_db, OFFERS_CSV).index)
    dropped = set(report.loc[report["action"].isin(DROPPED), "row"])
    assert loaded & dropped == set(), "a row reported as verworfen/übersprungen is in the offers table"
    assert loaded | dropped == set(_csv_rows(OFFERS_CSV)), "nothing is dropped silently"


def test_offer_workbook_uses_cached_formula_values(offers_db):
    loaded = _offers(offers_db, "offers_formulas.xlsx")
    assert loaded.loc[2, "kapazitaet"] == 45, "formula with cached value"
    assert loaded.loc[4, "name"] == "Kita Berechnet"
    assert (loaded.loc[7, "lon"], loaded.loc[7, "lat"]) == (pytest.approx(9.5277), pytest.approx(50.7083))
    assert loaded.loc[5, "name"] == "(ohne Namen)" and 6 not in loaded.index
    report = _report(offers_db, "offers_formulas.xlsx")
    rows = {(r.row, r.source_column): (r.problem, r.action) for r in report.itertuples()}
    assert rows[(5, "name")] == ("Name fehlt", "geladen als „(ohne Namen)“"), "formula without cached value: no name"
    assert rows[(6, "angebotsart")][0].startswith("Angebotsart fehlt") and rows[(6, "angebotsart")][1] == "verworfen"


def test_offer_workbook_reports_formula_without_cached_value(offers_db):
    report = _report(offers_db, "offers_formulas.xlsx")
    rows = {(r.row, r.source_column): (r.problem, r.action) for r in report.itertuples()}
    problem, action = rows[(3, "kapazitaet")]
    assert problem.startswith("Formel '=20+5' ohne gespeicherten Wert") and action == "geladen ohne diesen Wert"
    assert pd.isna(_offers(offers_db, "offers_formulas.xlsx").loc[3, "kapazitaet"])
    assert set(rows) == {(3, "kapazitaet"), (5, "name"), (6, "angebotsart")}, "each lost cell once, cached values silent"


def test_html_and_long_sozialraum_names_are_stored_verbatim(names_db):
    evil = {row["sozialraum"] for row in csv.DictReader(open(BAD_CORPUS / NAMES_MAPPING, encoding="utf-8"), delimiter=";")}
    evil = {name for name in evil if "<" in name or len(name) >= 10_000}
    assert len(evil) == 3
    names = set(_query(names_db, "SELECT name FROM areas WHERE level = 'sozialraum'")["name"])
    assert evil <= names


def test_markers_in_the_name_column_do_not_become_names(names_db):
    areas = _query(names_db, "SELECT area_id, name FROM areas WHERE area_id IN (SELECT unnest(?))", [list(GEMEINDE_NAMES) + ["99001"]])
    assert dict(zip(areas["area_id"], areas["name"])) == {**GEMEINDE_NAMES, "99001": "Landkreis Musterland (Demodaten)"}
    source = _source_id(names_db, MARKER_NAMES)
    values = _query(
        names_db,
        "SELECT area_id, value FROM observations WHERE indicator_id = 'alo' AND year = 2023 AND source_id = ? "
        "AND area_id IN ('99001001', '99001005')",
        [source],
    )
    assert dict(zip(values["area_id"], values["value"])) == {"99001001": 18, "99001005": 22}


@pytest.mark.parametrize("file", ["offers_header_only.csv", "offers_no_usable_row.csv"])
def test_offer_list_without_usable_rows_loads_nothing_and_reports(accepted, file):
    outcome = accepted(file, offers(f"bad/{file}"))
    assert outcome.error is None, f"build failed: {outcome.error!r}"
    assert _offers(outcome.target, file).empty
    expected = {"offers_header_only.csv": [], "offers_no_usable_row.csv": [(2, "verworfen"), (3, "verworfen")]}[file]
    assert [(r.row, r.action) for r in _report(outcome.target, file).itertuples()] == expected


def test_offer_row_with_an_extra_field_is_reported_and_the_others_load(accepted):
    file = "offers_unquoted_delimiter_in_name.csv"
    outcome = accepted(file, offers(f"bad/{file}"))
    assert outcome.error is None, f"build failed: {outcome.error!r}"
    [(row, column, problem, action)] = list(_report(outcome.target, file).itertuples(index=False, name=None))
    assert (row, column, action) == (3, None, "verworfen")
    assert problem.startswith("Zeile hat 16 Felder statt 15 wie die Kopfzeile – ein ';' im Text ohne Anführungszeichen?")
    assert list(_offers(outcome.target, file)["name"]) == ["Kita Sonnenschein"]


# --- encodings, line separators, control characters, implausible numbers ------------------------------------------


def _built(accepted, name: str, swap: Swap) -> Path:
    outcome = accepted(name, swap)
    assert outcome.error is None, f"build failed: {outcome.error!r}"
    return outcome.target


def _encoding(db: Path, file: str) -> str:
    return _query(db, "SELECT encoding FROM sources WHERE file = ?", [file])["encoding"].item()


def test_refused_nul_byte_is_not_taken_for_utf16(refuse):
    for case in REFUSED:
        if NUL in case.says:
            assert "UTF-16" not in str(refuse(case).error), case.id


def test_german_excel_csv_is_read_as_windows_1252_and_says_so(accepted):
    db = _built(accepted, CP1252_OFFERS, offers(f"bad/{CP1252_OFFERS}"))
    names = _offers(db, CP1252_OFFERS)["name"].to_dict()
    assert names == {2: "Kita „Sonnenschein“", 3: "Familienzentrum Altenborn – Treffpunkt…", 4: "Familienbildung „Elternkurs 5 €“"}
    assert _encoding(db, CP1252_OFFERS) == "cp1252", "the detected encoding is in the source record"
    assert _report(db, CP1252_OFFERS).empty


def test_windows_1252_file_declared_latin1_keeps_every_offer_and_reports_the_control_characters(accepted):
    """Declared latin-1, „ “ – € … are C1 control characters (U+0080–U+009F): replaced and reported, no row lost."""
    db = _built(accepted, "cp1252-as-latin1", offers(f"bad/{CP1252_OFFERS}", encoding="latin-1"))
    assert list(_offers(db, CP1252_OFFERS).index) == [2, 3, 4]
    assert _encoding(db, CP1252_OFFERS) == "latin-1"
    report = _report(db, CP1252_OFFERS)
    assert [(r.row, r.source_column, r.action) for r in report.itertuples()] == [(2, "name", "geladen"), (3, "name", "geladen"), (4, "name", "geladen")]
    assert report.loc[0, "problem"] == "Steuerzeichen U+0084, U+0093 im Text (durch Leerzeichen ersetzt)"


def test_line_separators_in_an_offer_name_keep_the_offer(accepted):
    """str.splitlines() splits at U+2028, U+2029, NEL, VT and FF: the name must stay one field of its row."""
    db = _built(accepted, SEPARATOR_OFFERS, offers(f"bad/{SEPARATOR_OFFERS}"))
    loaded = _offers(db, SEPARATOR_OFFERS)
    assert loaded["name"].to_dict() == {
        2: "Kita Sonnen schein", 3: "Kita Regen bogen", 4: "Kita Wiese Nord", 5: "Kita Feld Ost", 6: "Kita Wald West", 7: "Kita Nachbar",
    }  # fmt: skip
    assert (loaded["offer_type"] == "kita").all() and (loaded["gemeinde_id"] == "99001001").all()
    report = _report(db, SEPARATOR_OFFERS)
    assert list(report.itertuples(index=False, name=None)) == [
        (4, "name", "Steuerzeichen U+0085 im Text (durch Leerzeichen ersetzt)", "geladen"),
        (5, "name", "Steuerzeichen U+000B im Text (durch Leerzeichen ersetzt)", "geladen"),
        (6, "name", "Steuerzeichen U+000C im Text (durch Leerzeichen ersetzt)", "geladen"),
    ], "no 'Angebotsart fehlt' for half a row"


def test_control_characters_in_offer_fields_are_replaced_and_reported(accepted):
    db = _built(accepted, CONTROL_OFFERS, offers(f"bad/{CONTROL_OFFERS}"))
    loaded = _offers(db, CONTROL_OFFERS)
    assert loaded.loc[2, "name"] == "Kita Sonnenschein" and loaded.loc[2, "traeger"] == "Gemeinde Altenborn"
    assert loaded.loc[3, "name"] == "Familienzentrum Altenborn [31m" and loaded.loc[3, "offer_type"] == "familienzentrum"
    assert loaded.loc[4, "name"] == "(ohne Namen)" and loaded.loc[5, "address"].startswith("Haupt straße 4,")
    text = loaded[["name", "traeger", "address", "offer_type"]].to_numpy().ravel()
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", value) for value in text if isinstance(value, str))
    report = [(r.row, r.source_column, r.problem, r.action) for r in _report(db, CONTROL_OFFERS).itertuples()]
    control = "Steuerzeichen {} im Text (durch Leerzeichen ersetzt)"
    assert sorted(report) == [  # sorted: the order of two rows of one cell is not fixed
        (2, "name", control.format("U+0007"), "geladen"),
        (2, "traeger", control.format("U+0001"), "geladen"),
        (3, "angebotsart", control.format("U+007F"), "geladen"),
        (3, "name", control.format("U+001B"), "geladen"),
        (4, "name", "Name fehlt", "geladen als „(ohne Namen)“"),
        (4, "name", control.format("U+0008"), "geladen"),
        (5, "strasse", control.format("U+009F"), "geladen"),
    ]


# (row, column, value) of offers_implausible_numbers.csv that the import report must list; every row loads
IMPLAUSIBLE = [
    (2, "kapazitaet", "1e30"), (3, "kapazitaet", "inf"), (4, "kapazitaet", "nan"), (5, "kapazitaet", "-5"), (6, "kapazitaet", "0"),
    (7, "kapazitaet", "100001"), (8, "kapazitaet", "1e400"), (10, "alter_bis", "500"), (10, "alter_von", "-1"),
    (11, "alter_bis", "1e30"), (11, "alter_von", "inf"), (12, "alter_von", "NaN"), (12, "kapazitaet", "-inf"),
]  # fmt: skip


def test_implausible_numbers_are_reported_and_the_build_succeeds(accepted):
    db = _built(accepted, NUMBER_OFFERS, offers(f"bad/{NUMBER_OFFERS}"))
    report = _report(db, NUMBER_OFFERS)
    assert [(r.row, r.source_column) for r in report.itertuples()] == [(row, column) for row, column, _ in IMPLAUSIBLE]
    expected = {"kapazitaet": "über 0 bis 100.000", "alter_von": "0 bis 120", "alter_bis": "0 bis 120"}
    for r, (_, column, value) in zip(report.itertuples(), IMPLAUSIBLE):
        assert r.problem == f"'{value}' ist keine gültige Zahl (erwartet: {expected[column]})" and r.action == "geladen ohne diesen Wert"
    loaded = _offers(db, NUMBER_OFFERS)
    assert list(loaded.index) == list(range(2, 14)), "every row loads, without the implausible value"
    assert loaded["kapazitaet"].dropna().to_dict() == {9: 100000, 10: 45, 11: 45, 13: 45}
    assert loaded.loc[13, ["alter_von", "alter_bis"]].tolist() == [0, 120] and loaded.loc[[10, 11], "alter_von"].isna().all()
    coverage = _query(db, "SELECT capacity, capacity_per_100 FROM coverage WHERE capacity IS NOT NULL")
    assert coverage.apply(lambda c: c.dropna().map(math.isfinite).all()).all() and coverage["capacity"].max() <= 10 * 100000


def test_doubled_quotes_in_a_sozialraum_name_are_kept(accepted):
    db = _built(accepted, QUOTES_MAPPING, mapping(QUOTES_MAPPING))
    areas = _query(db, "SELECT area_id, name FROM areas WHERE level = 'sozialraum'")
    names = set(areas["name"])
    assert {'Stadtteil "Am Berg"; Nord', "Rosenkirchen, Tal"} <= names
    members = _query(db, "SELECT s.name FROM areas g JOIN areas s ON g.sozialraum_id = s.area_id WHERE g.area_id IN ('99001001', '99001007')")
    assert set(members["name"]) == {'Stadtteil "Am Berg"; Nord'}
    assert _encoding(db, QUOTES_MAPPING) == "utf-8"


def test_control_characters_in_sozialraum_names_are_replaced_and_logged(accepted):
    db = _built(accepted, CONTROL_MAPPING, mapping(CONTROL_MAPPING))
    names = set(_query(db, "SELECT name FROM areas WHERE level = 'sozialraum'")["name"])
    assert {"Steiningen", "Stein ingen", "Rosen kirchen"} <= names
    assert not any(re.search(r"[\x00-\x1f\x7f-\x9f]", name) for name in names)
    log = list(_query(db, "SELECT message FROM build_log WHERE kind = 'warning'")["message"])
    control = "Steuerzeichen {} im Text (durch Leerzeichen ersetzt)"
    for line, found in ((5, "U+0007"), (8, "U+000B"), (10, "U+001B")):
        assert f"[99001] Datei {CONTROL_MAPPING}, Zeile {line}, Spalte sozialraum: {control.format(found)}" in log

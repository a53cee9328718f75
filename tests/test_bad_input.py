"""Broken input stops the build with one clear message, and the previous database stays exactly as it was.

Each case copies data/demo into a temporary folder, breaks one thing, points a copy of config/demo_musterland.toml
at it (absolute data_root) and builds over a copy of a good demo database. The message must name the file and,
where it applies, line and column, and say how to fix it ("Abhilfe:") and what was expected ("Erwartet:").
Runs without ../shared/data.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl.build import build
from etl.db import connect
from etl.errors import EtlError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DATA = REPO_ROOT / "data" / "demo"
DEMO_CONFIG = REPO_ROOT / "config" / "demo_musterland.toml"
CONFIG_NAME = "broken.toml"
TABLES = ("areas", "indicators", "observations", "sources", "build_log")

AGE_2023 = "statistics/12411-02-03-5_2023_musterland.csv"  # lines 8–10 header, 11 Kreis, 12 Altenborn 99001001, …
AGE_2019_LATIN1 = "statistics/12411-02-03-5_2019_musterland_latin1.csv"  # 'ö' already in line 2
SEX = "statistics/12411-01-01-5_musterland.csv"
MAPPING = "sozialraeume_musterland.csv"  # line 2: 99001001 Altenborn
GEO = "geo/vg250_musterland"


@dataclass
class Workspace:
    """A writable copy of data/demo and the text of a config that points at it."""

    data: Path
    config: str
    copies: int = 1  # how often the config is passed to one build

    def edit_lines(self, name: str, edit: Callable[[list[str]], None]) -> None:
        path = self.data / name
        lines = path.read_text(encoding="utf-8").split("\n")
        edit(lines)
        path.write_text("\n".join(lines), encoding="utf-8")

    def replace_in_config(self, old: str, new: str) -> None:
        assert self.config.count(old) == 1, old
        self.config = self.config.replace(old, new)


# --- ways to break the input (line and column numbers 1-based, as in the messages) ---------------------------


def set_cell(name: str, line: int, column: int, value: str):
    def edit(lines: list[str]) -> None:
        fields = lines[line - 1].split(";")
        fields[column - 1] = value
        lines[line - 1] = ";".join(fields)

    return lambda ws: ws.edit_lines(name, edit)


def truncate_row(name: str, line: int, fields: int):
    def edit(lines: list[str]) -> None:
        lines[line - 1] = ";".join(lines[line - 1].split(";")[:fields])

    return lambda ws: ws.edit_lines(name, edit)


def duplicate_line(name: str, line: int, to: int):
    return lambda ws: ws.edit_lines(name, lambda lines: lines.insert(to - 1, lines[line - 1]))


def delete_lines(name: str, first: int, last: int | None = None):
    return lambda ws: ws.edit_lines(name, lambda lines: lines.__delitem__(slice(first - 1, last)))


def replace_text(name: str, old: str, new: str):
    def edit(lines: list[str]) -> None:
        hits = [i for i, line in enumerate(lines) if old in line]
        lines[hits[0]] = lines[hits[0]].replace(old, new, 1)

    return lambda ws: ws.edit_lines(name, edit)


def replace_everywhere(name: str, old: str, new: str):
    return lambda ws: ws.edit_lines(name, lambda lines: lines.__setitem__(slice(None), [line.replace(old, new) for line in lines]))


def in_config(old: str, new: str):
    return lambda ws: ws.replace_in_config(old, new)


def remove(name: str):
    return lambda ws: shutil.rmtree(ws.data / name) if (ws.data / name).is_dir() else (ws.data / name).unlink()


def write_bytes(name: str, content: Callable[[bytes], bytes]):
    return lambda ws: (ws.data / name).write_bytes(content((ws.data / name).read_bytes()))


def zip_boundaries_without(member: str):
    def breaker(ws: Workspace) -> None:
        with zipfile.ZipFile(ws.data / f"{GEO}.zip", "w") as archive:
            for file in sorted((ws.data / GEO).iterdir()):
                if file.name != member:
                    archive.write(file, f"vg250_musterland/{file.name}")
        ws.replace_in_config(f'path = "{GEO}"', f'path = "{GEO}.zip"')

    return breaker


def pass_config_twice(ws: Workspace) -> None:
    ws.copies = 2


@dataclass(frozen=True)
class Case:
    id: str
    breaker: Callable[[Workspace], None]
    file: str  # the file the message must name
    line: int | None = None
    column: str | None = None  # start of the column as the message names it
    says: tuple[str, ...] = ()


CASES = [
    # the 12411-01-01-5 file named in the config does not exist
    Case("missing-statistics-file", remove(SEX), Path(SEX).name, says=("nicht gefunden",)),
    # the boundaries folder does not exist
    Case("missing-boundaries-folder", remove(GEO), "vg250_musterland", says=("Grenzdaten", "nicht gefunden")),
    # the config says utf-8 for a latin-1 file
    Case(
        "wrong-encoding-configured",
        in_config(f'path = "{AGE_2019_LATIN1}"', f'path = "{AGE_2019_LATIN1}"\nencoding = "utf-8"'),
        Path(AGE_2019_LATIN1).name, line=2, says=("utf-8", 'encoding = "latin-1"'),
    ),  # fmt: skip
    # saved as UTF-16 ("Unicode-Text" from Excel)
    Case("utf-16", write_bytes(AGE_2023, lambda b: b.decode("utf-8").encode("utf-16")), Path(AGE_2023).name, says=("UTF-16",)),
    # zero bytes
    Case("empty-file", write_bytes(AGE_2023, lambda _b: b""), Path(AGE_2023).name, says=("leer",)),
    # the config says 12411-01-01-5 for a 12411-02-03-5 export
    Case(
        "header-of-another-table",
        in_config(f'table = "12411-02-03-5"\npath = "{AGE_2023}"', f'table = "12411-01-01-5"\npath = "{AGE_2023}"'),
        Path(AGE_2023).name, line=1, says=("12411-01-01-5", "12411-02-03-5"),
    ),  # fmt: skip
    # the age-group label of column 3 (third header line, line 10) renamed
    Case(
        "age-label-renamed", replace_text(AGE_2023, ";unter 3 Jahre;", ";unter 3 Jahren;"),
        Path(AGE_2023).name, line=10, column="3 (", says=("'unter 3 Jahren'", "'unter 3 Jahre'"),
    ),  # fmt: skip
    # the three header lines removed altogether
    Case("header-lines-deleted", delete_lines(AGE_2023, 8, 10), Path(AGE_2023).name, says=("Kopf",)),
    # a Gemeinde row cut off after 20 of 56 fields
    Case("row-truncated", truncate_row(AGE_2023, 13, 20), Path(AGE_2023).name, line=13, says=("20 Spalten statt 56",)),
    # text in a value cell
    Case("non-numeric-cell", set_cell(AGE_2023, 12, 5, "abc"), Path(AGE_2023).name, line=12, column="5 (", says=("'abc'",)),
    # a thousands separator, as after a round trip through Excel
    Case(
        "thousands-dot", set_cell(AGE_2023, 12, 5, "1.234"),
        Path(AGE_2023).name, line=12, column="5 (", says=("'1.234'", "Tausender"),
    ),  # fmt: skip
    # a Gemeinde key of the county that no Gemeinde in the boundaries has
    Case("unknown-gemeinde-key", set_cell(AGE_2023, 12, 1, "99001999"), Path(AGE_2023).name, line=12, column="1", says=("99001999",)),
    # the Altenborn row twice (lines 12 and 13)
    Case(
        "duplicated-row", duplicate_line(AGE_2023, 12, to=13),
        Path(AGE_2023).name, line=13, column="1", says=("99001001", "Zeilen 12, 13"),
    ),  # fmt: skip
    # a county that is not in the boundaries
    Case("unknown-county", in_config('ags = "99001"', 'ags = "99002"'), CONFIG_NAME, column="county.ags", says=("99002", '"99001"')),
    # the leading zero of the Kreis key lost
    Case("invalid-ags", in_config('ags = "99001"', 'ags = "7235"'), CONFIG_NAME, column="county.ags", says=("'7235'", '"07235"')),
    # Bärenhofen (99001005, line 6) missing from the Sozialraum mapping
    Case("mapping-misses-a-gemeinde", delete_lines(MAPPING, 6, 6), MAPPING, says=("99001005", "Bärenhofen")),
    # Altenborn mapped twice (lines 2 and 4)
    Case(
        "mapping-duplicate-gemeinde", duplicate_line(MAPPING, 2, to=4),
        MAPPING, line=4, column="gemeinde_ags", says=("99001001", "Zeile 2"),
    ),  # fmt: skip
    # a 7-digit key: the leading zero lost in Excel
    Case(
        "mapping-7-digit-key", set_cell(MAPPING, 2, 1, "9001001"),
        MAPPING, line=2, column="gemeinde_ags", says=("'9001001'", "Führende Null"),
    ),  # fmt: skip
    # the Gemeinde shapefile without its attribute table
    Case("shapefile-dbf-missing", remove(f"{GEO}/VG250_GEM.dbf"), "vg250_musterland", says=("VG250_GEM", ".dbf")),
    # a zip of the boundaries without the Kreis layer's .prj
    Case("zip-prj-missing", zip_boundaries_without("VG250_KRS.prj"), "vg250_musterland.zip", says=("VG250_KRS", ".prj")),
    # a truncated download: the file ends after line 40, before the '__________' footer
    Case("footer-missing", delete_lines(AGE_2023, 41), Path(AGE_2023).name, line=40, says=("__________",)),
    # the same county config twice in one build
    Case("same-county-twice", pass_config_twice, CONFIG_NAME, says=("99001", "mehrfach")),
]
CASE_BY_ID = {case.id: case for case in CASES}
# the mapping saved with '|' between the columns
MAPPING_PIPES = Case("mapping-pipe-delimiter", replace_everywhere(MAPPING, ";", "|"), MAPPING, says=("Trennzeichen",))



def _params() -> list:
    return [pytest.param(case, id=case.id) for case in CASES]


# --- the machinery -------------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _row_counts(path: Path) -> dict[str, int]:
    con = connect(path, read_only=True)
    try:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}
    finally:
        con.close()


@dataclass(frozen=True)
class Baseline:
    path: Path
    sha256: str
    rows: dict[str, int]


@dataclass(frozen=True)
class Attempt:
    config: Path
    out: Path  # the previous database, which the broken build must leave alone
    configs: list[Path]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Baseline:
    out = tmp_path_factory.mktemp("baseline") / "demo.duckdb"
    build([DEMO_CONFIG], out, say=lambda _msg: None)
    rows = _row_counts(out)
    assert rows["areas"] == 74 and rows["observations"] > 0  # 61 Gemeinden, 6 VG, 5 SR, Kreis, Land
    return Baseline(out, _sha256(out), rows)


def _prepare(case: Case, folder: Path, baseline: Baseline) -> Attempt:
    """Broken copy of the demo input in ``folder`` and a copy of the good database as the build target."""
    data = folder / "demo"
    shutil.copytree(DEMO_DATA, data)
    workspace = Workspace(data, DEMO_CONFIG.read_text(encoding="utf-8"))
    assert workspace.config.count('"../data/demo') == 2  # data_root and the Sozialraum mapping
    workspace.config = workspace.config.replace('"../data/demo', f'"{data}')
    case.breaker(workspace)
    config = folder / CONFIG_NAME
    config.write_text(workspace.config, encoding="utf-8")
    out = folder / "db" / "atlas.duckdb"
    out.parent.mkdir()
    shutil.copyfile(baseline.path, out)
    return Attempt(config, out, [config] * workspace.copies)


@pytest.fixture(scope="module")
def refuse(baseline, tmp_path_factory) -> Callable[[Case], tuple[EtlError, Attempt]]:
    """Run the build of a broken case once (cached) and return the EtlError it raised."""
    done: dict[str, tuple[EtlError, Attempt]] = {}

    def run(case: Case) -> tuple[EtlError, Attempt]:
        if case.id not in done:
            attempt = _prepare(case, tmp_path_factory.mktemp(case.id), baseline)
            with pytest.raises(EtlError) as raised:
                build(attempt.configs, attempt.out, say=lambda _msg: None)
            done[case.id] = (raised.value, attempt)
        return done[case.id]

    return run


# --- tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", _params())
def test_message_names_file_line_column_and_fix(refuse, case):
    error, _ = refuse(case)
    message = str(error)
    assert case.file in message
    if case.line is not None:
        assert error.line == case.line and f"Zeile {case.line}" in message
    if case.column is not None:
        assert f"Spalte {case.column}" in message
    assert "Abhilfe:" in message
    for words in case.says:
        assert words in message


@pytest.mark.parametrize("case", _params())
def test_message_says_what_was_expected(refuse, case):
    error, _ = refuse(case)
    assert "Erwartet:" in str(error)


@pytest.mark.parametrize("case", _params())
def test_previous_database_is_untouched(refuse, baseline, case):
    _, attempt = refuse(case)
    assert _sha256(attempt.out) == baseline.sha256
    assert _row_counts(attempt.out) == baseline.rows
    assert [p.name for p in attempt.out.parent.iterdir()] == [attempt.out.name], "no temporary file left behind"


def test_mapping_with_unsupported_delimiter_is_refused(refuse):
    error, _ = refuse(MAPPING_PIPES)
    assert all(words in str(error) for words in (MAPPING, "Abhilfe:", "Erwartet:"))


CLI_CASES = [
    pytest.param(CASE_BY_ID["invalid-ags"], id="broken-config"),
    pytest.param(CASE_BY_ID["row-truncated"], id="broken-statistics-file"),
    pytest.param(MAPPING_PIPES, id="unsupported-delimiter"),
]


@pytest.mark.parametrize("case", CLI_CASES)
def test_cli_exits_2_with_one_message_and_leaves_the_database(baseline, tmp_path, case):
    attempt = _prepare(case, tmp_path, baseline)
    command = [sys.executable, "-m", "etl", "build", "--quiet", "--config", str(attempt.config), "--out", str(attempt.out)]
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("FEHLER – Datenbank nicht verändert.\n")
    assert "Traceback" not in result.stderr and result.stderr.count("FEHLER") == 1
    assert case.file in result.stderr and "Abhilfe:" in result.stderr
    if case.line is not None:
        assert f"Zeile {case.line}" in result.stderr
    assert "Datenbank geschrieben" not in result.stdout
    assert _sha256(attempt.out) == baseline.sha256

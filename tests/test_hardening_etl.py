"""Hardening at the ETL boundary, beyond the bad-input corpus (tests/test_bad_corpus.py, tests/data/bad):

- decoding: Windows-1252 before latin-1 (and which one was used), UTF-16 with or without BOM, NUL bytes with their
  position, lines split only where a CSV record can end;
- the build's target: temporary files of dead builds removed, those of a live process left alone; a target that cannot
  be written (a regular file where the folder should be, a read-only folder, a full disk) stops the build with the CLI's
  one message and exit code 2, and the previous database stays byte-identical;
- a county name with control characters in the config.

Runs without ../shared/data; the builds use a private copy of data/demo (badinput_helpers.demo_workspace).
"""
from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from badinput_helpers import DemoWorkspace, demo_workspace, read_only, replace_once, sha256
from etl import build as build_module
from etl import load
from etl.build import build
from etl.cli import main
from etl.errors import EtlError
from etl.sources.text import read_text, split_lines

FAILED = "FEHLER – Datenbank nicht verändert."
KREIS_NAME = "Landkreis Musterland (Demodaten)"

# --- decoding and lines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("Kita „Sonne“ – 5 € …".encode("cp1252"), "cp1252", "Kita „Sonne“ – 5 € …"),
        ("Bärenhofen;Straße".encode("latin-1"), "latin-1", "Bärenhofen;Straße"),  # no byte 0x80–0x9f: as before
        (b"Caf\xe9 \x81", "latin-1", "Café \x81"),  # 0x81 is no Windows-1252 character: latin-1 decodes any byte
        ("Bärenhofen „Süd“".encode("utf-8"), "utf-8", "Bärenhofen „Süd“"),
        ("\ufeffBärenhofen".encode("utf-8"), "utf-8-sig", "Bärenhofen"),
    ],
    ids=["cp1252", "latin1", "latin1-fallback", "utf8", "utf8-bom"],
)
def test_auto_encoding_tries_windows_1252_before_latin1_and_says_which(tmp_path, data, encoding, text):
    path = tmp_path / "liste.csv"
    path.write_bytes(data)
    assert read_text(path) == (text, encoding)


@pytest.mark.parametrize("data", ["a;b\nc;d\n".encode("utf-16"), "a;b\nc;d\n".encode("utf-16-le"), "a;b\nc;d\n".encode("utf-16-be")],
                         ids=["bom", "le-without-bom", "be-without-bom"])  # fmt: skip
def test_utf16_is_refused_as_utf16(tmp_path, data):
    path = tmp_path / "liste.csv"
    path.write_bytes(data)
    with pytest.raises(EtlError, match="UTF-16"):
        read_text(path)


def test_nul_bytes_are_refused_with_their_position_not_as_utf16(tmp_path):
    path = tmp_path / "liste.csv"
    path.write_bytes(b"id;name;ort\nK1;Kita;Altenborn\nK2;Kita \"A;B\";Alten\x00born\n" + b"\x00" * 5000)
    with pytest.raises(EtlError) as caught:
        read_text(path)
    assert (caught.value.line, caught.value.column) == (3, "3 (ort)"), "the quoted ';' does not count"
    assert "Nullzeichen" in str(caught.value) and "UTF-16" not in str(caught.value)


def test_lines_split_only_where_a_csv_record_can_end():
    text = "a\u2028b\u2029c\x85d\x0be\x0cf\x1cg\r\nzwei\rdrei\nvier\n"
    assert text.splitlines()[0] == "a", "what str.splitlines() would do"
    assert split_lines(text) == ["a\u2028b\u2029c\x85d\x0be\x0cf\x1cg", "zwei", "drei", "vier"]
    assert split_lines("ohne Zeilenende") == ["ohne Zeilenende"] and split_lines("a\n\n") == ["a", ""]


# --- builds --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> DemoWorkspace:
    return demo_workspace(tmp_path_factory.mktemp("hardening"))


@pytest.fixture(scope="module")
def config(workspace) -> Path:
    return workspace.write_config(workspace.root / "demo.toml")


@pytest.fixture(scope="module")
def good(workspace, config) -> Path:
    """A good database with its import report, the 'previous database' of the failing builds."""
    out = workspace.root / "good" / "atlas.duckdb"
    build([config], out, say=lambda _msg: None)
    assert load.import_report_path(out).is_file()
    return out


def _previous(good: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / good.name
    shutil.copyfile(good, out)
    shutil.copyfile(load.import_report_path(good), load.import_report_path(out))
    return out


def _cli(config: Path, out: Path, capsys) -> tuple[int, str]:
    code = main(["build", "--quiet", "--config", str(config), "--out", str(out)])
    captured = capsys.readouterr()
    assert "Datenbank geschrieben" not in captured.out
    return code, captured.err


def _assert_one_message(err: str, out: Path, problem: str) -> None:
    assert err.startswith(f"{FAILED}\nDatei {out}: {problem}"), err
    assert "Traceback" not in err and err.count("FEHLER") == 1
    assert "\n  Erwartet: " in err and "\n  Abhilfe: " in err


def test_build_removes_temp_files_of_dead_builds_and_leaves_those_of_a_live_process(config, tmp_path):
    out = tmp_path / "db" / "atlas.duckdb"
    out.parent.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # reaped: its pid is no longer alive
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    try:
        stale = [f"atlas.duckdb.tmp-{dead.pid}", f"atlas.duckdb.tmp-{dead.pid}.wal", f"atlas.importbericht.csv.tmp-{dead.pid}"]
        kept = [f"atlas.duckdb.tmp-{live.pid}", f"atlas.duckdb.tmp-{live.pid}.wal", f"atlas.importbericht.csv.tmp-{live.pid}",
                f"anderer.duckdb.tmp-{dead.pid}", "atlas.duckdb.tmp-notapid"]  # fmt: skip
        for name in stale + kept:
            (out.parent / name).write_bytes(b"DUCK" + os.urandom(256))
        before = {name: sha256(out.parent / name) for name in kept}
        said: list[str] = []
        build([config], out, say=said.append)
        assert not [name for name in stale if (out.parent / name).exists()], "temporary files of a dead build are removed"
        assert {name: sha256(out.parent / name) for name in kept} == before, "a live build's files and others are untouched"
        assert [m for m in said if m.startswith("Temporäre Datei")] == [f"Temporäre Datei eines abgebrochenen Laufs entfernt: {n}" for n in sorted(stale)]
        # the demo's findings (open-text survey answers not taken over) go to <name>.warnungen.csv beside it
        assert sorted(p.name for p in out.parent.iterdir()) == sorted(kept + ["atlas.duckdb", "atlas.importbericht.csv", "atlas.warnungen.csv"])
    finally:
        live.kill()
        live.wait()


@pytest.mark.parametrize("where", ["_insert", "_import_report_csv"])
def test_full_disk_exits_2_with_one_message_and_leaves_the_database(config, good, tmp_path, monkeypatch, capsys, where):
    out = _previous(good, tmp_path / "db")
    report = load.import_report_path(out)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(load, where, full)
    code, err = _cli(config, out, capsys)
    assert code == 2
    _assert_one_message(err, out, "Kein Speicherplatz mehr auf dem Datenträger")
    assert (sha256(out), sha256(report)) == (sha256(good), sha256(load.import_report_path(good))), "byte-identical"
    assert sorted(p.name for p in out.parent.iterdir()) == ["atlas.duckdb", "atlas.importbericht.csv"], "no temporary file left"


def test_full_disk_reported_by_duckdb_is_a_full_disk(config, good, tmp_path, monkeypatch, capsys):
    out = _previous(good, tmp_path / "db")

    def full(*_args, **_kwargs):
        raise duckdb.IOException(f'IO Error: Could not write file "{out}.tmp-1": No space left on device')

    monkeypatch.setattr(load, "_insert", full)
    code, err = _cli(config, out, capsys)
    assert code == 2
    _assert_one_message(err, out, "Kein Speicherplatz mehr auf dem Datenträger")
    assert sha256(out) == sha256(good)


def _no_pipeline(monkeypatch) -> None:
    """The target is checked first: reading the catalogue (the build's first step) must not happen."""

    def started(*_args, **_kwargs):
        raise AssertionError("the build started before the target was checked")

    monkeypatch.setattr(build_module, "load_catalogue", started)


def test_target_folder_that_is_a_file_is_refused_before_the_build_starts(config, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "db"
    blocker.write_text("keine Datenbank", encoding="utf-8")
    out = blocker / "kreis" / "atlas.duckdb"
    _no_pipeline(monkeypatch)
    code, err = _cli(config, out, capsys)
    assert code == 2
    _assert_one_message(err, out, f"Zielordner {out.parent} lässt sich nicht anlegen: {blocker} ist eine Datei")
    assert blocker.read_text(encoding="utf-8") == "keine Datenbank"


def test_read_only_target_folder_is_refused_before_the_build_starts(config, good, tmp_path, monkeypatch, capsys):
    out = _previous(good, tmp_path / "db")
    out.parent.chmod(0o555)
    try:
        if os.geteuid() == 0:  # root may write anyway: os.access says yes, so say what it says to anyone else
            real_access = os.access
            monkeypatch.setattr(os, "access", lambda path, mode, **kw: Path(path) != out.parent and real_access(path, mode, **kw))
        _no_pipeline(monkeypatch)
        code, err = _cli(config, out, capsys)
    finally:
        out.parent.chmod(0o755)
    assert code == 2
    _assert_one_message(err, out, f"Zielordner {out.parent} ist nicht beschreibbar")
    assert sha256(out) == sha256(good)
    assert sorted(p.name for p in out.parent.iterdir()) == ["atlas.duckdb", "atlas.importbericht.csv"]


def test_write_refused_by_the_system_is_reported_like_a_read_only_folder(config, good, tmp_path, monkeypatch, capsys):
    """What a read-only mount or a folder made read-only during the build does when the build writes."""
    out = _previous(good, tmp_path / "db")

    def refused(*_args, **_kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(load, "connect", refused)
    code, err = _cli(config, out, capsys)
    assert code == 2
    _assert_one_message(err, out, f"Zielordner {out.parent} ist nicht beschreibbar")
    assert sha256(out) == sha256(good)
    assert sorted(p.name for p in out.parent.iterdir()) == ["atlas.duckdb", "atlas.importbericht.csv"]


def test_control_characters_in_the_county_name_are_replaced_and_logged(workspace, tmp_path):
    text = replace_once(workspace.config_text, f'name = "{KREIS_NAME}"', 'name = "Landkreis\\u0007 Muster\\u001bland (Demodaten)"')
    config = workspace.write_config(tmp_path / "steuerzeichen.toml", text)
    out = tmp_path / "db" / "atlas.duckdb"
    summary = build([config], out, say=lambda _msg: None)
    con = read_only(out)
    try:
        [(name,)] = con.execute("SELECT name FROM areas WHERE area_id = '99001'").fetchall()
        log = [m for (m,) in con.execute("SELECT message FROM build_log WHERE kind = 'warning'").fetchall()]
    finally:
        con.close()
    assert name == "Landkreis Muster land (Demodaten)"
    expected = "[99001] Datei steuerzeichen.toml, Spalte county.name: Steuerzeichen U+0007, U+001B im Text (durch Leerzeichen ersetzt)"
    assert expected in log and expected in summary.warnings

"""Write a built database atomically: a temporary file next to the target, renamed only on success.

A failed or killed build therefore leaves the previous database untouched, and a dashboard that has the old
file open keeps reading it (the rename swaps the directory entry, not the open file). The import report beside the
database (and the list of the build's warnings, ``<name>.warnungen.csv``) is written the same way, completely before
the database is renamed, so that a full disk stops the build
before anything changed. Temporary files are ``<name>.tmp-<pid>`` (DuckDB adds ``.wal``); those of a process that is
no longer alive are removed by the next build of the same target.
"""
from __future__ import annotations

import errno
import os
import re
from pathlib import Path

import duckdb
import geopandas as gpd
import pandas as pd

from etl import schema
from etl.db import connect
from etl.errors import EtlError
from etl.findings import Finding, findings_path, write_findings_csv

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_NOT_ALLOWED = (errno.EACCES, errno.EPERM, errno.EROFS)


def _insert(con, table: schema.Table, frame: pd.DataFrame) -> None:
    """Insert a frame into a table; a GEOMETRY field 'geom' comes from the frame's active geometry,
    any other GEOMETRY field from the column of the same name (as WKB, converted by DuckDB spatial)."""
    rows = pd.DataFrame({f.name: frame[f.name] for f in table.fields if f.type != "GEOMETRY"})
    select = []
    for f in table.fields:
        if f.type == "GEOMETRY":
            source = frame.geometry if f.name == "geom" else gpd.GeoSeries(frame[f.name])
            rows[f.name] = source.to_wkb().values
            select.append(f"ST_GeomFromWKB({f.name})")
        else:
            select.append(f.name)
    con.register("frame", rows)
    con.execute(f"INSERT INTO {table.name} SELECT {', '.join(select)} FROM frame")
    con.unregister("frame")


def _temp(path: Path) -> Path:
    return path.with_name(f"{path.name}.tmp-{os.getpid()}")


def check_target(out: Path) -> None:
    """Before any work: the target is no folder, and its folder exists (or can be made) and may be written.

    As root os.access allows everything; the real error when writing is turned into an EtlError as well."""
    if out.is_dir():
        raise _target_error(out, f"Ziel {out} ist ein Ordner, keine Datei")
    existing = out.parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise _target_error(out, f"Zielordner {out.parent} lässt sich nicht anlegen: {existing} ist eine Datei")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _target_error(out, f"Zielordner {existing} ist nicht beschreibbar")


def _target_error(out: Path, problem: str) -> EtlError:
    return EtlError(
        problem,
        file=out,
        expected="mit --out eine Datei in einem Ordner, in den dieser Benutzer schreiben darf",
        fix="Anderen Zielordner wählen oder Schreibrechte geben (ls -ld, chmod/chown); ein schreibgeschützter "
        "Datenträger muss schreibbar eingebunden werden.",
    )


def write_error(out: Path, exc: OSError | duckdb.Error) -> EtlError:
    """What a failed write means for the planner: disk full, no permission, or another system error."""
    number = getattr(exc, "errno", None)
    text = str(exc)
    if number in _NO_SPACE or "No space left" in text or "Disk quota" in text:
        return EtlError(
            "Kein Speicherplatz mehr auf dem Datenträger",
            file=out,
            expected=f"freien Platz im Zielordner {out.parent} für die neue Datenbank (etwa so groß wie die bisherige)",
            fix="Platz schaffen (z. B. alte Datenbanken oder Exporte löschen) oder einen anderen Zielordner wählen, "
            "dann den Lauf wiederholen.",
        )
    if number in _NOT_ALLOWED or "Permission denied" in text or "Read-only file system" in text:
        return _target_error(out, f"Zielordner {out.parent} ist nicht beschreibbar")
    return EtlError(
        f"Datenbank lässt sich nicht schreiben: {getattr(exc, 'strerror', None) or text}",
        file=out,
        expected=f"einen Zielordner {out.parent}, in den geschrieben werden kann",
        fix="Datenträger und Zielordner prüfen, dann den Lauf wiederholen.",
    )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a process of another user
        return True
    except (OverflowError, ValueError):
        return False
    return True


def remove_stale_temp_files(out: Path) -> list[Path]:
    """Remove the temporary files of this target (database, its WAL, import report) left by a build whose process
    is dead; those of a live process, this one included, stay. Returns what was removed."""
    names = (re.escape(out.name), re.escape(import_report_path(out).name), re.escape(findings_path(out).name))
    pattern = re.compile(rf"(?:{'|'.join(names)})\.tmp-(\d+)(?:\.wal)?")
    removed = []
    for path in sorted(out.parent.glob("*.tmp-*")) if out.parent.is_dir() else []:
        match = pattern.fullmatch(path.name)
        if match and int(match[1]) != os.getpid() and not _alive(int(match[1])):
            try:
                path.unlink()
            except FileNotFoundError:  # another build cleaned it at the same moment
                continue
            removed.append(path)
    return removed


def write_database(out: Path, frames: dict[str, pd.DataFrame], findings: list[Finding] | None = None) -> Path | None:
    """Create every table of the schema and fill those named in ``frames`` (missing ones stay empty); with an
    ``import_report`` frame also the import report beside it (returned), and the list of ``findings`` as
    ``<name>.warnungen.csv`` (an old list is removed when there are none). Raises EtlError when the disk is full or the
    folder cannot be written; the previous database is then unchanged."""
    tmp = _temp(out)
    report = import_report_path(out) if "import_report" in frames else None
    listing = findings_path(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp.unlink(missing_ok=True)
        if report is not None:
            _import_report_csv(_temp(report), frames["import_report"], frames["sources"])
        if findings:
            write_findings_csv(_temp(listing), findings)
        con = connect(tmp)
        try:
            for table in schema.TABLES:
                con.execute(schema.ddl(table))
                if table.name in frames and len(frames[table.name]):
                    _insert(con, table, frames[table.name])
            con.execute("CHECKPOINT")
        finally:
            con.close()
        os.replace(tmp, out)
        if report is not None:
            os.replace(_temp(report), report)
        if findings:
            os.replace(_temp(listing), listing)
        else:
            listing.unlink(missing_ok=True)  # a list of an earlier build would describe another database
    except (OSError, duckdb.IOException, duckdb.PermissionException) as exc:
        raise write_error(out, exc) from exc
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
        if report is not None:
            _temp(report).unlink(missing_ok=True)
        _temp(listing).unlink(missing_ok=True)
    return report


IMPORT_REPORT_COLUMNS = {"file": "Datei", "row": "Zeile", "source_column": "Spalte", "problem": "Problem", "action": "Ergebnis"}


def import_report_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.importbericht.csv")


def _import_report_csv(path: Path, report: pd.DataFrame, sources: pd.DataFrame) -> None:
    """The offer import report as a German CSV (semicolon, UTF-8 with BOM) that opens in Excel: every row of an offer
    list that was not loaded as it stood, for the office that keeps the list."""
    files = sources.set_index("source_id")["file"] if len(sources) else pd.Series(dtype=str)
    table = report.assign(file=report["source_id"].map(files)).sort_values(["file", "row"], kind="stable")
    table[list(IMPORT_REPORT_COLUMNS)].rename(columns=IMPORT_REPORT_COLUMNS).to_csv(path, sep=";", index=False, encoding="utf-8-sig")

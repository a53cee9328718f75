"""Publishing and rolling back database versions.

Rules a planner can rely on:
- The database the app shows is ``<db_dir>/<name>.duckdb``. Every published state is kept as
  ``<db_dir>/versions/<name>/v0001.duckdb``, ``v0002.duckdb`` … with its sha256; the first publish registers the
  database as it was as version 1 ("Ausgangsstand").
- "Veröffentlichen" rebuilds the county with the existing build (its recipe plus the workspace's uploads, edits and
  Sozialräume) into a new version and swaps it in with one rename: the app sees the old or the new database, never a
  half-written one. A build that fails changes nothing: no version, the live database and every upload as they were.
- Two planners publishing at the same time: the first wins; the second gets ``StaleVersion`` naming who published
  meanwhile, and keeps their uploads as drafts. Publishes and rollbacks of one database take turns (a lock in the
  workspace store, valid for several app processes on PostgreSQL).
- "Zurücksetzen" copies a kept version back, byte for byte (sha256 checked), without a rebuild, and is itself
  recorded as a new version that points at the restored one.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import socket
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import CountyConfig
from etl.load import _alive
from workspace.recipe import Recipe, load_configs, recipe_from, recipe_of
from workspace.storage import Upload, Workspace, WorkspaceError

SIDECARS = (".importbericht.csv", ".warnungen.csv")  # written by the build beside a database; kept per version
VERSIONS = "versions"
_WORK = re.compile(r"\.(?:build|draft)-(?P<host>.+)-(?P<pid>\d+)-[0-9a-z_]{8}(?:\..*)?")  # a publish's work files, see remove_stale_work
MAX_CHANGE_ROWS = 2000  # kept per version for the version list; the count line covers the rest


class StaleVersion(WorkspaceError):
    """Someone else published or rolled back since the planner looked at the version list."""


@dataclass(frozen=True)
class PublishResult:
    seq: int
    seconds: float
    rows_by_table: dict[str, int]
    changes: str
    summary: str
    uploads: list[int] = field(default_factory=list)  # uploads published with this version
    warnings: int = 0


@dataclass(frozen=True)
class RollbackResult:
    seq: int  # the new version entry
    to_seq: int  # the version restored
    sha256: str
    seconds: float


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def versions_dir(db_path: Path) -> Path:
    return db_path.parent / VERSIONS / db_path.stem


def version_file(db_path: Path, seq: int) -> Path:
    return versions_dir(db_path) / f"v{seq:04d}.duckdb"


def _sidecar(db_file: Path, suffix: str) -> Path:
    return db_file.with_name(db_file.stem + suffix)


def _install(source: Path, live: Path) -> None:
    """Put ``source`` (and its sidecar files) in place of ``live``: a full copy beside it first, then one rename each."""
    for src, dst in [(source, live)] + [(_sidecar(source, s), _sidecar(live, s)) for s in SIDECARS]:
        if not src.exists():
            if dst != live:
                dst.unlink(missing_ok=True)  # the version had no such list: an old one would mislead
            continue
        temp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            shutil.copyfile(src, temp)
            with open(temp, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temp, dst)
        finally:
            temp.unlink(missing_ok=True)


def _relative(db_path: Path, path: Path) -> str:
    return str(path.relative_to(db_path.parent))


def _stale(ws: Workspace, name: str, seen: int | None, connection) -> StaleVersion:
    latest = ws.versions(name, connection).iloc[-1]
    what = "zurückgesetzt" if latest["action"] == "rollback" else "veröffentlicht"
    return StaleVersion(
        f"Inzwischen hat {latest['actor']} ({latest['created_at'][:16].replace('T', ' ')} UTC) Version {latest['seq']} {what}; "
        f"Ihre Ansicht zeigte {f'Version {seen}' if seen is not None else 'noch keine Version'}. Nichts ist verloren: Ihre Uploads bleiben als "
        "Entwurf gespeichert. Bitte die Vorschau neu prüfen und dann erneut veröffentlichen.")


def register_initial(ws: Workspace, db_path: Path, actor: str = "system", recipe: Recipe | None = None) -> int:
    """Register the live database as version 1 ("Ausgangsstand") unless versions exist; returns the current version."""
    db_path = Path(db_path).resolve()
    if (current := ws.current_version(db_path.stem)) is not None:
        return current
    recipe = recipe or recipe_of(_existing(db_path))
    with ws.locked(f"versions:{db_path.stem}") as connection:
        return _register_initial(ws, db_path, actor, recipe, connection)


def _existing(db_path: Path) -> Path:
    if not db_path.is_file():
        raise WorkspaceError(f"Die Datenbank {db_path} gibt es nicht. Bitte den Pfad prüfen (z. B. data/db/<name>.duckdb).")
    return db_path


def _register_initial(ws: Workspace, db_path: Path, actor: str, recipe: Recipe, connection) -> int:
    """Inside the caller's locked transaction: version 1 = a copy of the live file, unless versions exist already."""
    if (current := ws.current_version(db_path.stem, connection)) is not None:
        return current
    target = version_file(db_path, 1)
    target.parent.mkdir(parents=True, exist_ok=True)
    _install(db_path, target)
    ws.add_version(db_path.stem, 1, _relative(db_path, target), sha256_of(target), actor, "initial", summary="Ausgangsstand",
                   recipe=recipe.to_dict(), connection=connection)
    return 1


def _adopt_external(ws: Workspace, db_path: Path, actor: str, connection) -> int | None:
    """Inside the caller's locked transaction: when the live file is no longer the current version's (rebuilt by hand
    with ``python -m etl build``, or by scripts/start.sh after an update), keep it as a new version first, so nothing
    is lost and it can be restored later. Returns the current version."""
    current = ws.current_version(db_path.stem, connection)
    if current is None or not db_path.is_file():
        return current
    row = ws.versions(db_path.stem, connection).iloc[-1]
    if sha256_of(db_path) == row["sha256"]:
        return current
    try:
        recipe = recipe_of(db_path).to_dict()
    except WorkspaceError:
        recipe = row["recipe"]
    target = version_file(db_path, current + 1)
    _install(db_path, target)
    ws.add_version(db_path.stem, current + 1, _relative(db_path, target), sha256_of(target), actor, "initial",
                   summary="Außerhalb des Arbeitsbereichs neu gebaut (z. B. python -m etl build); als Version übernommen",
                   recipe=recipe, connection=connection)
    return current + 1


def draft_configs(base: list[CountyConfig], uploads: list[Upload], folder: Path, ws: Workspace, db_name: str) -> list[CountyConfig]:
    """The configs with the workspace's uploads and changes applied (workspace.draft). Uploads that name a Kreis
    (meta "kreis") go to that county, the others to the first. Until workspace.draft exists the base is used."""
    try:
        from workspace.draft import draft_config  # the upload engineer's module; imported late so either way works
    except ImportError:
        return base
    drafted = []
    for i, config in enumerate(base):
        mine = [u for u in uploads if u.meta.get("kreis", base[0].ags if i == 0 else None) == config.ags]
        drafted.append(draft_config(config, mine, folder / f"draft-{config.ags}", ws, db_name))
    return drafted


def remove_stale_work(folder: Path) -> list[Path]:
    """Remove what a publish killed midway left in ``versions/<name>/`` (``.build-<host>-<pid>-…``, ``.draft-…``):
    only files of this machine whose process is gone, so another replica's running publish is never touched."""
    removed = []
    for path in sorted(folder.glob(".build-*")) + sorted(folder.glob(".draft-*")) if folder.is_dir() else []:
        match = _WORK.fullmatch(path.name)
        if not match or match["host"] != socket.gethostname() or int(match["pid"]) == os.getpid() or _alive(int(match["pid"])):
            continue
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def describe_changes(old_db: Path, new_db: Path) -> tuple[str, list[dict]]:
    """What changed against the live database: one line in words and the rows (Änderung, Art, Bezeichnung, Detail),
    from workspace.draft_changes when it exists."""
    try:
        from workspace.draft_changes import changes_text, diff_databases
    except ImportError:
        return "", []
    try:
        found = diff_databases(old_db, new_db)
    except Exception as exc:  # noqa: BLE001 - the list of changes describes a publish; it must not stop one
        return f"Änderungen nicht ermittelt ({type(exc).__name__}: {exc})", []
    return changes_text(found), found.head(MAX_CHANGE_ROWS).astype(object).where(found.head(MAX_CHANGE_ROWS).notna(), None).to_dict("records")


def publish(ws: Workspace, db_path: Path, actor: str, base_version: int | None, say: Callable[[str], None] = print,
            recipe: Recipe | None = None) -> PublishResult:
    """Build the draft into the next version and make it live. ``base_version`` is the version the planner saw
    (None: no version yet – the first publish); if another one is live by now, ``StaleVersion``. The shell passes
    the version current when it starts."""
    from etl.build import build  # the whole ETL: only when publishing

    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    name = db_path.stem
    current = ws.current_version(name)
    if current != base_version:
        raise _stale(ws, name, base_version, None)
    if current is not None:
        with ws.locked(f"versions:{name}") as connection:
            current = _adopt_external(ws, db_path, actor, connection)
    listing = ws.versions(name)
    if current is None:  # the first publish: version 1 is registered together with version 2, or not at all
        initial = recipe or recipe_of(_existing(db_path))
        recipe, previous = initial, version_file(db_path, 1)
    else:
        row = listing[listing["seq"] == current].iloc[0]
        recipe, previous = Recipe.from_dict(row["recipe"] or listing.iloc[0]["recipe"]), db_path.parent / row["file"]
    drafts = ws.uploads(name, status="entwurf")
    kept = [u for u in (ws.upload(i) for i in recipe.uploads) if u is not None and u.status == "veroeffentlicht"]
    uploads = kept + drafts
    folder = versions_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    for stale in remove_stale_work(folder):
        say(f"Reste eines abgebrochenen Veröffentlichens entfernt: {stale.name}")
    temp_db = folder / f".build-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.duckdb"
    target, seq, installed = None, (current or 1) + 1, False
    try:
        with tempfile.TemporaryDirectory(prefix=f".draft-{socket.gethostname()}-{os.getpid()}-", dir=folder) as work:
            configs = draft_configs(load_configs(recipe, Path(work)), uploads, Path(work), ws, name)
            summary = build(configs, temp_db, say)  # EtlError here: nothing of the workspace or the live file changed
        changes, change_rows = describe_changes(db_path, temp_db)
        digest = sha256_of(temp_db)
        with ws.locked(f"versions:{name}") as connection:
            if ws.current_version(name, connection) != current:
                raise _stale(ws, name, current, connection)
            if current is None:
                _register_initial(ws, db_path, actor, initial, connection)
            target = version_file(db_path, seq)
            text = f"{len(drafts)} Upload(s) veröffentlicht; {summary.rows_by_table.get('offers', 0)} Angebote, " \
                   f"{summary.rows_by_table.get('observations', 0)} Werte; Bau {summary.seconds:.1f} s"
            stats = {"seconds": round(summary.seconds, 2), "rows_by_table": summary.rows_by_table, "warnings": len(summary.warnings),
                     "change_rows": change_rows}
            ws.add_version(name, seq, _relative(db_path, target), digest, actor, "publish", summary=text, changes=changes,
                           stats=stats, recipe=Recipe(recipe.configs, recipe.kreise, tuple(u.id for u in uploads)).to_dict(),
                           connection=connection)
            for upload in drafts:
                ws.set_upload_status(upload.id, "veroeffentlicht", actor, connection=connection)
            for suffix in SIDECARS:
                if _sidecar(temp_db, suffix).exists():
                    os.replace(_sidecar(temp_db, suffix), _sidecar(target, suffix))
            os.replace(temp_db, target)
            _install(target, db_path)
            installed = True
    except BaseException:
        if target is not None and target.exists() and ws.current_version(name) != seq:
            # the version was not recorded (install or commit failed): the old state live again, no file without entry
            if installed:
                _install(previous, db_path)
            target.unlink(missing_ok=True)
            for suffix in SIDECARS:
                _sidecar(target, suffix).unlink(missing_ok=True)
        if current is None and ws.current_version(name) is None:
            for leftover in [previous] + [_sidecar(previous, s) for s in SIDECARS]:
                leftover.unlink(missing_ok=True)  # version 1's copy without its entry
        raise
    finally:
        for leftover in [temp_db] + [_sidecar(temp_db, s) for s in SIDECARS]:
            leftover.unlink(missing_ok=True)
    seconds = time.perf_counter() - started
    say(f"Version {seq} veröffentlicht ({seconds:.1f} s): {text}")
    return PublishResult(seq, seconds, dict(summary.rows_by_table), changes, text, [u.id for u in drafts], len(summary.warnings))


def rollback(ws: Workspace, db_path: Path, to_seq: int, actor: str, base_version: int | None = None) -> RollbackResult:
    """Make version ``to_seq`` live again, byte-identical, and record that as a new version."""
    started = time.perf_counter()
    db_path = Path(db_path).resolve()
    name = db_path.stem
    with ws.locked(f"versions:{name}") as connection:
        listing = ws.versions(name, connection)
        if listing.empty:
            raise WorkspaceError(f"Für {name} gibt es noch keine Versionen; zurücksetzen geht erst nach dem ersten Veröffentlichen.")
        current = int(listing["seq"].max())
        if base_version is not None and current != base_version:
            raise _stale(ws, name, base_version, connection)
        current = _adopt_external(ws, db_path, actor, connection)
        rows = listing[listing["seq"] == to_seq]
        if rows.empty:
            raise WorkspaceError(f"Version {to_seq} gibt es nicht; vorhanden: {', '.join(map(str, listing['seq']))}.")
        row = rows.iloc[0]
        source = db_path.parent / row["file"]
        if not source.is_file() or sha256_of(source) != row["sha256"]:
            raise WorkspaceError(f"Die gespeicherte Datei von Version {to_seq} ({source}) fehlt oder wurde verändert; "
                                 "sie wird nicht eingesetzt. Bitte eine andere Version wählen oder die Datei wiederherstellen.")
        seq = current + 1
        ws.add_version(name, seq, row["file"], row["sha256"], actor, "rollback", summary=f"Zurückgesetzt auf Version {to_seq}",
                       stats={k: x for k, x in row["stats"].items() if k != "change_rows"},  # the changes were those of a publish
                       recipe=row["recipe"], source_seq=int(to_seq), connection=connection)
        _install(source, db_path)
        if sha256_of(db_path) != row["sha256"]:
            raise WorkspaceError(f"Nach dem Kopieren stimmt die Prüfsumme von {db_path.name} nicht; bitte erneut zurücksetzen.")
    return RollbackResult(seq, int(to_seq), row["sha256"], time.perf_counter() - started)


__all__ = ["PublishResult", "RollbackResult", "StaleVersion", "publish", "recipe_from", "register_initial", "rollback",
           "sha256_of", "version_file", "versions_dir"]

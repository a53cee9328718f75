"""The workspace store: users, audit log, uploads, offer edits, duplicate decisions, Sozialraum mappings and
database versions, behind one interface with two backends chosen by URL.

- Embedded (default): one SQLite file next to the databases, ``<db_dir>/workspace.sqlite``; enough for the single
  app process of the README start and for the CLI running beside it.
- PostgreSQL (``PLANUNGSATLAS_WORKSPACE_URL=postgresql+psycopg://…``) for several app processes behind a load
  balancer.

Rules a planner can rely on: every write is one transaction (all of it or nothing) and records who did it in the
audit log in that same transaction, so ``log()`` is only needed for what is not a workspace write (refusals, logins,
downloads). Nothing is overwritten where the history matters: edits, duplicate decisions, mappings and versions are
added, and the latest one counts.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import sqlalchemy as sa

from planning.db import database_dir
from workspace import tables as t
from workspace.engine import lock_id, make_engine

URL_ENV = "PLANUNGSATLAS_WORKSPACE_URL"
UPLOAD_KINDS = ("angebote", "statistik", "eigene_indikatoren", "sozialraeume", "umfrage")
UPLOAD_STATUSES = ("entwurf", "veroeffentlicht", "verworfen")
DECISIONS = ("dasselbe", "verschieden")
MAPPING_STATUSES = ("amtlich", "Arbeitsannahme")
VERSION_ACTIONS = ("initial", "publish", "rollback")


class WorkspaceError(ValueError):
    """A request the workspace refuses, with a German message a planner can act on."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    password_hash: str | None
    roles: tuple[str, ...]
    active: bool


@dataclass(frozen=True)
class Upload:
    id: int
    db_name: str
    kind: str
    filename: str
    sha256: str
    uploaded_by: str
    uploaded_at: str
    status: str
    meta: dict[str, Any] = field(default_factory=dict)


def now() -> str:
    """UTC, ISO 8601 to the second."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def workspace_url() -> str:
    """``$PLANUNGSATLAS_WORKSPACE_URL``, else the embedded file ``workspace.sqlite`` next to the databases."""
    return os.environ.get(URL_ENV) or f"sqlite:///{database_dir() / 'workspace.sqlite'}"


class Workspace:
    """The workspace of every database, in one store. ``db_name`` is a database file's stem, e.g. "demo_musterland"."""

    _cache: dict[str, "Workspace"] = {}
    _cache_lock = threading.Lock()

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.create_tables(t.metadata)

    def create_tables(self, metadata: sa.MetaData) -> None:
        """Create the tables of ``metadata`` that are missing; replicas starting together take turns under the
        schema lock (otherwise two of them see a table missing and both create it; the second one fails)."""
        with self.locked("workspace-schema") as connection:
            metadata.create_all(connection)

    @classmethod
    def open(cls, url: str | None = None) -> "Workspace":
        """The workspace at ``url`` (default: ``workspace_url()``); one engine per URL and process."""
        url = url or workspace_url()
        with cls._cache_lock:
            if url not in cls._cache:
                cls._cache[url] = cls(make_engine(url))
            return cls._cache[url]

    @classmethod
    def close_all(cls) -> None:
        """Dispose every cached engine (tests, and before a process forks)."""
        with cls._cache_lock:
            for workspace in cls._cache.values():
                workspace.engine.dispose()
            cls._cache.clear()

    @property
    def backend(self) -> str:
        return self.engine.dialect.name  # "sqlite" | "postgresql"

    # -- transactions -------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction: committed when the block ends, rolled back entirely on an exception."""
        with self.engine.connect().execution_options(workspace_write=True) as connection, connection.begin():
            yield connection

    @contextlib.contextmanager
    def locked(self, name: str) -> Iterator[sa.Connection]:
        """A write transaction that also holds the lock ``name`` until it ends, across processes (PostgreSQL: an
        advisory transaction lock; SQLite: the database's write lock, which a write transaction holds anyway)."""
        with self.write() as connection:
            if self.backend == "postgresql":
                connection.execute(sa.select(sa.func.pg_advisory_xact_lock(lock_id(name))))
            yield connection

    def read(self, query: sa.Executable) -> list[sa.Row]:
        """Rows of one query (for stores that keep their own tables in the workspace, e.g. workspace/goals.py)."""
        with self.engine.connect() as connection:
            return list(connection.execute(query))

    @staticmethod
    def audit(connection: sa.Connection, actor: str, action: str, target: str = "", detail: str = "", allowed: bool = True) -> None:
        """The audit row of a write, inside that write's transaction (all of it or nothing)."""
        connection.execute(t.audit.insert().values(at=now(), actor=actor, action=action, target=target, detail=detail, allowed=allowed))

    # -- users ------------------------------------------------------------------------------------------------

    def add_user(self, username: str, password_hash: str | None, roles: list[str], display_name: str = "", actor: str = "system") -> None:
        """A new user; the name is unique (a second user of the same name is refused)."""
        username = username.strip()
        if not username:
            raise WorkspaceError("Der Benutzername ist leer. Bitte einen Namen angeben.")
        stamp = now()
        try:
            with self.write() as c:
                c.execute(t.users.insert().values(
                    username=username, display_name=display_name, password_hash=password_hash,
                    roles=json.dumps(_roles(roles)), active=True, created_at=stamp, updated_at=stamp))
                self.audit(c, actor, "user_add", username, f"Rollen: {', '.join(_roles(roles)) or 'keine'}")
        except sa.exc.IntegrityError:
            raise WorkspaceError(f"Den Benutzer {username!r} gibt es schon. Bitte einen anderen Namen wählen.") from None

    def user(self, username: str) -> User | None:
        rows = self.read(sa.select(t.users).where(t.users.c.username == username))
        return _user(rows[0]) if rows else None

    def users(self) -> list[User]:
        return [_user(r) for r in self.read(sa.select(t.users).order_by(t.users.c.username))]

    def _update_user(self, username: str, actor: str, action: str, detail: str, **values: Any) -> None:
        with self.write() as c:
            done = c.execute(t.users.update().where(t.users.c.username == username).values(updated_at=now(), **values))
            if done.rowcount == 0:
                raise WorkspaceError(f"Den Benutzer {username!r} gibt es nicht.")
            self.audit(c, actor, action, username, detail)

    def set_roles(self, username: str, roles: list[str], actor: str) -> None:
        self._update_user(username, actor, "user_roles", f"Rollen: {', '.join(_roles(roles)) or 'keine'}", roles=json.dumps(_roles(roles)))

    def set_password_hash(self, username: str, password_hash: str | None, actor: str) -> None:
        self._update_user(username, actor, "user_password", "Passwort geändert", password_hash=password_hash)

    def set_active(self, username: str, active: bool, actor: str) -> None:
        self._update_user(username, actor, "user_active", "aktiv" if active else "gesperrt", active=bool(active))

    # -- audit ------------------------------------------------------------------------------------------------

    def log(self, actor: str, action: str, target: str = "", detail: str = "", allowed: bool = True) -> None:
        """One audit entry, e.g. a refused request (allowed=False) or a login."""
        with self.write() as c:
            self.audit(c, actor, action, target, detail, allowed)

    def audit_log(self, limit: int = 500, action: str | None = None, target: str | None = None) -> pd.DataFrame:
        """The newest entries first: at, actor, action, target, detail, allowed."""
        query = sa.select(t.audit.c.at, t.audit.c.actor, t.audit.c.action, t.audit.c.target, t.audit.c.detail, t.audit.c.allowed)
        if action is not None:
            query = query.where(t.audit.c.action == action)
        if target is not None:
            query = query.where(t.audit.c.target == target)
        rows = self.read(query.order_by(t.audit.c.id.desc()).limit(limit))
        frame = pd.DataFrame(rows, columns=["at", "actor", "action", "target", "detail", "allowed"])
        return frame.astype({"allowed": bool})

    # -- uploads ----------------------------------------------------------------------------------------------

    def add_upload(self, db_name: str, kind: str, filename: str, content: bytes, actor: str, meta: dict | None = None) -> int:
        """Keep an uploaded file as a draft ("entwurf") of ``db_name``; returns its id."""
        if kind not in UPLOAD_KINDS:
            raise WorkspaceError(f"Unbekannte Art des Uploads: {kind!r}; erwartet: {', '.join(UPLOAD_KINDS)}.")
        digest = hashlib.sha256(content).hexdigest()
        with self.write() as c:
            upload_id = c.execute(t.uploads.insert().values(
                db_name=db_name, kind=kind, filename=filename, sha256=digest, size=len(content), uploaded_by=actor,
                uploaded_at=now(), status="entwurf", meta=json.dumps(meta or {}, ensure_ascii=False))).inserted_primary_key[0]
            c.execute(t.upload_contents.insert().values(upload_id=upload_id, content=content))
            self.audit(c, actor, "upload", db_name, f"{kind}: {filename} ({len(content)} Bytes, sha256 {digest[:12]})")
        return int(upload_id)

    def uploads(self, db_name: str, status: str | None = "entwurf") -> list[Upload]:
        """The uploads of ``db_name`` in upload order; ``status=None`` for all."""
        query = sa.select(t.uploads).where(t.uploads.c.db_name == db_name)
        if status is not None:
            query = query.where(t.uploads.c.status == status)
        return [_upload(r) for r in self.read(query.order_by(t.uploads.c.id))]

    def upload(self, upload_id: int) -> Upload | None:
        rows = self.read(sa.select(t.uploads).where(t.uploads.c.id == upload_id))
        return _upload(rows[0]) if rows else None

    def upload_content(self, upload_id: int) -> bytes:
        rows = self.read(sa.select(t.upload_contents.c.content).where(t.upload_contents.c.upload_id == upload_id))
        if not rows:
            raise WorkspaceError(f"Den Upload Nr. {upload_id} gibt es nicht.")
        return bytes(rows[0][0])

    def set_upload_status(self, upload_id: int, status: str, actor: str, connection: sa.Connection | None = None) -> None:
        """entwurf → veroeffentlicht (by a publish) or verworfen (discarded by a planner)."""
        if status not in UPLOAD_STATUSES:
            raise WorkspaceError(f"Unbekannter Status {status!r}; erwartet: {', '.join(UPLOAD_STATUSES)}.")
        with _in(self, connection) as c:
            done = c.execute(t.uploads.update().where(t.uploads.c.id == upload_id).values(status=status))
            if done.rowcount == 0:
                raise WorkspaceError(f"Den Upload Nr. {upload_id} gibt es nicht.")
            self.audit(c, actor, "upload_status", str(upload_id), status)

    # -- offer edits and duplicate decisions --------------------------------------------------------------------

    def add_offer_edit(self, db_name: str, offer_key: str, field: str, old: Any, new: Any, actor: str) -> None:
        """One changed field of one offer (old → new), kept for good; the latest edit of a field counts."""
        old_text, new_text = _text(old), _text(new)
        with self.write() as c:
            c.execute(t.offer_edits.insert().values(db_name=db_name, at=now(), actor=actor, offer_key=offer_key,
                                                    field=field, old=old_text, new=new_text))
            self.audit(c, actor, "offer_edit", f"{db_name}/{offer_key}", f"{field}: {old_text!r} → {new_text!r}")

    def offer_edits(self, db_name: str) -> pd.DataFrame:
        """Every edit of ``db_name`` in the order made: at, actor, offer_key, field, old, new."""
        e = t.offer_edits.c
        rows = self.read(sa.select(e.at, e.actor, e.offer_key, e.field, e.old, e.new).where(e.db_name == db_name).order_by(e.id))
        return pd.DataFrame(rows, columns=["at", "actor", "offer_key", "field", "old", "new"], dtype=object)  # None stays None

    def set_duplicate_decision(self, db_name: str, key_a: str, key_b: str, decision: str, actor: str, keep: str | None = None) -> None:
        """"dasselbe" (merge; ``keep`` = the offer whose fields win where both have one) or "verschieden"; a pair is the
        same pair either way round, and the latest decision counts."""
        if decision not in DECISIONS:
            raise WorkspaceError(f"Unbekannte Entscheidung {decision!r}; erwartet: {' oder '.join(DECISIONS)}.")
        if key_a == key_b:
            raise WorkspaceError("Ein Angebot kann nicht sein eigenes Duplikat sein.")
        if keep is not None and keep not in (key_a, key_b):
            raise WorkspaceError(f"Das behaltene Angebot {keep!r} gehört nicht zu diesem Paar.")
        first, second = sorted((key_a, key_b))
        with self.write() as c:
            c.execute(t.duplicate_decisions.insert().values(db_name=db_name, key_a=first, key_b=second, decision=decision,
                                                            keep=keep, actor=actor, at=now()))
            self.audit(c, actor, "duplicate_decision", f"{db_name}/{first}+{second}", decision + (f", behalten: {keep}" if keep else ""))

    def duplicate_decisions(self, db_name: str) -> pd.DataFrame:
        """The valid decision per pair: key_a, key_b (sorted), decision, keep, actor, at."""
        d = t.duplicate_decisions.c
        rows = self.read(sa.select(d.key_a, d.key_b, d.decision, d.keep, d.actor, d.at).where(d.db_name == db_name).order_by(d.id))
        frame = pd.DataFrame(rows, columns=["key_a", "key_b", "decision", "keep", "actor", "at"], dtype=object)
        return frame.drop_duplicates(["key_a", "key_b"], keep="last").reset_index(drop=True)

    # -- Sozialraum mappings ------------------------------------------------------------------------------------

    def save_sozialraum_mapping(self, db_name: str, mapping: pd.DataFrame, status: str, source: str, actor: str) -> int:
        """Keep a new version of the assignment Gemeinde → Sozialraum; returns its number (1, 2, …)."""
        if status not in MAPPING_STATUSES:
            raise WorkspaceError(f"Unbekannter Status {status!r}; erwartet: {' oder '.join(MAPPING_STATUSES)}.")
        missing = {"gemeinde_id", "sozialraum"} - set(mapping.columns)
        if missing:
            raise WorkspaceError(f"Der Zuordnung fehlen die Spalten {', '.join(sorted(missing))}.")
        rows = mapping[["gemeinde_id", "sozialraum"]].astype(str)
        if rows["gemeinde_id"].duplicated().any():
            twice = ", ".join(sorted(set(rows.loc[rows["gemeinde_id"].duplicated(), "gemeinde_id"])))
            raise WorkspaceError(f"Gemeinden mehrfach zugeordnet: {twice}. Jede Gemeinde gehört zu genau einem Sozialraum.")
        with self.locked(f"sozialraum:{db_name}") as c:
            m = t.sozialraum_mappings.c
            version = (c.execute(sa.select(sa.func.max(m.version)).where(m.db_name == db_name)).scalar() or 0) + 1
            c.execute(t.sozialraum_mappings.insert().values(db_name=db_name, version=version, status=status, source=source,
                                                            actor=actor, created_at=now()))
            if len(rows):
                c.execute(t.sozialraum_rows.insert(), [{"db_name": db_name, "version": version, **r} for r in rows.to_dict("records")])
            self.audit(c, actor, "sozialraum_mapping", db_name, f"Version {version}, {status}, {len(rows)} Gemeinden")
        return version

    def sozialraum_mappings(self, db_name: str) -> pd.DataFrame:
        """The mapping versions, oldest first: version, status, source, actor, created_at, gemeinden."""
        m, r = t.sozialraum_mappings.c, t.sozialraum_rows.c
        count = sa.select(sa.func.count()).where(r.db_name == m.db_name, r.version == m.version).scalar_subquery()
        rows = self.read(sa.select(m.version, m.status, m.source, m.actor, m.created_at, count).where(m.db_name == db_name).order_by(m.version))
        return pd.DataFrame(rows, columns=["version", "status", "source", "actor", "created_at", "gemeinden"])

    def sozialraum_mapping(self, db_name: str, version: int | None = None) -> pd.DataFrame | None:
        """One mapping (gemeinde_id, sozialraum), the latest when ``version`` is None; ``.attrs`` carries version,
        status and source. None when there is none."""
        versions = self.sozialraum_mappings(db_name)
        if version is not None:
            versions = versions[versions["version"] == version]
        if versions.empty:
            return None
        head = versions.iloc[-1]
        r = t.sozialraum_rows.c
        rows = self.read(sa.select(r.gemeinde_id, r.sozialraum).where(r.db_name == db_name, r.version == int(head["version"]))
                          .order_by(r.gemeinde_id))
        frame = pd.DataFrame(rows, columns=["gemeinde_id", "sozialraum"])
        frame.attrs.update(version=int(head["version"]), status=head["status"], source=head["source"])
        return frame

    # -- versions ---------------------------------------------------------------------------------------------

    def add_version(self, db_name: str, seq: int, file: str, sha256: str, actor: str, action: str, summary: str = "",
                    changes: str = "", stats: dict | None = None, recipe: dict | None = None, source_seq: int | None = None,
                    connection: sa.Connection | None = None) -> None:
        """Register a version; a number taken already is refused (``sa.exc.IntegrityError``) – see workspace.versions."""
        if action not in VERSION_ACTIONS:
            raise WorkspaceError(f"Unbekannte Versionsart {action!r}.")
        with _in(self, connection) as c:
            c.execute(t.versions.insert().values(
                db_name=db_name, seq=seq, file=file, sha256=sha256, created_at=now(), actor=actor, action=action,
                source_seq=source_seq, summary=summary, changes=changes, stats=json.dumps(stats or {}, ensure_ascii=False, default=str),
                recipe=json.dumps(recipe, ensure_ascii=False) if recipe is not None else None))
            self.audit(c, actor, action, db_name, f"Version {seq}" + (f" (Stand von Version {source_seq})" if source_seq else ""))

    def versions(self, db_name: str, connection: sa.Connection | None = None) -> pd.DataFrame:
        """Every version, oldest first: seq, file, sha256, created_at, actor, action, source_seq, summary, changes,
        stats (dict), recipe (dict or None)."""
        v = t.versions.c
        query = sa.select(v.seq, v.file, v.sha256, v.created_at, v.actor, v.action, v.source_seq, v.summary, v.changes,
                          v.stats, v.recipe).where(v.db_name == db_name).order_by(v.seq)
        rows = list(connection.execute(query)) if connection is not None else self.read(query)
        records = [{**r._asdict(), "stats": json.loads(r.stats or "{}"), "recipe": json.loads(r.recipe) if r.recipe else None}
                   for r in rows]
        columns = ["seq", "file", "sha256", "created_at", "actor", "action", "source_seq", "summary", "changes", "stats", "recipe"]
        frame = pd.DataFrame(records, columns=columns)
        frame["source_seq"] = frame["source_seq"].astype("Int64")
        frame["recipe"] = frame["recipe"].astype(object).where(frame["recipe"].notna(), None)
        return frame

    def current_version(self, db_name: str, connection: sa.Connection | None = None) -> int | None:
        """The number of the version that is live now (the latest entry), None before the first publish."""
        query = sa.select(sa.func.max(t.versions.c.seq)).where(t.versions.c.db_name == db_name)
        value = connection.execute(query).scalar() if connection is not None else self.read(query)[0][0]
        return int(value) if value is not None else None

    # -- generic values per database ----------------------------------------------------------------------------

    def set_value(self, db_name: str, key: str, value: Any, actor: str) -> None:
        """Keep any JSON-serialisable value under ``key`` for ``db_name`` (the newest replaces the older)."""
        text = json.dumps(value, ensure_ascii=False)
        with self.locked(f"value:{db_name}/{key}") as c:  # no two first writes of one key (PostgreSQL)
            table = t.values
            stamp = now()
            if c.execute(sa.select(table.c.key).where(table.c.db_name == db_name, table.c.key == key)).first():
                c.execute(table.update().where(table.c.db_name == db_name, table.c.key == key).values(value=text, actor=actor, updated_at=stamp))
            else:
                c.execute(table.insert().values(db_name=db_name, key=key, value=text, actor=actor, updated_at=stamp))
            self.audit(c, actor, "value", f"{db_name}/{key}", text[:200])

    def value(self, db_name: str, key: str, default: Any = None) -> Any:
        rows = self.read(sa.select(t.values.c.value).where(t.values.c.db_name == db_name, t.values.c.key == key))
        return json.loads(rows[0][0]) if rows else default


@contextlib.contextmanager
def _in(workspace: Workspace, connection: sa.Connection | None) -> Iterator[sa.Connection]:
    """The caller's transaction when given (one publish = one transaction), else a new one."""
    if connection is not None:
        yield connection
    else:
        with workspace.write() as c:
            yield c


def _roles(roles: list[str] | tuple[str, ...]) -> list[str]:
    return sorted({str(r).strip() for r in roles if str(r).strip()})


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return str(value)


def _user(row: sa.Row) -> User:
    return User(row.username, row.display_name or "", row.password_hash, tuple(json.loads(row.roles or "[]")), bool(row.active))


def _upload(row: sa.Row) -> Upload:
    return Upload(int(row.id), row.db_name, row.kind, row.filename, row.sha256, row.uploaded_by, row.uploaded_at,
                  row.status, json.loads(row.meta or "{}"))

"""Scenarios in the workspace: several named scenarios per Kreis, kept with everything else planners make (the
SQLite file next to the databases or PostgreSQL – the same store as users, uploads, edits and goals).

Rules a planner can rely on:
- A scenario belongs to one database (its file name without ``.duckdb``) and one Kreis, and its name is unique
  there: the database itself refuses a second "Plan A", so two planners saving at the same moment can never end up
  with two of them. Renaming or copying onto a name that is taken is refused with a message saying so.
- "Speichern" under an existing name replaces that scenario; under a new name it adds one. Two planners saving
  different scenarios at the same time both keep theirs (each write touches its own row; nothing is read, changed
  and written back as a whole as with the former JSON file).
- Every write – save, rename, duplicate, delete, import – is one transaction with its audit row (who, when,
  which scenario). A deleted scenario's changes stay readable in the audit entry of its deletion.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from planning.scenarios import Scenario
from workspace import tables as t
from workspace.storage import Workspace, WorkspaceError, now

MAX_NAME = 200  # the column's width
IMPORT_SUFFIX = " (aus Datei)"  # a scenario of the old JSON file whose name is taken by a different one


class ScenarioExists(WorkspaceError):
    """The name is taken in this Kreis."""


class ScenarioNotFound(WorkspaceError, KeyError):
    """No scenario of that name in this Kreis (a KeyError too, as the former store raised)."""

    __str__ = BaseException.__str__  # the message as written, not KeyError's quoted repr


@dataclass(frozen=True)
class ImportResult:
    imported: int
    unchanged: int  # the same scenario was there already (an import run twice)
    renamed: tuple[tuple[str, str], ...]  # (name in the file, name given) where the name held another scenario


def _changes_json(scenario: Scenario) -> str:
    return json.dumps(scenario.to_dict()["changes"], ensure_ascii=False, sort_keys=True)


def _count(scenario: Scenario) -> str:
    return f"{len(scenario.changes)} Änderung{'' if len(scenario.changes) == 1 else 'en'}"


def _checked_name(name: str) -> str:
    if not str(name).strip():
        raise WorkspaceError("Das Szenario braucht einen Namen. Bitte einen Namen eingeben.")
    if len(name) > MAX_NAME:
        raise WorkspaceError(f"Der Name des Szenarios ist {len(name)} Zeichen lang; höchstens {MAX_NAME} sind möglich. Bitte kürzen.")
    return name


def _taken(name: str) -> ScenarioExists:
    return ScenarioExists(f"Ein Szenario „{name}“ gibt es in diesem Kreis schon. Bitte einen anderen Namen wählen.")


def _missing(name: str) -> ScenarioNotFound:
    return ScenarioNotFound(f"Ein Szenario „{name}“ ist für diesen Kreis nicht gespeichert (inzwischen gelöscht oder umbenannt?).")


class WorkspaceScenarioStore:
    """The scenarios of one database (``db_name``) in the workspace; the ``ScenarioStore`` interface of the pages.

    ``actor`` is who the audit names for a write when the write does not name anyone itself."""

    def __init__(self, ws: Workspace, db_name: str, actor: str = "system") -> None:
        self.ws = ws
        self.db_name = db_name
        self.actor = actor

    def _where(self, kreis_id: str, name: str | None = None) -> list[sa.ColumnElement[bool]]:
        s = t.scenarios.c
        clauses = [s.db_name == self.db_name, s.kreis_id == kreis_id]
        return clauses if name is None else [*clauses, s.name == name]

    def _lock(self) -> str:
        # one lock per database: the writes of one database's scenarios take turns across processes
        return f"scenarios:{self.db_name}"

    def _target(self, kreis_id: str, name: str) -> str:
        return f"{self.db_name}/{kreis_id}/{name}"

    def _insert(self, c: sa.Connection, kreis_id: str, name: str, changes: str, note: str, who: str) -> None:
        stamp = now()
        c.execute(t.scenarios.insert().values(db_name=self.db_name, kreis_id=kreis_id, name=name, changes=changes, note=note,
                                              created_by=who, created_at=stamp, updated_by=who, updated_at=stamp))  # fmt: skip

    # -- reading ------------------------------------------------------------------------------------------------

    def names(self, kreis_id: str) -> list[str]:
        """The names of the Kreis's scenarios, sorted the same way on both backends (Python's order, not the
        database's collation)."""
        return sorted(r.name for r in self.ws.read(sa.select(t.scenarios.c.name).where(*self._where(kreis_id))))

    def load(self, kreis_id: str, name: str) -> Scenario | None:
        s = t.scenarios.c
        rows = self.ws.read(sa.select(s.changes, s.note).where(*self._where(kreis_id, name)))
        if not rows:
            return None
        return Scenario.from_dict({"name": name, "kreis_id": kreis_id, "note": rows[0].note, "changes": json.loads(rows[0].changes)})

    def info(self, kreis_id: str) -> pd.DataFrame:
        """Who made and last changed each scenario: name, created_by, created_at, updated_by, updated_at."""
        s = t.scenarios.c
        columns = ["name", "created_by", "created_at", "updated_by", "updated_at"]
        rows = self.ws.read(sa.select(*(s[c] for c in columns)).where(*self._where(kreis_id)))
        return pd.DataFrame(rows, columns=columns).sort_values("name", ignore_index=True)

    # -- writing ------------------------------------------------------------------------------------------------

    def save(self, scenario: Scenario, actor: str | None = None) -> None:
        """Keep ``scenario`` under its name: a new one is added, one of the same name is replaced."""
        name, who, changes = _checked_name(scenario.name), actor or self.actor, _changes_json(scenario)
        stamp, s = now(), t.scenarios.c
        with self.ws.locked(self._lock()) as c:
            found = c.execute(sa.select(s.id).where(*self._where(scenario.kreis_id, name))).first()
            if found:
                values = {"changes": changes, "note": scenario.note, "updated_by": who, "updated_at": stamp}
                c.execute(t.scenarios.update().where(s.id == found.id).values(**values))
            else:
                self._insert(c, scenario.kreis_id, name, changes, scenario.note, who)
            self.ws.audit(c, who, "scenario_save", self._target(scenario.kreis_id, name),
                          f"{'geändert' if found else 'neu'}, {_count(scenario)}")  # fmt: skip

    def delete(self, kreis_id: str, name: str, actor: str | None = None) -> None:
        """Remove a scenario (nothing happens when there is none); the audit entry keeps its changes."""
        who, s = actor or self.actor, t.scenarios.c
        with self.ws.locked(self._lock()) as c:
            row = c.execute(sa.select(s.id, s.changes, s.note).where(*self._where(kreis_id, name))).first()
            if row is None:
                return
            c.execute(t.scenarios.delete().where(s.id == row.id))
            kept = json.dumps({"note": row.note, "changes": json.loads(row.changes)}, ensure_ascii=False)
            self.ws.audit(c, who, "scenario_delete", self._target(kreis_id, name), kept)

    def rename(self, kreis_id: str, old: str, new: str, actor: str | None = None) -> None:
        """Give a scenario another name (one transaction; a link with the old name opens nothing afterwards)."""
        if new == old:
            return
        who, s = actor or self.actor, t.scenarios.c
        _checked_name(new)
        try:
            with self.ws.locked(self._lock()) as c:
                row = c.execute(sa.select(s.id).where(*self._where(kreis_id, old))).first()
                if row is None:
                    raise _missing(old)
                if c.execute(sa.select(s.id).where(*self._where(kreis_id, new))).first():
                    raise _taken(new)
                c.execute(t.scenarios.update().where(s.id == row.id).values(name=new, updated_by=who, updated_at=now()))
                self.ws.audit(c, who, "scenario_rename", self._target(kreis_id, new), f"„{old}“ → „{new}“")
        except sa.exc.IntegrityError:  # the database's own check, should a writer ever bypass the lock
            raise _taken(new) from None

    def duplicate(self, kreis_id: str, name: str, new: str, actor: str | None = None) -> None:
        """A copy of scenario ``name`` under the name ``new`` (one transaction)."""
        who, s = actor or self.actor, t.scenarios.c
        _checked_name(new)
        try:
            with self.ws.locked(self._lock()) as c:
                row = c.execute(sa.select(s.changes, s.note).where(*self._where(kreis_id, name))).first()
                if row is None:
                    raise _missing(name)
                if c.execute(sa.select(s.id).where(*self._where(kreis_id, new))).first():
                    raise _taken(new)
                self._insert(c, kreis_id, new, row.changes, row.note, who)
                self.ws.audit(c, who, "scenario_duplicate", self._target(kreis_id, new), f"Kopie von „{name}“")
        except sa.exc.IntegrityError:
            raise _taken(new) from None

    def import_scenarios(self, scenarios: Iterable[Scenario], source: str, actor: str = "system") -> ImportResult:
        """Take over scenarios kept elsewhere (the former ``<name>.szenarien.json``), in one transaction. Running
        it again changes nothing: a scenario that is there already with the same changes is skipped; one whose name
        holds a different scenario is added as "<name> (aus Datei)" – none is overwritten, none left out."""
        s = t.scenarios.c
        imported, unchanged, renamed = 0, 0, []
        with self.ws.locked(self._lock()) as c:
            for scenario in scenarios:
                name, changes = _checked_name(scenario.name), _changes_json(scenario)
                rows = c.execute(sa.select(s.name, s.changes, s.note).where(*self._where(scenario.kreis_id)))
                taken = {r.name: (r.changes, r.note) for r in rows}
                candidates = _candidates(name)
                if any(taken.get(n) == (changes, scenario.note) for n in candidates):
                    unchanged += 1
                    continue
                given = next((n for n in candidates if n not in taken), None)
                if given is None:
                    raise WorkspaceError(f"Für das Szenario „{name}“ ist kein freier Name mehr frei; bitte ältere Kopien löschen.")
                if given != name:
                    renamed.append((name, given))
                self._insert(c, scenario.kreis_id, given, changes, scenario.note, actor)
                imported += 1
            detail = f"{source}: {imported} übernommen, {unchanged} schon vorhanden"
            if renamed:
                detail += "; umbenannt: " + ", ".join(f"„{a}“ → „{b}“" for a, b in renamed)
            self.ws.audit(c, actor, "scenario_import", self.db_name, detail)
        return ImportResult(imported, unchanged, tuple(renamed))



def _candidates(name: str) -> list[str]:
    """The name itself, then "<name> (aus Datei)", "<name> (aus Datei) 2", …"""
    return [name, f"{name}{IMPORT_SUFFIX}", *(f"{name}{IMPORT_SUFFIX} {i}" for i in range(2, 100))]

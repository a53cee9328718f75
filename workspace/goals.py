"""Goals and measures of a database's Kreis, kept in the workspace (the same store and backends as everything a
planner makes: SQLite next to the databases or PostgreSQL). Every change is one transaction with its audit entry
(who, when, old → new). Rules live in planning/goals.py; this module only keeps."""
from __future__ import annotations

import json
from dataclasses import asdict, fields

import sqlalchemy as sa

from planning.goals import Goal, Measure, check_goal, settings
from workspace.storage import Workspace, WorkspaceError, now

metadata = sa.MetaData()
goals_table = sa.Table(
    "ws_goals", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False, index=True),
    sa.Column("kreis_id", sa.String(20), nullable=False),
    sa.Column("data", sa.Text, nullable=False),  # the Goal's fields as JSON: one schema for both backends, new fields need no migration
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
)  # fmt: skip
measures_table = sa.Table(
    "ws_measures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("db_name", sa.String(200), nullable=False, index=True),
    sa.Column("kreis_id", sa.String(20), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("archived", sa.Boolean, nullable=False, default=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(200), nullable=False),
)  # fmt: skip


def _record(item: Goal | Measure) -> str:
    data = {k: v for k, v in asdict(item).items() if k != "id"}
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _goal(row: sa.Row) -> Goal:
    data = json.loads(row.data)
    known = {f.name for f in fields(Goal)}
    return Goal(**{k: v for k, v in data.items() if k in known}, id=row.id)


def _measure(row: sa.Row) -> Measure:
    data = json.loads(row.data)
    known = {f.name for f in fields(Measure)}
    data["goal_ids"] = tuple(data.get("goal_ids", ()))
    return Measure(**{k: v for k, v in data.items() if k in known}, id=row.id)


class GoalStore:
    """Goals and measures per database (``db_name``) and Kreis."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        ws.create_tables(metadata)

    def goals(self, db_name: str, kreis_id: str) -> list[Goal]:
        g = goals_table.c
        rows = self.ws.read(sa.select(g.id, g.data).where(g.db_name == db_name, g.kreis_id == kreis_id, g.archived.is_(False)).order_by(g.id))
        return [_goal(r) for r in rows]

    def measures(self, db_name: str, kreis_id: str) -> list[Measure]:
        m = measures_table.c
        rows = self.ws.read(sa.select(m.id, m.data).where(m.db_name == db_name, m.kreis_id == kreis_id, m.archived.is_(False)).order_by(m.id))
        return [_measure(r) for r in rows]

    def save_goal(self, db_name: str, kreis_id: str, goal: Goal, actor: str) -> int:
        """Add (``goal.id`` None) or change a goal; a goal that breaks the rules of ``check_goal`` is refused."""
        if problems := check_goal(goal):
            raise WorkspaceError("Ziel nicht gespeichert: " + "; ".join(problems) + ".")
        return self._save(goals_table, db_name, kreis_id, goal, actor, "goal")

    def save_measure(self, db_name: str, kreis_id: str, measure: Measure, actor: str) -> int:
        if measure.status not in settings()["measure_statuses"]:
            raise WorkspaceError(f"Status „{measure.status}“ unbekannt; erwartet: {', '.join(settings()['measure_statuses'])}.")
        if not measure.title.strip():
            raise WorkspaceError("Maßnahme nicht gespeichert: Titel fehlt.")
        known = {g.id for g in self.goals(db_name, kreis_id)}
        if unknown := [i for i in measure.goal_ids if i not in known]:
            raise WorkspaceError(f"Maßnahme nicht gespeichert: Ziele {unknown} gibt es nicht.")
        return self._save(measures_table, db_name, kreis_id, measure, actor, "measure")

    def archive(self, kind: str, db_name: str, item_id: int, actor: str) -> None:
        """Take a goal or measure off the lists (kept for the record, with its audit trail)."""
        table = goals_table if kind == "goal" else measures_table
        with self.ws.write() as c:
            c.execute(table.update().where(table.c.id == item_id, table.c.db_name == db_name).values(archived=True, updated_at=now(), actor=actor))
            self.ws.audit(c, actor, f"{kind}_archive", f"{db_name}/{item_id}")

    def _save(self, table: sa.Table, db_name: str, kreis_id: str, item: Goal | Measure, actor: str, kind: str) -> int:
        record = _record(item)
        with self.ws.write() as c:
            if item.id is None:
                new_id = c.execute(table.insert().values(db_name=db_name, kreis_id=kreis_id, data=record, archived=False,
                                                         updated_at=now(), actor=actor)).inserted_primary_key[0]  # fmt: skip
                self.ws.audit(c, actor, f"{kind}_add", f"{db_name}/{new_id}", record[:2000])
                return int(new_id)
            old = c.execute(sa.select(table.c.data).where(table.c.id == item.id, table.c.db_name == db_name)).scalar()
            if old is None:
                raise WorkspaceError(f"{'Ziel' if kind == 'goal' else 'Maßnahme'} {item.id} gibt es nicht.")
            c.execute(table.update().where(table.c.id == item.id).values(data=record, updated_at=now(), actor=actor))
            self.ws.audit(c, actor, f"{kind}_change", f"{db_name}/{item.id}", f"{old[:900]} → {record[:900]}")
            return int(item.id)

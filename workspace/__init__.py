"""The workspace: what planners make on top of the published data, stored apart from the database.

``ScenarioStore`` is the interface the pages and rules use for scenarios; ``store_for(database_path)`` gives the
scenarios of one database, kept in the workspace store (``WorkspaceScenarioStore``, ``workspace.scenarios``: the
SQLite file next to the databases or PostgreSQL, unique names per Kreis, every write audited). A
``<name>.szenarien.json`` of an earlier version is imported once and renamed to ``….importiert``;
``JsonScenarioStore`` only reads such files now.

The rest of the workspace (issue 12) is imported from its modules: ``workspace.storage`` (users, audit, uploads,
edits, decisions, Sozialräume, versions over SQLite or PostgreSQL), ``workspace.users`` (password hashes, first
admin), ``workspace.versions`` (publish, rollback), ``workspace.recipe`` (how a database is rebuilt),
``workspace.goals`` (goals and measures), ``workspace.roles`` (roles as data) and ``python -m workspace`` (the
command line).
"""
from workspace.scenarios import ScenarioExists, ScenarioNotFound, WorkspaceScenarioStore
from workspace.store import JsonScenarioStore, ScenarioStore, store_for

__all__ = ["JsonScenarioStore", "ScenarioExists", "ScenarioNotFound", "ScenarioStore", "WorkspaceScenarioStore", "store_for"]

"""The workspace: what planners make on top of the published data (scenarios), stored apart from the database.

``ScenarioStore`` is the interface the pages and rules use; ``JsonScenarioStore`` keeps the scenarios of one
database in a small JSON file next to it. A shared server can later put a PostgreSQL store behind the same
interface without touching a page.

The rest of the workspace (issue 12) is imported from its modules, so that importing the scenario store stays light:
``workspace.storage`` (users, audit, uploads, edits, decisions, Sozialräume, versions over SQLite or PostgreSQL),
``workspace.users`` (password hashes, first admin), ``workspace.versions`` (publish, rollback), ``workspace.recipe``
(how a database is rebuilt) and ``python -m workspace`` (the command line).
"""
from workspace.store import JsonScenarioStore, ScenarioStore, store_for

__all__ = ["JsonScenarioStore", "ScenarioStore", "store_for"]

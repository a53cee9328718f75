"""The workspace: what planners make on top of the published data (scenarios), stored apart from the database.

``ScenarioStore`` is the interface the pages and rules use; ``JsonScenarioStore`` keeps the scenarios of one
database in a small JSON file next to it. A shared server can later put a PostgreSQL store behind the same
interface without touching a page.
"""
from workspace.store import JsonScenarioStore, ScenarioStore, store_for

__all__ = ["JsonScenarioStore", "ScenarioStore", "store_for"]

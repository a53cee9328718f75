"""Scenario stores: the interface the pages use, and where a database's scenarios live.

Rules a planner can rely on:
- The scenarios of a database are kept in the workspace (``workspace.scenarios``): the SQLite file next to the
  databases, or PostgreSQL when ``$PLANUNGSATLAS_WORKSPACE_URL`` names one – so every app process behind a load
  balancer sees the same scenarios, and every change is in the audit log.
- Earlier versions kept them in ``<name>.szenarien.json`` beside ``<name>.duckdb``. The first time a database's
  scenarios are opened, such a file is taken over into the workspace once and then renamed to
  ``<name>.szenarien.json.importiert`` (kept, never deleted), so no Kreis loses a scenario. An unreadable file is
  left as it is and named in the error.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from planning.db import database_dir
from planning.scenarios import Scenario
from workspace.scenarios import ImportResult, WorkspaceScenarioStore
from workspace.storage import URL_ENV, Workspace, WorkspaceError, workspace_url

SUFFIX = ".szenarien.json"
IMPORTED = ".importiert"  # appended to the JSON file's name once its scenarios are in the workspace
_LOCK = threading.Lock()  # Streamlit runs one thread per session; writes of one process go one at a time


class ScenarioStore(Protocol):
    """Several named scenarios per Kreis; names are unique within a Kreis."""

    def names(self, kreis_id: str) -> list[str]: ...
    def load(self, kreis_id: str, name: str) -> Scenario | None: ...
    def save(self, scenario: Scenario) -> None: ...
    def delete(self, kreis_id: str, name: str) -> None: ...
    def rename(self, kreis_id: str, old: str, new: str) -> None: ...
    def duplicate(self, kreis_id: str, name: str, new: str) -> None: ...


class JsonScenarioStore:
    """The former store: all scenarios of a database in one JSON file, written atomically (temporary file +
    rename). One process only – two app processes saving at once lose one of the scenarios; kept to read the files
    of earlier versions (``store_for`` imports them into the workspace)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _read(self) -> dict[str, dict[str, dict]]:
        if not self.path.is_file():
            return {}
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return data.get("scenarios", {}) if isinstance(data, dict) else {}

    def _write(self, scenarios: dict[str, dict[str, dict]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=self.path.parent, prefix=".szenarien-", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump({"version": 1, "scenarios": scenarios}, out, ensure_ascii=False, indent=1)
        os.replace(temp, self.path)

    def names(self, kreis_id: str) -> list[str]:
        return sorted(self._read().get(kreis_id, {}))

    def all(self) -> list[Scenario]:
        """Every scenario of the file, of every Kreis (the key of an entry is its name and Kreis)."""
        return [Scenario.from_dict({**data, "name": name, "kreis_id": kreis_id})
                for kreis_id, by_name in self._read().items() for name, data in by_name.items()]  # fmt: skip

    def load(self, kreis_id: str, name: str) -> Scenario | None:
        data = self._read().get(kreis_id, {}).get(name)
        return Scenario.from_dict(data) if data else None

    def save(self, scenario: Scenario) -> None:
        if not scenario.name.strip():
            raise ValueError("a scenario needs a name")
        with _LOCK:
            scenarios = self._read()
            scenarios.setdefault(scenario.kreis_id, {})[scenario.name] = scenario.to_dict()
            self._write(scenarios)

    def delete(self, kreis_id: str, name: str) -> None:
        with _LOCK:
            scenarios = self._read()
            scenarios.get(kreis_id, {}).pop(name, None)
            self._write(scenarios)

    def rename(self, kreis_id: str, old: str, new: str) -> None:
        self.duplicate(kreis_id, old, new)
        if new != old:
            self.delete(kreis_id, old)

    def duplicate(self, kreis_id: str, name: str, new: str) -> None:
        scenario = self.load(kreis_id, name)
        if scenario is None:
            raise KeyError(f"no scenario {name!r} for {kreis_id}")
        if new in self.names(kreis_id) and new != name:
            raise ValueError(f"a scenario {new!r} exists already")
        self.save(Scenario(new, scenario.kreis_id, scenario.changes, scenario.note))


def store_for(database_path: str | Path, actor: str = "system") -> WorkspaceScenarioStore:
    """The scenarios of the database at ``database_path`` (keyed by its file name without ``.duckdb``), in the
    workspace: ``$PLANUNGSATLAS_WORKSPACE_URL``, else the SQLite file ``workspace.sqlite`` beside the database (for
    the app that is ``<db_dir>/workspace.sqlite``, the workspace of everything else). ``actor`` is who the audit
    names for the store's writes (the page passes the logged-in user). A ``<name>.szenarien.json`` of an earlier
    version is imported on the first call."""
    path = Path(database_path).absolute()
    if os.environ.get(URL_ENV) or path.parent.resolve() == database_dir().resolve():
        url = workspace_url()  # the very workspace (and engine) of users, uploads and goals
    else:  # a database elsewhere (a copy, a test): its own workspace beside it, never the app's
        url = f"sqlite:///{path.parent / 'workspace.sqlite'}"
    store = WorkspaceScenarioStore(Workspace.open(url), path.stem, actor)
    legacy = path.with_name(path.stem + SUFFIX)
    if legacy.is_file():
        import_json(store, legacy)
    return store


def import_json(store: WorkspaceScenarioStore, file: Path) -> ImportResult | None:
    """Take the scenarios of a former JSON file into ``store`` once and rename the file to ``….importiert``.
    None when another process took the file over meanwhile."""
    if not file.is_file():  # another app process imported and renamed it a moment ago
        return None
    try:
        scenarios = JsonScenarioStore(file).all()
    except FileNotFoundError:  # the same, between the check and the read
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # JSONDecodeError is a ValueError
        raise WorkspaceError(
            f"{file}: die Szenarien-Datei früherer Versionen ist nicht lesbar ({exc}). Erwartet: JSON mit "
            '{"scenarios": {"<Kreis>": {"<Name>": {...}}}}. Abhilfe: die Datei reparieren (oder beiseitelegen); '
            "beim nächsten Öffnen der Szenarien wird sie übernommen."
        ) from exc
    try:
        result = store.import_scenarios(scenarios, file.name)
    except WorkspaceError as exc:
        raise WorkspaceError(f"{file}: Szenarien nicht übernommen – {exc} Die Datei bleibt unverändert.") from exc
    target = file.with_name(file.name + IMPORTED)
    for n in range(2, 1000):  # an earlier import's file is kept too: never rename over it
        if not target.exists():
            break
        target = file.with_name(f"{file.name}{IMPORTED}.{n}")
    try:
        os.rename(file, target)
    except FileNotFoundError:  # renamed by another process; its import and this one hold the same scenarios
        pass
    return result

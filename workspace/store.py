"""Scenario stores: the interface and the JSON file next to the database."""
from __future__ import annotations

import json
import os
import tempfile
import threading
from pathlib import Path
from typing import Protocol

from planning.scenarios import Scenario

SUFFIX = ".szenarien.json"
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
    """All scenarios of a database in one JSON file, written atomically (temporary file + rename)."""

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


def store_for(database_path: str | Path) -> JsonScenarioStore:
    """The store of a database: <name>.szenarien.json beside <name>.duckdb."""
    path = Path(database_path)
    return JsonScenarioStore(path.with_name(path.stem + SUFFIX))

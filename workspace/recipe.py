"""How a published database is rebuilt: the county config files it was built from, or the Kreis keys of a build
``python -m etl build --kreis``. The recipe is read from the database's build log when it is first registered
(version 1) and kept with every version, so a publish rebuilds exactly that county and adds the uploads.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from etl.config import REPO_ROOT, CountyConfig, load_config
from etl.db import connect
from workspace.storage import WorkspaceError

_BY_KEY = re.compile(r"(\d{5})\.toml")
_BY_KEY_FOLDER = "planungsatlas-kreis-"  # etl.kreis_config.temporary_folder(): a config written for build --kreis


@dataclass(frozen=True)
class Recipe:
    configs: tuple[str, ...] = ()  # config files, relative to the repository where they lie in it
    kreise: tuple[str, ...] = ()  # Kreis keys built straight from the national files
    uploads: tuple[int, ...] = field(default=())  # workspace uploads the version was built with

    def to_dict(self) -> dict:
        return {"configs": list(self.configs), "kreise": list(self.kreise), "uploads": list(self.uploads)}

    @classmethod
    def from_dict(cls, data: dict) -> "Recipe":
        return cls(tuple(data.get("configs", ())), tuple(data.get("kreise", ())), tuple(int(u) for u in data.get("uploads", ())))

    def text(self) -> str:
        parts = [f"--config {c}" for c in self.configs] + [f"--kreis {k}" for k in self.kreise]
        return "python -m etl build " + " ".join(parts)


def _stored(path: Path) -> str:
    """Paths inside the repository are kept relative, so another checkout or replica finds them as well."""
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path.resolve())


def _path(stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else REPO_ROOT / path


def recipe_from(configs: list[str | Path] = (), kreise: list[str] = ()) -> Recipe:
    """A recipe given by hand (CLI ``publish --config/--kreis``), checked: every config file must exist."""
    missing = [str(c) for c in configs if not Path(c).is_file()]
    if missing:
        raise WorkspaceError(f"Konfigurationsdatei nicht gefunden: {', '.join(missing)}. Pfad prüfen.")
    return Recipe(tuple(_stored(Path(c)) for c in configs), tuple(kreise))


def recipe_of(db_path: Path) -> Recipe:
    """Read the recipe from the database's build log: each config's full path (``config_path``); for databases built
    before that was logged, the config's name looked up in ``config/``. A config written for ``build --kreis`` is
    remembered as its Kreis key. Raises WorkspaceError when the recipe cannot be told."""
    with connect(db_path, read_only=True) as con:  # its own instance: never a cached one of a replaced file
        rows = con.execute("SELECT topic, message FROM build_log WHERE kind = 'info' AND topic IN ('config', 'config_path') "
                           "ORDER BY rowid").fetchall()
    paths = [m for t, m in rows if t == "config_path"]
    names = [m for t, m in rows if t == "config"]
    configs, kreise, unknown = [], [], []
    for item in paths or names:
        path = Path(item)
        by_key = _BY_KEY.fullmatch(path.name)
        if by_key and (_BY_KEY_FOLDER in item or not paths):
            kreise.append(by_key[1])
        elif path.is_absolute() and path.is_file():
            configs.append(_stored(path))
        elif (REPO_ROOT / "config" / path.name).is_file():
            configs.append(_stored(REPO_ROOT / "config" / path.name))
        else:
            unknown.append(item)
    if unknown or not (configs or kreise):
        raise WorkspaceError(
            f"Wie die Datenbank {db_path.name} gebaut wurde, ist nicht bekannt (Konfiguration {', '.join(unknown) or 'nicht im Build-Protokoll'} "
            "nicht gefunden). Bitte beim ersten Veröffentlichen angeben: python -m workspace publish --db … --config <Konfiguration.toml> "
            "oder --kreis <Kreisschlüssel>.")
    return Recipe(tuple(configs), tuple(kreise))


def load_configs(recipe: Recipe, folder: Path) -> list[CountyConfig]:
    """The county configs of the recipe; configs by key are written into ``folder`` (as ``build --kreis`` does)."""
    configs = [load_config(_path(c)) for c in recipe.configs]
    if recipe.kreise:
        from etl.kreis_config import kreis_config  # reads the national files: only when a recipe needs it

        configs += [kreis_config(ags, folder / ags) for ags in recipe.kreise]
    return configs

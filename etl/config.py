"""County configuration (one TOML file per county, see config/README.md)."""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from etl.errors import EtlError
from etl.offers_taxonomy import offer_types, type_by_label

REPO_ROOT = Path(__file__).resolve().parent.parent
DATA_ROOT_ENV = "PLANUNGSATLAS_DATA"
GERMANY = "DE"
DEFAULT_MIN_COUNT = 3  # small-number threshold for sensitive counts at Gemeinde level


def shared_data_root() -> Path:
    """Root of the real official files: $PLANUNGSATLAS_DATA or ../shared/data beside the checkout."""
    env = os.environ.get(DATA_ROOT_ENV)
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class StatisticsSource:
    table: str  # key into etl/metadata/genesis_tables.toml
    path: Path
    encoding: str = "auto"


@dataclass(frozen=True)
class OfferSource:
    format: str  # key into etl/metadata/offer_formats.toml
    path: Path
    encoding: str = "auto"
    stand: str | None = None  # date of the list, shown as Datenstand
    # Angebotsarten (offer_type ids) the list holds completely for its area; None: those it has an offer of
    covers: tuple[str, ...] | None = None
    # whether its offers appear in the public finder where the list's 'oeffentlich' column is empty (docs/FINDER.md)
    public: bool = False


DEFAULT_MIN_BASE = 30  # survey shares from fewer respondents in an area are not shown


@dataclass(frozen=True)
class SurveySource:
    path: Path  # survey workbook (sheets "Ergebnisse" and "Fragen", etl/sources/survey.py)
    min_base: int = DEFAULT_MIN_BASE  # areas with fewer respondents to a question get no value
    results: Path | None = None  # the sheet "Ergebnisse" as a CSV file instead (e.g. a survey tool's export)


@dataclass(frozen=True)
class CountyConfig:
    file: Path
    ags: str
    name: str | None
    demo: bool
    boundaries: Path
    boundaries_attribution: str
    boundaries_vintage: str | None
    sozialraum_mapping: Path | None
    statistics: list[StatisticsSource] = field(default_factory=list)
    sozialraum_status: str | None = None  # "amtlich" | "Arbeitsannahme": how far the mapping can be trusted
    sozialraum_source: str | None = None  # where the mapping comes from, in the county's words
    min_count: int = DEFAULT_MIN_COUNT
    offers: list[OfferSource] = field(default_factory=list)
    population_grid: Path | None = None  # Zensus 1 km grid folder for accessibility
    own_indicators: list[Path] = field(default_factory=list)  # the county's own indicator tables (xlsx template)
    # planners' offer edits and duplicate merges from the workspace (etl/sources/offer_overlay.py); set at publish
    offer_overlay: Path | None = None
    surveys: list[SurveySource] = field(default_factory=list)  # family surveys: shares per area (etl/survey.py)

    @property
    def scope(self) -> str:
        """Key prefix of the areas this config covers: the Kreis, a Land, or "" for all of Germany."""
        return "" if self.ags == GERMANY else self.ags

    @property
    def single_kreis(self) -> bool:
        return len(self.ags) == 5


MAPPING_STATUSES = ("amtlich", "Arbeitsannahme")


def _mapping_status(mapping: dict | None, file: Path) -> str | None:
    """[sozialraeume] status: whether the Sozialräume are the Kreis's official planning areas or a working assumption."""
    if not mapping or "status" not in mapping:
        return None
    status = str(mapping["status"]).strip()
    if status not in MAPPING_STATUSES:
        raise EtlError(
            f"Unbekannter Status der Sozialraum-Zuordnung: {status!r}",
            file=file,
            column="sozialraeume.status",
            expected=" oder ".join(f'"{s}"' for s in MAPPING_STATUSES),
            fix='status = "amtlich" für vom Kreis beschlossene Sozialräume, sonst status = "Arbeitsannahme".',
        )
    return status


def _require(table: dict, key: str, file: Path, section: str) -> object:
    if key not in table:
        raise EtlError(
            f"Pflichtangabe '{key}' fehlt im Abschnitt [{section}]",
            file=file,
            expected=f"{section}.{key} = …",
            fix="Siehe config/README.md für ein vollständiges Beispiel.",
        )
    return table[key]


def load_config(path: Path | str) -> CountyConfig:
    """Read and check a county config; paths come back absolute."""
    file = Path(path).resolve()
    if not file.is_file():
        raise EtlError("Konfigurationsdatei nicht gefunden", file=path, fix="Pfad prüfen (z. B. config/demo_musterland.toml).")
    try:
        raw = tomllib.loads(file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EtlError(f"Konfiguration ist kein gültiges TOML: {exc}", file=file) from exc

    county = _require(raw, "county", file, "county")
    ags = str(_require(county, "ags", file, "county"))
    if not (ags == GERMANY or (len(ags) in (2, 5) and ags.isdigit())):
        raise EtlError(
            f"Kreisschlüssel '{ags}' ist ungültig",
            file=file,
            column="county.ags",
            expected="5-stelliger Kreisschlüssel (AGS), z. B. \"07235\" für Trier-Saarburg, in Anführungszeichen "
            "(für Übersichten auch ein 2-stelliger Landesschlüssel oder \"DE\")",
            fix="Die führende Null gehört dazu: ags = \"07235\".",
        )
    sources = raw.get("sources", {})
    data_root_setting = sources.get("data_root", "shared")
    data_root = shared_data_root() if data_root_setting == "shared" else (file.parent / data_root_setting).resolve()

    boundaries = _require(raw, "boundaries", file, "boundaries")
    mapping = raw.get("sozialraeume")
    if mapping and len(ags) != 5:
        raise EtlError(
            "Sozialräume gibt es nur für einen Kreis",
            file=file,
            column="sozialraeume",
            expected="[sozialraeume] nur zusammen mit einem 5-stelligen Kreisschlüssel",
            fix="Abschnitt [sozialraeume] entfernen oder je Kreis eine eigene Konfiguration anlegen.",
        )
    return CountyConfig(
        file=file,
        ags=ags,
        name=county.get("name"),
        demo=bool(county.get("demo", False)),
        boundaries=data_root / str(_require(boundaries, "path", file, "boundaries")),
        boundaries_attribution=str(_require(boundaries, "attribution", file, "boundaries")),
        boundaries_vintage=boundaries.get("vintage"),
        sozialraum_mapping=(file.parent / mapping["path"]).resolve() if mapping else None,
        sozialraum_status=_mapping_status(mapping, file),
        sozialraum_source=str(mapping["source"]).strip() if mapping and mapping.get("source") else None,
        statistics=[
            StatisticsSource(
                table=str(_require(entry, "table", file, "statistics")),
                path=data_root / str(_require(entry, "path", file, "statistics")),
                encoding=entry.get("encoding", "auto"),
            )
            for entry in raw.get("statistics", [])
        ],
        min_count=_min_count(raw, file),
        offers=[
            OfferSource(
                format=str(_require(entry, "format", file, "offers")),
                path=data_root / str(_require(entry, "path", file, "offers")),
                encoding=entry.get("encoding", "auto"),
                stand=entry.get("stand"),
                covers=_covers(entry, file),
                public=_public(entry, file),
            )
            for entry in raw.get("offers", [])
        ],
        population_grid=data_root / raw["grid"]["path"] if "grid" in raw else None,
        own_indicators=[data_root / str(_require(entry, "path", file, "own_indicators")) for entry in raw.get("own_indicators", [])],
        surveys=[SurveySource(data_root / str(_require(entry, "path", file, "surveys")), _min_base(entry, file),
                              data_root / str(entry["results"]) if entry.get("results") else None)
                 for entry in raw.get("surveys", [])],  # fmt: skip
    )


def _min_base(entry: dict, file: Path) -> int:
    value = entry.get("min_base", DEFAULT_MIN_BASE)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise EtlError(
            f"surveys.min_base = {value!r} ist ungültig",
            file=file,
            column="surveys.min_base",
            expected=f"eine ganze Zahl ab 1 (Standard {DEFAULT_MIN_BASE}): so viele Befragte braucht ein Gebiet, damit sein Anteil gezeigt wird",
            fix=f"z. B. min_base = {DEFAULT_MIN_BASE}",
        )
    return value


def _covers(entry: dict, file: Path) -> tuple[str, ...] | None:
    """The Angebotsarten an offer list states it holds completely (``covers = ["kita", …]``), as offer_type ids; an
    id, label or alias of etl/metadata/offer_types.toml each. None when the list does not say."""
    if "covers" not in entry:
        return None
    value = entry["covers"]
    known = type_by_label()
    unknown = [v for v in value if not isinstance(v, str) or v.strip().lower() not in known] if isinstance(value, list) else [value]
    if unknown or not value:
        problem = "unbekannte Angebotsart " + ", ".join(map(repr, unknown)) if unknown else "keine Angebotsart genannt"
        raise EtlError(
            f"offers.covers = {value!r}: {problem}",
            file=file,
            column="offers.covers",
            expected="eine Liste der Angebotsarten, die die Liste vollständig enthält, z. B. covers = [\"kita\", "
            "\"kindertagespflege\"]; bekannt sind: " + ", ".join(offer_types()["offer_type"]),
            fix="Ids aus etl/metadata/offer_types.toml eintragen, oder covers weglassen: dann gilt eine Liste für die "
            "Angebotsarten, von denen sie mindestens ein Angebot enthält (docs/OFFERS.md).",
        )
    return tuple(dict.fromkeys(known[v.strip().lower()] for v in value))


def _public(entry: dict, file: Path) -> bool:
    """``public = true``: the list's offers are public unless their 'oeffentlich' cell says nein (default: false)."""
    value = entry.get("public", False)
    if not isinstance(value, bool):
        raise EtlError(
            f"offers.public = {value!r} ist ungültig",
            file=file,
            column="offers.public",
            expected="true oder false (ohne Anführungszeichen)",
            fix="public = true, wenn die Angebote der Liste im öffentlichen Familienwegweiser erscheinen dürfen.",
        )
    return value


def _min_count(raw: dict, file: Path) -> int:
    value = raw.get("privacy", {}).get("min_count", DEFAULT_MIN_COUNT)
    if not isinstance(value, int) or value < 1:
        raise EtlError(
            f"privacy.min_count = {value!r} ist ungültig",
            file=file,
            column="privacy.min_count",
            expected="eine ganze Zahl ab 1 (Standard 3)",
            fix="z. B. [privacy] min_count = 3",
        )
    return value

"""What the county's finder shows around the offers: the [finder] section of its config (config/README.md).

```toml
[finder]
title = "Familienwegweiser"                    # name of the site (default)
name = "Landkreis Musterland"                  # the county as the header names it (default: [county] name, else
                                               # the database's name of the Kreis)
intro = "Angebote für Familien in Ihrer Nähe." # one sentence under the heading (optional)
logo = "logo.svg"                              # optional, relative to the config: .svg, .png, .jpg or .webp
logo_alt = "Wappen des Landkreises"            # text alternative of the logo (default: "Logo <name>")
impressum = "https://www.example.de/impressum" # links in the footer: https://, http:// or a path on the same site
datenschutz = "https://www.example.de/datenschutz"
kontakt = "Familienbüro, Telefon 0651 …"       # one line in the footer (optional)
```
A config without [finder] gets the defaults; a finder for the public needs impressum and datenschutz, so the build
says when they are missing (warnings) but still builds, for a preview.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
LOGO_TYPES = (".svg", ".png", ".jpg", ".jpeg", ".webp")
DEFAULT_TITLE = "Familienwegweiser"
MAX_TEXT = 300  # a title, name or footer line longer than this is a mistake in the config


class FinderError(Exception):
    """Input that stops the build: the message says what is wrong and how to fix it (German)."""


@dataclass(frozen=True)
class FinderSettings:
    title: str = DEFAULT_TITLE
    name: str | None = None  # None: the database's name of the Kreis
    intro: str = ""
    logo: Path | None = None
    logo_alt: str = ""
    impressum: str = ""
    datenschutz: str = ""
    kontakt: str = ""
    config_file: Path | None = None
    warnings: list[str] = field(default_factory=list)


def find_config(kreis: str, folder: Path = REPO_ROOT / "config") -> Path | None:
    """The county config in ``folder`` whose [county] ags is ``kreis`` (first by file name), or None."""
    for path in sorted(folder.glob("*.toml")):
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError):
            continue
        if str(raw.get("county", {}).get("ags", "")) == kreis:
            return path
    return None


def load_settings(config: Path | None) -> FinderSettings:
    """The [finder] section of a county config (defaults without a config or without the section)."""
    if config is None:
        return FinderSettings(warnings=["keine Kreis-Konfiguration: Standardtexte, ohne Impressum und Datenschutz"])
    try:
        raw = tomllib.loads(Path(config).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FinderError(f"Konfiguration {config} lässt sich nicht lesen: {exc}") from exc
    section = raw.get("finder", {})
    if not isinstance(section, dict):
        raise FinderError(f"{config}: [finder] muss ein Abschnitt sein (siehe config/README.md)")
    known = {"title", "name", "intro", "logo", "logo_alt", "impressum", "datenschutz", "kontakt"}
    unknown = sorted(set(section) - known)
    if unknown:
        raise FinderError(f"{config}: unbekannte Angabe(n) in [finder]: {', '.join(unknown)} (bekannt: {', '.join(sorted(known))})")
    text = {key: _text(section, key, config) for key in ("title", "name", "intro", "logo_alt", "kontakt")}
    county_name = raw.get("county", {}).get("name")
    warnings = [f"[finder] {key} fehlt: ein öffentlicher Wegweiser braucht den Link" for key in ("impressum", "datenschutz")
                if not section.get(key)]  # fmt: skip
    return FinderSettings(
        title=text["title"] or DEFAULT_TITLE,
        name=text["name"] or (str(county_name) if county_name else None),
        intro=text["intro"],
        logo=_logo(section.get("logo"), Path(config)),
        logo_alt=text["logo_alt"],
        impressum=_link(section, "impressum", config),
        datenschutz=_link(section, "datenschutz", config),
        kontakt=text["kontakt"],
        config_file=Path(config),
        warnings=warnings,
    )


def _text(section: dict, key: str, config: Path) -> str:
    value = section.get(key, "")
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise FinderError(f"{config}: [finder] {key} muss ein Text mit höchstens {MAX_TEXT} Zeichen sein")
    return value.strip()


def _link(section: dict, key: str, config: Path) -> str:
    """An https/http address or a path on the same site; anything else (javascript:, data:) stops the build."""
    value = _text(section, key, config)
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc or (not parts.scheme and not parts.netloc and not value.startswith("//")):
        return value
    raise FinderError(f"{config}: [finder] {key} = {value!r} ist keine Webadresse (erwartet: https://… oder ein Pfad wie /impressum)")


def _logo(value: object, config: Path) -> Path | None:
    if value in (None, ""):
        return None
    path = (config.parent / str(value)).resolve()
    if path.suffix.lower() not in LOGO_TYPES or not path.is_file():
        raise FinderError(f"{config}: [finder] logo = {value!r}: keine Bilddatei ({', '.join(LOGO_TYPES)}) unter {path}")
    return path

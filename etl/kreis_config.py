"""Any German Kreis by its key, straight from the national files of the data root.

``python -m etl init --kreis 07232`` writes a county config (config/README.md) and its Sozialraum mapping for the
county to edit; ``python -m etl build --kreis 07232 --out …`` builds the same without keeping the files.

- Boundaries: the BKG VG5000 release of the data root (Gebietsstand 31.12.2020).
- Statistics: every unmodified national GENESIS export of the data root (``statistics/*/full_original/*.csv``) that
  has rows for the Kreis – or for the Kreise its Gemeinden belonged to in earlier years (the build converts them with
  the BBSR Umsteigeschlüssel). Files of one Land (IT.NRW) count only there. The population tables come first, so
  that their figures win where two tables give the same indicator, area and year.
- Sozialräume: one per Verbandsgemeinde/Amt, and one per Gemeinde that belongs to none (in Kreise without
  Verbände: one per Gemeinde). A county replaces them with its own planning areas by editing the CSV.
"""
from __future__ import annotations

import csv
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyogrio

from etl.config import REPO_ROOT, CountyConfig, load_config, shared_data_root
from etl.sources import crosswalk as crosswalk_files
from etl.sources.bkg import UnknownKreis, _kreis_examples, _shapefile_layers
from etl.sources.genesis import known_tables, table_metadata
from etl.territory import gebietsstand_year, load_crosswalk

BOUNDARIES = "geo/bkg-vg5000-2021/vg5000_01-01.gk3.shape.ebenen.zip"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021"
VINTAGE = "2021-01-01"
NATIONAL_FILES = "statistics/*/full_original/*.csv"
# tables that should win where two give the same value: population first (as in the shipped configs)
PREFERRED = ("12411-02-03-5", "12411-01-01-5", "1000A-0000", "12411-15i", "12411-01-01-4", "12411-02-03-5-B")
_TITLE = re.compile(r"^\ufeff?(?:GENESIS-)?Tabelle:\s*(?P<code>\S+)")


@dataclass(frozen=True)
class NationalTable:
    table: str  # a table of etl/metadata/genesis_tables.toml
    path: str  # relative to the data root


def table_code(path: Path) -> str | None:
    """The table a national export holds: its title line, or for a GENESIS flat file its statistics code."""
    with path.open(encoding="latin-1") as handle:
        head = handle.readline()
        first_row = handle.readline()
    if match := _TITLE.match(head):
        return match["code"]
    columns = head.lstrip("\ufeffï»¿").strip().split(";")
    if "statistics_code" not in columns:
        return None
    code = first_row.split(";")[columns.index("statistics_code")]
    flat = [t for t, meta in table_metadata()["tables"].items() if meta["layout"] == "flat" and meta["statistics_code"] == code]
    fitting = [t for t in flat if all(c in columns for c in table_metadata()["tables"][t].get("dimension_columns", {}).values())]
    return min(fitting, key=lambda t: len(table_metadata()["tables"][t].get("dimension_columns", {})), default=None)


def national_tables(data_root: Path) -> tuple[list[NationalTable], list[str]]:
    """Known national exports of the data root in the order a config lists them, and the files left out (why)."""
    found, skipped = [], []
    for path in sorted((data_root).glob(NATIONAL_FILES)):
        code = table_code(path)
        relative = str(path.relative_to(data_root))
        if code in known_tables():
            found.append(NationalTable(code, relative))
        else:
            skipped.append(f"{relative}: Tabelle {code or 'unbekannt'} ist nicht in etl/metadata/genesis_tables.toml beschrieben")
    order = {t: i for i, t in enumerate(PREFERRED)}
    found.sort(key=lambda t: (order.get(t.table, len(order)), t.table, t.path))
    return found, skipped


def covers(path: Path, prefixes: tuple[str, ...], exact: tuple[str, ...] = ()) -> bool:
    """Whether the export has a row whose key starts with one of ``prefixes`` or is one of ``exact`` (key field of a
    table CSV, with or without a period before it, or the area code of a flat file)."""
    text = path.read_text(encoding="latin-1")
    keys = "|".join([re.escape(p) + r"\d*" for p in prefixes] + [re.escape(e) for e in exact])
    lead = r"(?:[^;\n]*;){7}" if "statistics_code" in text[:200] else r"(?:[^;\n]*;)?"
    return re.search(rf"(?m)^{lead}(?:{keys});", text) is not None


@dataclass(frozen=True)
class KreisAreas:
    ags: str
    name: str
    gemeinden: list[tuple[str, str, str]]  # (AGS, name, Sozialraum)


def kreis_areas(data_root: Path, ags: str) -> KreisAreas:
    """Name and Gemeinden of a Kreis from the boundaries' attribute tables, with the default Sozialräume."""
    path = data_root / BOUNDARIES
    layers = _shapefile_layers(path)
    kreis = pyogrio.read_dataframe(layers["KRS"], read_geometry=False, where=f"AGS = '{ags}'") if ags.isdigit() else None
    if kreis is None or kreis.empty or len(ags) != 5:
        padded = ags.zfill(5) if ags.isdigit() and len(ags) < 5 else None
        guess = pyogrio.read_dataframe(layers["KRS"], read_geometry=False, where=f"AGS = '{padded}'") if padded else None
        fix = (f"Die führende Null gehört dazu: --kreis {padded} ({guess['GEN'].iloc[0]})." if guess is not None and not guess.empty
               else "Kreisschlüssel mit führender Null angeben, z. B. --kreis 07232 (Stand der Grenzdaten: 31.12.2020).")  # fmt: skip
        raise UnknownKreis(
            f"Kreis '{ags}' kommt in den Grenzdaten {path.name} nicht vor",
            file=path,
            column="--kreis",
            expected="ein 5-stelliger Kreisschlüssel aus der KRS-Ebene, z. B. " + _kreis_examples(path, layers, ags.zfill(5)),
            fix=fix,
        )
    gemeinden = pyogrio.read_dataframe(layers["GEM"], read_geometry=False, where=f"AGS LIKE '{ags}%'").drop_duplicates("AGS")
    verbaende = pyogrio.read_dataframe(layers["VWG"], read_geometry=False, where=f"ARS LIKE '{ags}%'").drop_duplicates("ARS")
    verband_of = gemeinden["ARS"].str[:9]
    members = verband_of.value_counts()
    verband_names = dict(zip(verbaende["ARS"], verbaende["GEN"]))
    in_verband = verband_of.map(lambda v: members.get(v, 0) > 1 and v in verband_names)
    sozialraum = [verband_names[v] if inside else name for v, inside, name in zip(verband_of, in_verband, gemeinden["GEN"])]
    taken = {verband_names[v] for v, inside in zip(verband_of, in_verband) if inside}
    sozialraum = [f"{s} (Gemeinde)" if not inside and s in taken else s for s, inside in zip(sozialraum, in_verband)]
    rows = sorted(zip(gemeinden["AGS"], gemeinden["GEN"], sozialraum))
    bez, gen = kreis["BEZ"].iloc[0], kreis["GEN"].iloc[0]
    name = f"{bez} {gen}" if bez in ("Landkreis", "Kreis") and "kreis" not in gen.lower() else gen
    return KreisAreas(ags, name, rows)


def slug(text: str) -> str:
    german = text.translate(str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"}))
    plain = unicodedata.normalize("NFKD", german).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def config_text(areas: KreisAreas, tables: list[NationalTable], mapping_file: str, skipped: list[str]) -> str:
    """The TOML of config/README.md for the Kreis, with comments that say where it came from."""
    lines = [
        f"# {areas.name} ({areas.ags}): aus den bundesweiten Dateien des Datenordners erzeugt mit",
        f"# `python -m etl init --kreis {areas.ags}` am {date.today().isoformat()}. Zum Anpassen: Name, Sozialräume (CSV),",
        "# weitere Tabellen (die zuerst genannte Quelle gilt, wo zwei dasselbe angeben).",
        "# Werte anderer Gebietsstände rechnet der Build mit dem BBSR-Umsteigeschlüssel auf die Grenzdaten um.",
        "",
        "[county]",
        f'ags = "{areas.ags}"',
        f'name = "{_toml(areas.name)}"',
        "",
        "[sources]",
        'data_root = "shared"',
        "",
        "[boundaries]",
        f'path = "{BOUNDARIES}"',
        f'attribution = "{ATTRIBUTION}"',
        f'vintage = "{VINTAGE}"',
        "",
        "# Sozialräume: Verbandsgemeinden/Ämter, wo es sie gibt, sonst Gemeinden (relativ zu dieser Datei) – eine",
        "# Arbeitsannahme, bis der Kreis seine Planungsräume einträgt (dann status = \"amtlich\")",
        "[sozialraeume]",
        f'path = "{_toml(mapping_file)}"',
        'status = "Arbeitsannahme"',
    ]
    for table in tables:
        lines += ["", "[[statistics]]", f'table = "{table.table}"', f'path = "{_toml(table.path)}"']
    if skipped:
        lines += ["", "# Nicht aufgenommen:"] + [f"# - {s}" for s in skipped]
    return "\n".join(lines) + "\n"


def _toml(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def write_kreis_config(ags: str, out: Path | None = None, data_root: Path | None = None) -> tuple[Path, Path, list[str]]:
    """Write the Kreis's config and Sozialraum mapping; returns (config, mapping, notes on what was left out)."""
    data_root = data_root or shared_data_root()
    areas = kreis_areas(data_root, ags)
    out = out or REPO_ROOT / "config" / f"{ags}_{slug(areas.name)}.toml"
    mapping = out.parent / "sozialraeume" / f"{ags}_{slug(areas.name)}.csv"
    tables, skipped = national_tables(data_root)
    prefixes = _prefixes(data_root, ags)
    land = (ags[:2],) if ags.endswith("000") else ()  # Berlin, Hamburg: tables print only the Land row
    used = []
    for table in tables:
        if covers(data_root / table.path, prefixes, land):
            used.append(table)
        else:
            skipped.append(f"{table.path}: keine Zeilen des Kreises")
    mapping.parent.mkdir(parents=True, exist_ok=True)
    with mapping.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["gemeinde_ags", "gemeinde_name", "sozialraum"])
        writer.writerows(areas.gemeinden)
    out.write_text(config_text(areas, used, str(mapping.relative_to(out.parent)), skipped), encoding="utf-8")
    return out, mapping, skipped


def _prefixes(data_root: Path, ags: str) -> tuple[str, ...]:
    """Key prefixes whose rows may hold the Kreis's figures: its own and those of Kreise its Gemeinden came from."""
    if crosswalk_files.available(data_root):
        return load_crosswalk(data_root, gebietsstand_year(VINTAGE)).source_kreise(ags)
    return (ags,)


def kreis_config(ags: str, folder: Path) -> CountyConfig:
    """The config ``init`` would write for the data root ($PLANUNGSATLAS_DATA or ../shared/data), written into
    ``folder`` and read back (for ``build --kreis``)."""
    config, _, _ = write_kreis_config(ags, folder / f"{ags}.toml")
    return load_config(config)


def temporary_folder() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="planungsatlas-kreis-")

"""The build: extract → validate → transform → load, for one or several county configs into one database."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from etl.catalogue import load_catalogue
from etl.config import CountyConfig, load_config
from etl.errors import EtlError
from etl.load import write_database
from etl.sources.bkg import UnknownKreis, read_boundaries
from etl.sources.genesis import read_genesis
from etl.sources.sozialraum import read_sozialraum_mapping
from etl.transform import CountyInput, areas_in_scope, build_areas, build_observations

BKG_LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"


@dataclass
class BuildSummary:
    out: Path
    seconds: float
    areas_by_level: dict[str, int]
    rows_by_table: dict[str, int]
    warnings: list[str]

    def text(self) -> str:
        lines = [f"Datenbank geschrieben: {self.out} ({self.seconds:.1f} s)"]
        lines.append("Gebiete: " + ", ".join(f"{level} {n}" for level, n in self.areas_by_level.items()))
        lines.append("Zeilen: " + ", ".join(f"{table} {n}" for table, n in self.rows_by_table.items()))
        lines.append(f"Warnungen: {len(self.warnings)}")
        lines += [f"  - {w}" for w in self.warnings]
        return "\n".join(lines)


def _extract_county(config: CountyConfig, first_source_number: int, say: Callable[[str], None]) -> tuple[CountyInput, list[dict]]:
    say(f"[{config.ags}] Grenzen lesen: {config.boundaries.name}")
    try:
        boundaries = read_boundaries(config.boundaries, config.scope)
    except UnknownKreis as exc:
        exc.file = config.file  # the key is fixed in the config, not in the boundary release
        raise
    say(f"[{config.ags}] {len(boundaries.gemeinden)} Gemeinden, {len(boundaries.verbaende)} Verbandsgemeinden/Ämter")
    sources = [
        {
            "kind": "boundaries", "table_code": None, "title": "Verwaltungsgebiete (BKG VG250/VG5000)",
            "publisher": "Bundesamt für Kartographie und Geodäsie (BKG)" if not config.demo else "Planungsatlas Familie (Demodaten)",
            "licence": BKG_LICENCE if not config.demo else "Demodaten",
            "attribution": config.boundaries_attribution, "stand": config.boundaries_vintage,
            "file": config.boundaries.name, "encoding": None, "rows": len(boundaries.gemeinden),
        }
    ]  # fmt: skip
    mapping = None
    if config.sozialraum_mapping:
        say(f"[{config.ags}] Sozialräume lesen: {config.sozialraum_mapping.name}")
        mapping = read_sozialraum_mapping(config.sozialraum_mapping, boundaries.gemeinden)
        sources.append({"kind": "sozialraum_mapping", "table_code": None, "title": "Zuordnung Gemeinde → Sozialraum",
                        "publisher": config.name or config.ags, "licence": None, "attribution": "Sozialräume: Kreisverwaltung",
                        "stand": None, "file": config.sozialraum_mapping.name, "encoding": None, "rows": len(mapping)})  # fmt: skip
    tables = []
    for entry in config.statistics:
        say(f"[{config.ags}] Statistik {entry.table} lesen: {entry.path.name}")
        table = read_genesis(entry.path, entry.table, config.scope, entry.encoding)
        if table.records.empty:
            raise EtlError(
                f"Die Datei enthält keine Zeilen des Kreises {config.ags}",
                file=entry.path,
                expected=f"Zeilen mit Schlüsseln, die mit {config.ags} beginnen",
                fix="Anderen Export wählen oder die Tabelle aus der Konfiguration nehmen.",
            )
        source_id = f"S{first_source_number + len(sources):02d}"
        tables.append((source_id, table))
        publisher, licence = (table.publisher, table.licence) if not config.demo else ("Planungsatlas Familie (Demodaten)", "Demodaten, frei verwendbar")
        sources.append({"kind": "statistics", "table_code": table.table, "title": table.title, "publisher": publisher,
                        "licence": licence, "attribution": table.attribution if not config.demo else "Demodaten (keine amtlichen Zahlen)",
                        "stand": table.stand, "file": entry.path.name, "encoding": table.encoding, "rows": len(table.records)})  # fmt: skip
    for i, source in enumerate(sources):
        source["source_id"] = f"S{first_source_number + i:02d}"
        source["kreis_id"] = config.ags
    return CountyInput(config, boundaries, mapping, tables), sources


def build(config_paths: list[Path], out: Path, say: Callable[[str], None] = print) -> BuildSummary:
    """Build one database from one or several county configs; raises EtlError on bad input."""
    started = time.perf_counter()
    catalogue = load_catalogue()
    configs = [load_config(p) for p in config_paths]
    seen: dict[str, Path] = {}
    for config in configs:
        if config.ags in seen:
            raise EtlError(
                f"Kreis {config.ags} ist mehrfach angegeben (auch in {seen[config.ags]})",
                file=config.file,
                column="county.ags",
                expected="jeden Kreis höchstens einmal je Datenbank",
                fix="Jede Kreis-Konfiguration nur einmal mit --config übergeben.",
            )
        seen[config.ags] = config.file

    counties, sources, warnings = [], [], []
    for config in configs:
        county, county_sources = _extract_county(config, len(sources) + 1, say)
        counties.append(county)
        sources += county_sources
    say("Gebiete zusammenstellen und Geometrie vereinfachen")
    all_areas = build_areas(counties)
    observations = []
    for county in counties:
        say(f"[{county.config.ags}] Werte prüfen, summieren und ableiten")
        in_scope = areas_in_scope(all_areas, county.config.scope)
        county_warnings: list[str] = []
        observations.append(build_observations(county, in_scope, catalogue, county_warnings))
        warnings += [f"[{county.config.ags}] {w}" for w in county_warnings]
    # Land reference values come with every county of that Land: keep them once
    all_observations = pd.concat(observations, ignore_index=True).drop_duplicates(["area_id", "indicator_id", "year"])
    log = [("info", "built_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))]
    log += [("info", "config", str(c.file.name)) for c in configs]
    log += [("info", "demo", "true")] if any(c.demo for c in configs) else []
    log += [("warning", "check", w) for w in warnings]
    say(f"Schreiben: {out}")
    write_database(
        out,
        all_areas,
        catalogue.reset_index(drop=True),
        all_observations,
        pd.DataFrame(sources),
        pd.DataFrame(log, columns=["kind", "topic", "message"]),
    )
    return BuildSummary(
        out=out,
        seconds=time.perf_counter() - started,
        areas_by_level=all_areas["level"].value_counts().to_dict(),
        rows_by_table={"areas": len(all_areas), "observations": len(all_observations), "indicators": len(catalogue), "sources": len(sources)},
        warnings=warnings,
    )

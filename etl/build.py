"""The build: extract → validate → transform → load, for one or several county configs into one database."""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import geopandas as gpd
import pandas as pd

from etl import own_indicators, survey
from etl.catalogue import load_catalogue
from etl.config import CountyConfig, load_config, shared_data_root
from etl.errors import EtlError
from etl.findings import Finding, findings_path, summary_lines, with_kreis
from etl.load import check_target, remove_stale_temp_files, write_database
from etl.neighbours import neighbour_table
from etl.prepare import in_scope, prepare_tables
from etl.sources import crosswalk as crosswalk_files
from etl.territory import Crosswalk, gebietsstand_year, load_crosswalk
from etl.sources.bkg import UnknownKreis, read_boundaries
from etl.sources.genesis import read_genesis
from etl.sources.sozialraum import read_sozialraum_mapping
from etl.offer_overlay import apply_overlay_edits, apply_overlay_merges
from etl.offers_taxonomy import lebensphasen, offer_types
from etl.sources.offers import read_offer_list
from etl.sources.text import control_characters, control_problem, without_control_characters
from etl.transform import CountyInput, areas_in_scope, build_areas, build_observations
from etl.transform_offers import access_points, coverage, offer_capture, place_offers

BKG_LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0 (dl-de/by-2-0)"
GRID_WEIGHT_INDICATORS = {"einwohner": "bev_insgesamt", "unter18": "bev_u18", "ab65": "bev_65plus"}


@dataclass
class BuildSummary:
    out: Path
    seconds: float
    areas_by_level: dict[str, int]
    rows_by_table: dict[str, int]
    warnings: list[str]  # every finding as the build log stores it: "[Kreis] message"
    import_report: Path | None = None  # CSV next to the database when the build has offer lists
    findings: list[Finding] = field(default_factory=list)
    findings_file: Path | None = None  # <name>.warnungen.csv next to the database when there are findings
    gebietsstand: str | None = None  # Gebietsstand the statistics were converted to, e.g. "31.12.2020"

    def text(self) -> str:
        lines = [f"Datenbank geschrieben: {self.out} ({self.seconds:.1f} s)"]
        if self.import_report is not None:
            lines.append(f"Importbericht der Angebotslisten: {self.import_report} ({self.rows_by_table.get('import_report', 0)} Zeilen)")
        if self.gebietsstand:
            lines.append(f"Gebietsstand: {self.gebietsstand} (Statistik umgerechnet mit dem BBSR-Umsteigeschlüssel, © BBSR Bonn)")
        lines.append("Gebiete: " + ", ".join(f"{level} {n}" for level, n in self.areas_by_level.items()))
        lines.append("Zeilen: " + ", ".join(f"{table} {n}" for table, n in self.rows_by_table.items()))
        lines += summary_lines(self.findings, self.findings_file)
        return "\n".join(lines)


def crosswalk_for(config: CountyConfig) -> Crosswalk | None:
    """The Umsteigeschlüssel to the boundaries' Gebietsstand: from the national data root ($PLANUNGSATLAS_DATA or
    ../shared/data, statistics/gebietsaenderungen_bbsr); none for demo data (invented keys) or when it is absent."""
    root = shared_data_root()
    if config.demo or not crosswalk_files.available(root):
        return None
    return load_crosswalk(root, gebietsstand_year(config.boundaries_vintage))


def _extract_county(
    config: CountyConfig, first_source_number: int, say: Callable[[str], None], notes: list
) -> tuple[CountyInput, list[dict]]:
    """The county's sources read, checked and brought to the boundaries' Gebietsstand; what was changed on the way
    in is appended to ``notes`` (findings)."""
    if isinstance(config.name, str) and (found := control_characters(config.name)):
        notes.append(Finding("eingabe", f"Datei {config.file.name}, Spalte county.name: {control_problem(found)}"))
        config = replace(config, name=without_control_characters(config.name).strip())
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
        read = read_sozialraum_mapping(config.sozialraum_mapping, boundaries.gemeinden)
        mapping = read.areas
        notes.extend(Finding("eingabe", note) for note in read.notes)
        say(f"[{config.ags}] {config.sozialraum_mapping.name}: Kodierung {read.encoding}")
        sources.append({"kind": "sozialraum_mapping", "table_code": None, "title": "Zuordnung Gemeinde → Sozialraum",
                        "publisher": config.name or config.ags, "licence": None, "attribution": mapping_attribution(config),
                        "stand": None, "file": config.sozialraum_mapping.name, "encoding": read.encoding, "rows": len(mapping)})  # fmt: skip
    crosswalk = crosswalk_for(config) if config.statistics else None
    if crosswalk is not None:
        sources.append({"kind": "crosswalk", "table_code": None, "title": f"Umsteigeschlüssel für Gebietsstandsänderungen auf "
                        f"Gebietsstand {crosswalk.gebietsstand}", "publisher": crosswalk_files.PUBLISHER, "licence": crosswalk_files.LICENCE,
                        "attribution": crosswalk_files.ATTRIBUTION, "stand": f"Gebietsstand {crosswalk.gebietsstand}",
                        "file": crosswalk_files.GEMEINDEN_CSV, "encoding": "utf-8", "rows": None})  # fmt: skip
    read_scope = crosswalk.source_kreise(config.scope) if crosswalk is not None else config.scope
    crosswalk = crosswalk.for_scope(config.scope).fitted(set(boundaries.gemeinden["area_id"])) if crosswalk is not None else None
    catalogue = load_catalogue()
    reads = []
    for entry in config.statistics:
        say(f"[{config.ags}] Statistik {entry.table} lesen: {entry.path.name}")
        read = read_genesis(entry.path, entry.table, read_scope, entry.encoding)
        if crosswalk is None and in_scope(read.records, config.scope).empty:  # with it, rows may arrive by conversion
            raise _no_rows(config, entry.path)
        reads.append((entry, read))
    if reads:
        say(f"[{config.ags}] Statistik auf den Gebietsstand der Grenzdaten bringen")
    prepared = prepare_tables([read for _, read in reads], boundaries, config.scope, crosswalk, catalogue)
    notes.extend(prepared.findings)
    tables = []
    for (entry, read), table in zip(reads, prepared.tables):
        if table.records.empty and in_scope(read.records, config.scope).empty:
            raise _no_rows(config, entry.path)
        if table.records.empty:  # e.g. only published rates of a Kreis whose territory changed
            notes.append(Finding("tabelle", f"{entry.table} ({entry.path.name}): nach der Umrechnung auf Gebietsstand "
                                 f"{crosswalk.gebietsstand if crosswalk else ''} bleibt kein Wert (veröffentlichte Quoten eines "
                                 "Gebiets, dessen Gebiet sich geändert hat, werden nie umgerechnet)"))  # fmt: skip
            continue
        source_id = f"S{first_source_number + len(sources):02d}"
        tables.append((source_id, table))
        publisher, licence = (table.publisher, table.licence) if not config.demo else ("Planungsatlas Familie (Demodaten)", "Demodaten, frei verwendbar")
        sources.append({"kind": "statistics", "table_code": table.table, "title": table.title, "publisher": publisher,
                        "licence": licence, "attribution": table.attribution if not config.demo else "Demodaten (keine amtlichen Zahlen)",
                        "stand": table.stand, "file": entry.path.name, "encoding": table.encoding, "rows": len(table.records)})  # fmt: skip
    offer_lists = []
    for entry in config.offers:
        say(f"[{config.ags}] Angebotsliste lesen: {entry.path.name}")
        offer_list = read_offer_list(entry.path, entry.format, entry.encoding, public=entry.public)
        if offer_list.encoding:
            say(f"[{config.ags}] {entry.path.name}: Kodierung {offer_list.encoding}")
        offer_lists.append((f"S{first_source_number + len(sources):02d}", offer_list))
        attribution = "Demodaten (erfundene Angebote)" if config.demo else offer_list.attribution or f"Angebotsliste {config.name or config.ags}"
        sources.append({"kind": "offers", "table_code": entry.format, "title": offer_list.title,
                        "publisher": "Planungsatlas Familie (Demodaten)" if config.demo else None, "licence": None, "attribution": attribution,
                        "stand": entry.stand, "file": entry.path.name, "encoding": offer_list.encoding, "rows": len(offer_list.offers)})  # fmt: skip
    if config.offer_overlay is not None:
        offer_lists, overlay_source = apply_overlay_edits(config.offer_overlay, offer_lists, say, notes)
        sources.append(overlay_source)
    for i, source in enumerate(sources):
        source["source_id"] = f"S{first_source_number + i:02d}"
        source["kreis_id"] = config.ags
    county = CountyInput(config, boundaries, mapping, tables, offer_lists, prepared.unplaced)
    return county, sources


def _no_rows(config: CountyConfig, path: Path) -> EtlError:
    return EtlError(
        f"Die Datei enthält keine Zeilen des Kreises {config.ags}",
        file=path,
        expected=f"Zeilen mit Schlüsseln, die mit {config.ags} beginnen",
        fix="Anderen Export wählen oder die Tabelle aus der Konfiguration nehmen.",
    )


def mapping_attribution(config: CountyConfig) -> str:
    """'Sozialräume: Arbeitsannahme (…)' or 'Sozialräume: amtlich (…)' as the config declares the mapping; a mapping
    without a declared status is not credited to the Kreisverwaltung on trust."""
    if config.sozialraum_status is None:
        return "Sozialräume: Status nicht angegeben (in der Kreiskonfiguration weder als amtlich noch als Arbeitsannahme gekennzeichnet)"
    return f"Sozialräume: {config.sozialraum_status}" + (f" ({config.sozialraum_source})" if config.sozialraum_source else "")


def _offer_tables(county: CountyInput, areas: pd.DataFrame, observations: pd.DataFrame, say: Callable[[str], None]) -> dict[str, pd.DataFrame]:
    """Offers placed in the county, the import report, coverage per area and accessibility."""
    gemeinden = areas[areas["level"] == "gemeinde"]
    placed, report = [], []
    for source_id, offer_list in county.offer_lists:
        offers, placement_report = place_offers(offer_list, gemeinden, source_id)
        placed.append(offers)
        report += [{"source_id": source_id, "row": r.row, "source_column": r.column, "problem": r.problem, "action": r.action}
                   for r in offer_list.report + placement_report]  # fmt: skip
        say(f"[{county.config.ags}] {offer_list.file.name}: {len(offers)} Angebote geladen, {len(offer_list.report) + len(placement_report)} Zeilen im Importbericht")
    if not placed:
        return {}
    offers = gpd.GeoDataFrame(pd.concat(placed, ignore_index=True), crs=placed[0].crs)
    if county.config.offer_overlay is not None:
        offers, merged = apply_overlay_merges(county.config.offer_overlay, offers)
        report += merged
    population = observations[observations["indicator_id"].str.startswith("bev_")]
    latest = population[population["indicator_id"].isin(GRID_WEIGHT_INDICATORS.values()) & population["status"].isin(("ok", "zero"))]
    latest = latest.sort_values("year").groupby(["area_id", "indicator_id"])["value"].last().unstack()
    weights = pd.DataFrame({w: latest.get(i) for w, i in GRID_WEIGHT_INDICATORS.items()}).fillna(0)
    say(f"[{county.config.ags}] Versorgung und Erreichbarkeit berechnen")
    return {
        "offers": offers,
        "import_report": pd.DataFrame(report, columns=["source_id", "row", "source_column", "problem", "action"]),
        "coverage": coverage(offers, areas, population),
        "access": access_points(offers, gemeinden, county.config.population_grid, weights),
        "offer_capture": offer_capture(county.config.offers, county.offer_lists, areas),
    }


def build(config_paths: list[Path | CountyConfig], out: Path, say: Callable[[str], None] = print) -> BuildSummary:
    """Build one database from one or several county configs (files, or configs made in code such as
    ``python -m etl build --kreis``); raises EtlError on bad input and when the target cannot be written (checked
    before any work, and again when writing: disk full, read-only folder). Every finding is kept: in the build log,
    in the summary and as ``<name>.warnungen.csv`` beside the database."""
    started = time.perf_counter()
    check_target(out)
    for stale in remove_stale_temp_files(out):
        say(f"Temporäre Datei eines abgebrochenen Laufs entfernt: {stale.name}")
    catalogue = load_catalogue()
    configs = [p if isinstance(p, CountyConfig) else load_config(p) for p in config_paths]
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

    counties, sources, findings = [], [], []
    own_tables, own_ids = [], set()  # (Kreis, {indicator: source_id}, table) of the counties' own indicator tables
    survey_tables = []  # (Kreis, source_id, min_base, table) of the counties' surveys; their ids also go to own_ids
    for config in configs:
        notes: list[Finding] = []
        county, county_sources = _extract_county(config, len(sources) + 1, say, notes)
        counties.append(county)
        sources += county_sources
        for table in own_indicators.read_tables(config, own_ids):
            say(f"[{config.ags}] Eigene Indikatoren: {table.file.name} ({len(table.indicators)} Indikatoren, {len(table.values)} Werte)")
            source_ids = {}  # one source per indicator: its own source text and licence
            for ident, record in own_indicators.source_records(table, config).items():
                sources.append(record | {"source_id": f"S{len(sources) + 1:02d}", "kreis_id": config.ags})
                source_ids[ident] = sources[-1]["source_id"]
            own_tables.append((config.ags, source_ids, table))
        for entry, table in survey.read_surveys(config, own_ids):
            say(f"[{config.ags}] Befragung: {table.file.name} ({len(table.questions)} Fragen, {len(table.skipped)} Meldungen zu Freitext)")
            sources.append(survey.source_record(table, config) | {"source_id": f"S{len(sources) + 1:02d}", "kreis_id": config.ags})
            survey_tables.append((config.ags, sources[-1]["source_id"], entry.min_base, table))
            notes += [Finding("freitext", f"Datei {skipped}") for skipped in table.skipped]
        findings += with_kreis(notes, config.ags)
    say("Gebiete zusammenstellen und Geometrie vereinfachen")
    all_areas = build_areas(counties)
    observations, offer_frames = [], []
    for county in counties:
        say(f"[{county.config.ags}] Werte prüfen, summieren und ableiten")
        in_scope = areas_in_scope(all_areas, county.config.scope)
        county_findings: list[Finding] = []
        observations.append(build_observations(county, in_scope, catalogue, county_findings))
        findings += with_kreis(county_findings, county.config.ags)
        offer_frames.append(_offer_tables(county, in_scope, observations[-1], say))
        observations += [own_indicators.observations(t, in_scope, ags, sid) for ags, sid, t in own_tables if ags == county.config.ags]
        observations += [survey.observations(t, base, in_scope, ags, sid) for ags, sid, base, t in survey_tables if ags == county.config.ags]
    # Land reference values come with every county of that Land: keep them once
    all_observations = pd.concat(observations, ignore_index=True).drop_duplicates(["area_id", "indicator_id", "year"])
    log = [("info", "built_at", datetime.now(timezone.utc).isoformat(timespec="seconds"))]
    log += [("info", "config", str(c.file.name)) for c in configs]
    log += [("info", "config_path", str(c.file)) for c in configs]  # the recipe a workspace publish rebuilds from
    log += [("info", "demo", "true")] if any(c.demo for c in configs) else []
    log += [("info", "min_count", str(c.min_count)) for c in configs[:1]]
    stands = sorted({s["stand"].removeprefix("Gebietsstand ") for s in sources if s["kind"] == "crosswalk"})
    log += [("info", "gebietsstand", _gebietsstand_fact(stands, configs))]
    log += [("warning", f.kind, f.text()) for f in findings]
    say(f"Schreiben: {out}")
    frames = {
        "areas": all_areas,
        "indicators": _indicators(catalogue, [t for *_, t in own_tables], [t for *_, t in survey_tables]),
        "observations": all_observations,
        "sources": pd.DataFrame(sources),
        "build_log": pd.DataFrame(log, columns=["kind", "topic", "message"]),
        "offer_types": offer_types(),
        "lebensphasen": lebensphasen(),
        "neighbours": neighbour_table([c.boundaries for c in counties]),  # names for the holes of the maps
    }
    for name in ("offers", "import_report", "coverage", "access", "offer_capture"):
        parts = [f[name] for f in offer_frames if name in f]
        if parts:
            frames[name] = pd.concat(parts, ignore_index=True)
    if "access" in frames:  # point ids are per county; make them unique in the build
        frames["access"]["point_id"] = frames["access"].groupby(["gemeinde_id", "point_id"], sort=False, observed=True).ngroup()
    report_file = write_database(out, frames, findings)
    return BuildSummary(
        out=out,
        seconds=time.perf_counter() - started,
        areas_by_level=all_areas["level"].value_counts().to_dict(),
        rows_by_table={name: len(frame) for name, frame in frames.items() if name not in ("offer_types", "lebensphasen")},
        warnings=[f.text() for f in findings],
        import_report=report_file,
        findings=findings,
        findings_file=findings_path(out) if findings else None,
        gebietsstand=", ".join(stands) or None,
    )


def _indicators(catalogue: pd.DataFrame, own_tables: list, survey_tables: list) -> pd.DataFrame:
    """The catalogue, then the survey questions, then the counties' own indicators."""
    frames = [catalogue.reset_index(drop=True)]
    if survey_tables:
        frames.append(survey.indicator_rows(survey_tables, len(catalogue)))
    if own_tables:
        frames.append(own_indicators.indicator_rows(own_tables, sum(map(len, frames))))
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def _gebietsstand_fact(stands: list[str], configs: list[CountyConfig]) -> str:
    """What the sidebar says about the Gebietsstand of the data, e.g. "31.12.2020 (umgerechnet mit dem
    BBSR-Umsteigeschlüssel, © BBSR Bonn)", or the boundaries' own vintage when nothing was converted."""
    if stands:
        return f"{', '.join(stands)} (Statistik umgerechnet mit dem BBSR-Umsteigeschlüssel, © BBSR Bonn)"
    vintages = sorted({c.boundaries_vintage for c in configs if c.boundaries_vintage})
    return f"Grenzen {', '.join(vintages)}; Statistik wie veröffentlicht (nicht umgerechnet)" if vintages else "nicht angegeben"

"""Uploads checked before anything changes, and the build config of the next version.

Rules a planner can rely on:
- An upload is read by exactly the readers the build uses (offer lists: etl/sources/offers.py with the formats of
  etl/metadata/offer_formats.toml and the placement in the Kreis; statistics: the GENESIS reader; the county's own
  indicators: the template reader; Sozialräume: the mapping reader). The check shows the rows that will load, every
  row that will not load as it stands (row, column, problem, what happens), what stops the file as a whole, and what
  changes against the published version. Nothing is published by a check.
- The next version is built from the published recipe (the county config) plus the uploads of the live version and
  the drafts, in upload order. An offer list, statistics file or indicator table replaces one of the same
  file name, otherwise it is added; an uploaded Sozialraum mapping or the latest one made in the app (whichever is
  newer) replaces the configured mapping with its status; the planners' offer edits and duplicate decisions are
  applied on top (workspace.offer_overlay).
"""
from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from etl.catalogue import load_catalogue
from etl import survey
from etl.config import DEFAULT_MIN_BASE, CountyConfig, OfferSource, StatisticsSource, SurveySource
from etl.errors import EtlError
from etl.own_indicators import catalogue_topics
from etl.prepare import in_scope
from etl.sources.genesis import BUND, read_genesis
from etl.sources.offers import read_offer_list
from etl.sources.own_indicators import check_areas, read_own_indicators
from etl.sources.sozialraum import read_sozialraum_mapping
from etl.transform_offers import place_offers
from workspace import draft_changes
from workspace.draft_changes import connect as read_published

KINDS = {"angebote": "Angebotsliste", "statistik": "Statistik (GENESIS-Export)", "eigene_indikatoren": "Eigene Indikatoren",
         "sozialraeume": "Sozialraum-Zuordnung", "umfrage": "Familienbefragung"}  # fmt: skip
REPORT_COLUMNS = ["Blatt", "Zeile", "Spalte", "Problem", "Ergebnis"]
NOT_LOADED = "Tabelle wird erst geladen, wenn alles behoben ist"


@dataclass
class UploadCheck:
    """What the check of one upload found."""

    kind: str
    filename: str
    rows: int  # rows (offers, values, Gemeinden) that will load
    report: pd.DataFrame  # REPORT_COLUMNS: every row that does not load as it stands
    errors: list[str]  # what stops the file as a whole (EtlError texts); nothing of it loads
    preview: pd.DataFrame  # the first rows that will load
    changes: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=draft_changes.CHANGE_COLUMNS))
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


def safe_name(filename: str) -> str:
    """The file name without folders or characters a file system refuses (the name stays visible in sources)."""
    name = re.sub(r"[\x00-\x1f/\\:*?\"<>|]", "_", Path(str(filename).replace("\\", "/")).name).strip(" .")
    return name or "upload"


def check_upload(kind: str, filename: str, content: bytes, meta: dict | None, base_config: CountyConfig,
                 db_path: Path | None = None) -> UploadCheck:  # fmt: skip
    """Check an upload as the build would read it; ``db_path``: the published database (areas, Gemeinden and the
    changes are taken from it). Never raises for bad input: it is in ``errors`` and ``report``."""
    started = time.perf_counter()
    meta = meta or {}
    name = safe_name(filename)
    with tempfile.TemporaryDirectory(prefix="planungsatlas-upload-") as folder:
        path = Path(folder) / name
        path.write_bytes(content)
        try:
            check = _CHECKS[kind](path, meta, base_config, db_path) if kind in _CHECKS else _unknown_kind(kind)
        except EtlError as exc:
            exc.file = str(exc.file).replace(str(path), name).replace(folder + "/", "") if exc.file is not None else None
            check = UploadCheck(kind, name, 0, _report([]), [str(exc)], pd.DataFrame())
    check.kind, check.filename, check.seconds = kind, name, time.perf_counter() - started
    return check


def _unknown_kind(kind: str) -> UploadCheck:
    raise EtlError(f"Unbekannte Art des Uploads: {kind!r}", expected="eine von: " + ", ".join(KINDS), fix="Art der Datei wählen.")


def _report(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _gemeinden(db_path: Path | None, scope: str) -> gpd.GeoDataFrame | None:
    """The published Gemeinden of the config's scope with full geometry (EPSG:25832), for placing offers."""
    if db_path is None or not Path(db_path).is_file():
        return None
    with read_published(db_path) as con:  # DuckDB's own ST_AsWKB: no spatial extension to load
        frame = con.execute("SELECT area_id, name, kreis_id, ST_AsWKB(geom) AS wkb FROM areas WHERE level = 'gemeinde' "
                            "AND area_id LIKE ? || '%'", [scope]).df()  # fmt: skip
    geometry = shapely.from_wkb([bytes(w) for w in frame.pop("wkb")])
    return gpd.GeoDataFrame(frame, geometry=geometry, crs="EPSG:25832")


def _areas(db_path: Path | None) -> pd.DataFrame | None:
    if db_path is None or not Path(db_path).is_file():
        return None
    with read_published(db_path) as con:
        return con.execute("SELECT area_id, name, level, parent_id, kreis_id, sozialraum_id FROM areas").df()


def _check_offers(path: Path, meta: dict, config: CountyConfig, db_path: Path | None) -> UploadCheck:
    fmt = str(meta.get("format") or "planungsatlas")
    offer_list = read_offer_list(path, fmt, public=bool(meta.get("public", False)))
    rows = list(offer_list.report)
    gemeinden = _gemeinden(db_path, config.scope)
    if gemeinden is not None:
        placed, placement = place_offers(offer_list, gemeinden, "NEU")
        rows += placement
    else:  # no published database to place in: what the reader lets through
        placed = offer_list.offers.assign(address=(offer_list.offers["strasse"] + ", " + offer_list.offers["plz"] + " "
                                                   + offer_list.offers["ort"]).str.strip(", "), gemeinde_id=None)  # fmt: skip
    report = _report(sorted(("", r.row, r.column or "", r.problem, r.action) for r in rows))
    preview = pd.DataFrame(placed).drop(columns=["geometry", "geom"], errors="ignore")
    changes = draft_changes.offer_changes(preview, draft_changes.published_offers(db_path, path.name)) if db_path else None
    check = UploadCheck("angebote", path.name, len(placed), report, [], _offer_preview(preview))
    if changes is not None:
        check.changes = changes
    return check


def _offer_preview(offers: pd.DataFrame) -> pd.DataFrame:
    columns = {"source_row": "Zeile", "row": "Zeile", "name": "Name", "offer_type": "Angebotsart", "traeger": "Träger",
               "address": "Adresse", "gemeinde_id": "Gemeinde", "kapazitaet": "Kapazität"}  # fmt: skip
    shown = offers[[c for c in columns if c in offers.columns]].rename(columns=columns)
    return shown.loc[:, ~shown.columns.duplicated()]


def _check_statistics(path: Path, meta: dict, config: CountyConfig, db_path: Path | None) -> UploadCheck:
    table = str(meta.get("table") or "")
    read = read_genesis(path, table, config.scope)
    records = in_scope(read.records, config.scope)
    records = records[~records["level"].isin(("land", BUND))] if config.scope else records
    if records.empty:
        raise EtlError(f"Die Datei enthält keine Zeilen des Kreises {config.ags}", file=path.name,
                       expected=f"Zeilen mit Schlüsseln, die mit {config.ags} beginnen", fix="Export für den Kreis wählen.")  # fmt: skip
    values = records[["indicator_id", "area_id", "year", "value"]]
    check = UploadCheck("statistik", path.name, len(records), _report([]), [],
                        records[["area_id", "name", "indicator_id", "year", "value", "status"]].head(200))  # fmt: skip
    if db_path:
        check.changes = draft_changes.value_changes(values, db_path)
    return check


def _check_own_indicators(path: Path, meta: dict, config: CountyConfig, db_path: Path | None) -> UploadCheck:
    taken = set(load_catalogue().index) | _own_ids_elsewhere(db_path, path.name)
    table = read_own_indicators(path, taken, catalogue_topics())
    areas = _areas(db_path)
    if areas is not None:
        check_areas(table, areas, config.ags)
    report = _report([(p.sheet, p.row, p.column or "", p.problem + (f" – erwartet: {p.expected}" if p.expected else "")
                       + (f" – {p.fix}" if p.fix else ""), NOT_LOADED) for p in table.problems])  # fmt: skip
    errors = []
    if table.problems:
        first = table.problems[0].error(path.name)
        count = "1 Problem" if len(table.problems) == 1 else f"{len(table.problems)} Probleme (alle im Prüfbericht)"
        errors.append(f"{count}: die Tabelle wird erst geladen, wenn alles behoben ist.\n{first}")
    preview = table.values.drop(columns=["row"]).rename(columns={"indicator_id": "Indikator", "area_id": "Gebiet", "year": "Jahr",
                                                                "value": "Wert", "numerator": "Zähler", "denominator": "Nenner"})  # fmt: skip
    check = UploadCheck("eigene_indikatoren", path.name, 0 if errors else len(table.values), report, errors, preview.head(200))
    if db_path and not errors:
        check.changes = draft_changes.value_changes(table.values, db_path, dict(zip(table.indicators["indicator_id"], table.indicators["label"])))
    return check


def _check_survey(path: Path, meta: dict, config: CountyConfig, db_path: Path | None) -> UploadCheck:
    """A family survey (etl/sources/survey.py): problems by sheet, row and column; open text listed as not taken over."""
    table = survey.check_upload(path, _areas(db_path), config.ags, _own_ids_elsewhere(db_path, path.name))
    rows = [(p.sheet, p.row, p.column or "", p.problem + (f" – erwartet: {p.expected}" if p.expected else "")
             + (f" – {p.fix}" if p.fix else ""), NOT_LOADED) for p in table.problems]  # fmt: skip
    rows += [("", None, "", skipped, "nicht übernommen (Freitext)") for skipped in table.skipped]
    errors = []
    if table.problems:
        count = "1 Problem" if len(table.problems) == 1 else f"{len(table.problems)} Probleme (alle im Prüfbericht)"
        errors.append(f"{count}: die Befragung wird erst geladen, wenn alles behoben ist.\n{table.problems[0].error(path.name)}")
    min_base = int(meta.get("min_base") or DEFAULT_MIN_BASE)
    results = table.results.assign(indicator_id=table.results["question_id"].map(survey.indicator_id))
    shown = results["base"] >= min_base
    preview = pd.DataFrame({"Frage": results["question_id"], "Gebiet": results["area_id"], "Anzahl": results["count"],
                            "Basis": results["base"], "ausgewiesen": shown.map({True: "ja", False: f"nein (Basis < {min_base})"})})  # fmt: skip
    check = UploadCheck("umfrage", path.name, 0 if errors else len(results), _report(rows), errors, preview.head(200))
    if db_path and not errors and len(results):
        values = results[shown].assign(value=results["count"] / results["base"] * 100)
        labels = {survey.indicator_id(q.question_id): q.label for q in table.questions}
        check.changes = draft_changes.value_changes(values.assign(year=values["question_id"].map(
            {q.question_id: q.year for q in table.questions})), db_path, labels)  # fmt: skip
    return check


def _own_ids_elsewhere(db_path: Path | None, file_name: str) -> set[str]:
    """Ids of own indicators in the database from another file (a file of the same name is replaced by the upload)."""
    if db_path is None or not Path(db_path).is_file():
        return set()
    with read_published(db_path) as con:
        rows = con.execute("SELECT DISTINCT o.indicator_id, s.file FROM observations o JOIN sources s USING (source_id) "
                           "WHERE NOT list_contains(?, o.indicator_id)", [list(load_catalogue().index)]).fetchall()  # fmt: skip
    return {ident for ident, file in rows if file != file_name}


def _check_mapping(path: Path, meta: dict, config: CountyConfig, db_path: Path | None) -> UploadCheck:
    areas = _areas(db_path)
    if areas is None:
        raise EtlError("Ohne veröffentlichte Datenbank sind die Gemeinden des Kreises unbekannt", file=path.name,
                       fix="Erst eine Datenbank des Kreises bauen (python -m etl build).")  # fmt: skip
    gemeinden = areas[(areas["level"] == "gemeinde") & areas["area_id"].str.startswith(config.scope)]
    read = read_sozialraum_mapping(path, gemeinden[["area_id", "name"]])
    report = _report([("", None, "sozialraum", note, "geladen") for note in read.notes])
    check = UploadCheck("sozialraeume", path.name, len(read.areas), report, [], read.areas.rename(columns={"area_id": "Gemeinde", "sozialraum": "Sozialraum"}))
    check.changes = draft_changes.mapping_changes(read.areas, db_path)
    return check


_CHECKS = {"angebote": _check_offers, "statistik": _check_statistics, "eigene_indikatoren": _check_own_indicators,
           "sozialraeume": _check_mapping, "umfrage": _check_survey}  # fmt: skip


def template_for(db_path: Path, kreis_id: str) -> bytes:
    """The own-indicator template with the Kreis's area keys (sheet "Gebiete") and the catalogue's Handlungsfelder."""
    from etl.own_indicator_template import template_xlsx

    areas = _areas(db_path)
    mine = areas[(areas["kreis_id"] == kreis_id) | (areas["area_id"] == kreis_id)] if areas is not None else None
    return template_xlsx(mine, catalogue_topics())


def base_config(db_path: Path, kreis_id: str) -> tuple[CountyConfig, str | None]:
    """The config the published database of this Kreis was built from (its recipe), and None; when the recipe cannot
    be told, a config of just the Kreis key (enough to check uploads) and the reason, so publishing can say it."""
    from workspace.recipe import load_configs, recipe_of
    from workspace.storage import WorkspaceError

    try:
        recipe = recipe_of(Path(db_path))
        # a config made by key writes its Sozialraum file: a folder only then
        folder = Path(tempfile.mkdtemp(prefix="planungsatlas-recipe-")) if recipe.kreise else Path(tempfile.gettempdir())
        configs = load_configs(recipe, folder)
        return next(c for c in configs if c.ags == kreis_id or kreis_id.startswith(c.scope)), None
    except (WorkspaceError, EtlError, StopIteration) as exc:
        reason = str(exc) or f"Kreis {kreis_id} steht in keiner Konfiguration der Datenbank."
        return CountyConfig(Path(db_path), kreis_id, None, False, Path(), "", None, None), reason


# -- the config of the next version ----------------------------------------------------------------------------


def _replaced(items: list, new: object, name: str) -> list:
    """``items`` with the one of file name ``name`` replaced by ``new``, or ``new`` appended."""
    names = [(i.path if hasattr(i, "path") else i).name for i in items]
    return [new if n == name else i for i, n in zip(items, names)] if name in names else [*items, new]


def draft_config(base: CountyConfig, uploads: list, folder: Path, ws, db_name: str) -> CountyConfig:
    """The config of the next version (see the module docstring): ``uploads`` are those the version is built with
    (workspace.versions passes the ones published with the live version and the drafts); their files are written
    into ``folder``."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    config, mapping_at = base, ""
    for upload in sorted(uploads, key=lambda u: u.id):
        target = Path(folder) / f"upload_{upload.id}" / safe_name(upload.filename)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(ws.upload_content(upload.id))
        meta = upload.meta or {}
        if upload.kind == "angebote":
            source = OfferSource(format=str(meta.get("format") or "planungsatlas"), path=target, stand=meta.get("stand") or None,
                                 covers=tuple(meta["covers"]) if meta.get("covers") else None, public=bool(meta.get("public", False)))  # fmt: skip
            config = replace(config, offers=_replaced(config.offers, source, target.name))
        elif upload.kind == "statistik":
            config = replace(config, statistics=_replaced(config.statistics, StatisticsSource(str(meta.get("table") or ""), target), target.name))
        elif upload.kind == "eigene_indikatoren":
            config = replace(config, own_indicators=_replaced(config.own_indicators, target, target.name))
        elif upload.kind == "umfrage":
            source = SurveySource(target, int(meta.get("min_base") or DEFAULT_MIN_BASE))
            config = replace(config, surveys=_replaced(config.surveys, source, target.name))
        elif upload.kind == "sozialraeume":
            config = replace(config, sozialraum_mapping=target, sozialraum_status=meta.get("status") or "Arbeitsannahme",
                             sozialraum_source=meta.get("source") or f"hochgeladen: {upload.filename}")  # fmt: skip
            mapping_at = upload.uploaded_at
    config = _workspace_mapping(config, folder, ws, db_name, mapping_at)
    return _with_overlay(config, folder, ws, db_name)


def _workspace_mapping(config: CountyConfig, folder: Path, ws, db_name: str, after: str) -> CountyConfig:
    """The latest mapping made in the app replaces the configured (or an older uploaded) one."""
    versions = ws.sozialraum_mappings(db_name)
    if versions.empty or str(versions.iloc[-1]["created_at"]) < after:  # same second: the app's mapping
        return config
    mapping = ws.sozialraum_mapping(db_name)
    path = Path(folder) / f"sozialraeume_v{mapping.attrs['version']}.csv"
    mapping.rename(columns={"gemeinde_id": "gemeinde_ags"}).to_csv(path, sep=";", index=False, encoding="utf-8")
    return replace(config, sozialraum_mapping=path, sozialraum_status=mapping.attrs["status"], sozialraum_source=mapping.attrs["source"])


def _with_overlay(config: CountyConfig, folder: Path, ws, db_name: str) -> CountyConfig:
    try:  # the OFFERS part (edits and duplicate merges); absent in an older checkout
        from workspace.offer_overlay import write_workspace_overlay
    except ImportError:
        return config
    overlay = write_workspace_overlay(ws, db_name, Path(folder))
    return replace(config, offer_overlay=overlay) if overlay is not None and hasattr(config, "offer_overlay") else config

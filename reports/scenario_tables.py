"""All differences of a scenario as an xlsx (one sheet each: changes, before/after per Gemeinde, Präventionskette
cells, gap ranking moves) and as a German CSV (the before/after per Gemeinde, the changes in the header block).

Every cell goes through ``etl.spreadsheet`` (text typed as text in xlsx, formula-like text with an apostrophe in
CSV): offer and scenario names are typed in by users and must never run as formulas.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

import pandas as pd
from openpyxl import Workbook

from etl.spreadsheet import german_csv
from planning import queries, scenario_effects, scenarios
from planning.accessibility import AccessParams
from planning.context import Context
from reports.render import MIME, ExportFile, file_stem
from reports.workbook import titled_sheet

SHEETS = ("Änderungen", "Vorher-nachher", "Präventionskette", "Lückenranking")


@dataclass(frozen=True)
class ScenarioDifferences:
    """Everything the exports and the report section hold for one scenario and Angebotsart."""

    scenario: scenarios.Scenario
    offer_type: str
    type_label: str
    comparison: scenarios.Comparison
    changes: pd.DataFrame  # Nr., Änderung
    before_after: pd.DataFrame  # every Gemeinde, numbers
    chain: pd.DataFrame  # changed cells (German)
    gaps: pd.DataFrame  # rank moves (German)
    header: list[tuple[str, str]]


def differences(ctx: Context, scenario: scenarios.Scenario, offer_type: str, params: AccessParams, social_id: str) -> ScenarioDifferences:
    """The scenario's differences from the planning layer (the same numbers the page shows)."""
    types = queries.offer_types(ctx.db)
    labels = dict(zip(types["offer_type"], types["label"]))
    comparison = scenarios.compare(ctx.db, ctx.kreis_id, scenario, offer_type, "gemeinde", params)
    t = comparison.table
    before_after = pd.DataFrame({
        "Gemeinde": t["name"].astype(str), "Schlüssel": t["area_id"].astype(str),
        "Angebote vorher": t["offers_before"], "Angebote nachher": t["offers_after"],
        "Plätze vorher": t["capacity_before"], "Plätze nachher": t["capacity_after"],
        "Plätze je 100 vorher": t["per_100_before"], "Plätze je 100 nachher": t["per_100_after"],
        "Erreichbarkeit vorher": t["access_before"], "Erreichbarkeit nachher": t["access_after"],
        "Erreichbarkeit Veränderung": t["access_after"] - t["access_before"],
        **({"Im Umkreis vorher (%)": t["share_before"], "Im Umkreis nachher (%)": t["share_after"]} if "share_before" in t else {}),
        "geändert": t["changed"].map({True: "ja", False: "nein"}),
    })  # fmt: skip
    changes = pd.DataFrame({"Nr.": range(1, len(scenario.changes) + 1),
                            "Änderung": [scenarios.change_text(c, labels) for c in scenario.changes]})  # fmt: skip
    header = [
        ("Kreis", ctx.kreis_name), ("Szenario", scenario.name), ("Angebotsart", labels.get(offer_type, offer_type)),
        ("Änderungen", "; ".join(changes["Änderung"]) or "keine"),
        ("Erreichbarkeit", f"{comparison.unit}. {comparison.method_text}"),
        ("Hinweis", "Szenario: gedachte Änderungen, die veröffentlichten Angebotsdaten bleiben unverändert."),
        ("Erstellt", f"{date.today():%d.%m.%Y}"),
    ]  # fmt: skip
    chain = scenario_effects.chain_table(scenario_effects.chain_changes(ctx, scenario, "gemeinde"), labels, "gemeinde")
    gaps = scenario_effects.gap_table(scenario_effects.gap_moves(ctx, scenario, "gemeinde", social_id), labels, "gemeinde")
    return ScenarioDifferences(scenario, offer_type, labels.get(offer_type, offer_type), comparison, changes, before_after, chain, gaps, header)


def _title(found: ScenarioDifferences) -> str:
    return f"Szenario „{found.scenario.name}“: {found.type_label}"


def xlsx_bytes(found: ScenarioDifferences) -> bytes:
    """One workbook, one sheet per view of the differences; empty views say so."""
    wb = Workbook()
    frames = (found.changes, found.before_after, found.chain, found.gaps)
    empty = {"Präventionskette": "Keine Zelle ändert ihren Status.", "Lückenranking": "Keine Lücke verschiebt sich."}
    for n, (name, frame) in enumerate(zip(SHEETS, frames)):
        ws = wb.active if n == 0 else wb.create_sheet()
        ws.title = name
        shown = frame if not frame.empty or name not in empty else pd.DataFrame({"Hinweis": [empty[name]]})
        titled_sheet(ws, f"{_title(found)} – {name}", found.header if n == 0 else found.header[:3], shown)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(found: ScenarioDifferences) -> bytes:
    """The before/after per Gemeinde as German CSV; the changes and the method in the header block."""
    return german_csv(_title(found), found.header, found.before_after.columns, found.before_after.itertuples(index=False))


def export_files(found: ScenarioDifferences) -> tuple[ExportFile, ExportFile]:
    stem = file_stem("szenario", found.scenario.name, found.offer_type, found.scenario.kreis_id)
    return (ExportFile(f"{stem}.xlsx", xlsx_bytes(found), MIME["xlsx"]), ExportFile(f"{stem}.csv", csv_bytes(found), MIME["csv"]))

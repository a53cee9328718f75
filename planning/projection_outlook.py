"""Vorausschau: today's places of an Angebotsart against its projected target group ("Plätze je 100 Kinder unter 3
im Jahr 2030"), as the page Bedarf & Versorgung shows it – the rows, the years to choose and how well the
projection hit a known later count (the back-cast), in a planner's words. Everything here is a PROJECTION
(planning/projection.py): the recent past carried forward, no forecast.
"""
from __future__ import annotations

import pandas as pd

from planning import projection as pr
from planning import queries
from planning.context import Context
from planning.formatting import number

YEARS_AHEAD = 15  # the year control offers the base year + 1 … + YEARS_AHEAD
# Hamilton–Perry carries the base period forward, a one-off jump too (an Erstaufnahmeeinrichtung, a new estate).
# An area whose target group grows or shrinks OUTLIER_FACTOR times as fast as the typical area's (the median ratio
# of the areas with at least MIN_PEOPLE) is marked so that nobody plans on it unseen; smaller areas are noisy anyway.
OUTLIER_FACTOR = 1.5
MIN_PEOPLE = 50
OUTLIER_MARK = "⚠"
PREFERRED_YEAR = 2030  # the default year when it is on offer ("im Jahr 2030")
MARK = pr.PROJECTION_LABEL


def age_span(groups: list[str]) -> str:
    """'Kinder unter 3 Jahren', 'Personen von 6 bis unter 10 Jahren', 'Personen ab 65 Jahren' for adjacent groups."""
    spans = {g: (lo, hi) for g, lo, hi in pr.AGE_GROUPS}
    first, after = min(spans[g][0] for g in groups), max(spans[g][1] for g in groups)
    if first == 0:
        return f"Kinder unter {after} Jahren" if after <= 18 else f"Personen unter {after} Jahren"
    if after >= pr.AGES:
        return f"Personen ab {first} Jahren"
    return f"Personen von {first} bis unter {after} Jahren"


def projectable(db, offer_type: str) -> tuple[list[str], str]:
    """(the target group's age groups, "") or ([], why the Angebotsart's target group cannot be projected)."""
    types = queries.offer_types(db)
    groups = list(types.loc[offer_type, "target_population"]) if offer_type in types.index else []
    if not groups:
        return [], "Für diese Angebotsart ist keine Zielgruppe nach Alter hinterlegt."
    if not set(groups) <= set(pr.GROUP_IDS):
        return [], ("Die Zielgruppe dieser Angebotsart ist nicht aus den Altersgruppen zusammengesetzt, die projiziert "
                    "werden (unter 3, 3–6, 6–10 … 75 und älter); sie wird daher nicht vorausgeschätzt.")  # fmt: skip
    return groups, ""


def year_choices(base_year: int) -> tuple[list[int], int]:
    """The years to choose from (after the base year) and the default (2030 when offered)."""
    years = list(range(base_year + 1, base_year + YEARS_AHEAD + 1))
    return years, PREFERRED_YEAR if PREFERRED_YEAR in years else years[min(4, len(years) - 1)]


def table(rows: pd.DataFrame, base_year: int, year: int) -> pd.DataFrame:
    """The rows of ``projection.projected_supply`` with German headers, every projected column marked; a projected
    value carries its range in brackets ('818 (817–820)') where the range is wider than the rounding, and
    OUTLIER_MARK where the area's change is far from the typical one (``outlier_text`` says why)."""
    def with_range(value: pd.Series, low: pd.Series, high: pd.Series, decimals: int) -> list[str]:
        texts = []
        for v, lo, hi in zip(value, low, high):
            lo_text, hi_text = number(lo, decimals), number(hi, decimals)
            texts.append(number(v, decimals) + ("" if lo_text == hi_text else f" ({lo_text}–{hi_text})"))
        return texts

    marks = [f" {OUTLIER_MARK}" if pd.notna(f) else "" for f in outliers(rows)]
    shown = pd.DataFrame({
        "Gebiet": rows["name"],
        "Plätze heute": [number(v) for v in rows["capacity"]],
        f"Zielgruppe {base_year} (gezählt)": [number(v) for v in rows["target_now"]],
        f"Zielgruppe {year} ({MARK})": [t + m for t, m in zip(with_range(rows["target"], rows["target_low"], rows["target_high"], 0), marks)],
        f"Plätze je 100 im Jahr {year} ({MARK})": with_range(rows["per_100"], rows["per_100_low"], rows["per_100_high"], 1),
    })  # fmt: skip
    if rows["capacity"].isna().all():  # no places captured (the page says so): two columns of dashes say nothing
        shown = shown.drop(columns=["Plätze heute", f"Plätze je 100 im Jahr {year} ({MARK})"])
    return shown


def _changes(rows: pd.DataFrame) -> tuple[pd.Series, float]:
    """Each area's projected change of the target group (projected / today) and the typical one (the median of
    the areas with at least MIN_PEOPLE)."""
    ratio = rows["target"] / rows["target_now"].where(rows["target_now"] > 0)
    return ratio, ratio[rows["target_now"] >= MIN_PEOPLE].median()


def outliers(rows: pd.DataFrame) -> pd.Series:
    """Per row of ``projection.projected_supply``: the projected change of the target group (projected / today)
    where it is OUTLIER_FACTOR times the typical area's or less than its 1/OUTLIER_FACTOR, else NaN."""
    ratio, typical = _changes(rows)
    if pd.isna(typical) or typical <= 0:
        return pd.Series(float("nan"), index=rows.index)
    relative = ratio / typical
    sizeable = rows["target_now"] >= MIN_PEOPLE
    return ratio.where(sizeable & ((relative > OUTLIER_FACTOR) | (relative < 1 / OUTLIER_FACTOR)))


def outlier_text(rows: pd.DataFrame, year: int) -> str:
    """'⚠ Hermeskeil: Zielgruppe bis 2030 ×2,4 (typisches Gebiet ×1,1) – …' for the marked rows, or ""."""
    flagged = outliers(rows)
    if flagged.notna().sum() == 0:
        return ""
    _, typical = _changes(rows)
    areas = "; ".join(f"{name} ×{number(f, 1)}" for name, f in zip(rows["name"], flagged) if pd.notna(f))
    return (f"{OUTLIER_MARK} Auffällig – Zielgruppe bis {year}: {areas} (typisches Gebiet ×{number(typical, 1)}). "
            "Die Projektion schreibt fort, was im Basiszeitraum geschah, auch einen einmaligen Sprung (z. B. eine "
            "Erstaufnahmeeinrichtung oder ein Neubaugebiet): vor einer Planung prüfen.")


def _signed(percent: float) -> str:
    sign = "+" if round(percent, 1) > 0 else "−" if round(percent, 1) < 0 else "±"
    return f"{sign}{number(abs(percent), 1)} %"


def quality_text(ctx: Context, projection: pr.Projection, groups: list[str]) -> str:
    """One plain sentence on how well the same method hit a known later count of this Kreis."""
    label = age_span(groups)
    if projection.zensus_interval is None:  # years of our own: the two earliest to the latest one
        counts = pr.county_counts(ctx.db, ctx.kreis_id)
        years = pr.complete_years(counts)
        if len(years) < 3:
            return "Rückrechnung: nicht möglich, es gibt nur zwei Jahre mit Altersgruppen je Gemeinde."
        rows, _ = pr.backcast(counts, (years[0], years[-2]), years[-1])
        rows = rows[rows["age_group"].isin(groups)]
        per_area = pr.with_errors(rows.groupby("area_id", as_index=False)[["projected", "observed"]].sum())
        kreis = rows["projected"].sum() / rows["observed"].sum() * 100 - 100
        return (f"Rückrechnung {years[0]}–{years[-2]} → {years[-1]}: {label} im Kreis {_signed(kreis)}, "
                f"je Gemeinde im Mittel {number(per_area['ape'].mean(), 1)} % daneben.")  # fmt: skip
    t1 = projection.base[1]
    kreis_rows = queries.age_structure(ctx.db, ctx.kreis_id, pr.GROUP_IDS)
    kreis_rows = kreis_rows[(kreis_rows["level"] == "kreis") & (kreis_rows["year"] > t1)]
    later = [y for y, r in kreis_rows.groupby("year") if r["indicator_id"].nunique() == len(pr.GROUP_IDS)]
    if later:
        rows, _, _ = pr.county_backcast(ctx.db, ctx.kreis_id, int(later[-1]))
        rows = rows[rows["age_group"].isin(groups)]
        error = rows["projected"].sum() / rows["observed"].sum() * 100 - 100
        return f"Rückrechnung Zensus 2011 + {t1} → {later[-1]}: {label} im Kreis {_signed(error)}."
    try:
        rows = pr.gemeinde_total_backcast(ctx.db, ctx.kreis_id)
    except ValueError:
        rows = pd.DataFrame()
    gemeinden = rows[rows["level"] == "gemeinde"] if not rows.empty else rows
    if gemeinden.empty:
        return "Rückrechnung: nicht möglich, es fehlt eine spätere Zählung dieses Kreises."
    return (f"Rückrechnung Zensus 2011 + {t1} → Zensus 15.05.2022 (nur alle Altersgruppen zusammen; der Zensus 2022 "
            f"hat hier keine Altersgruppen je Gemeinde): je Gemeinde im Mittel {number(gemeinden['ape'].mean(), 1)} % "
            f"daneben (Median {number(gemeinden['ape'].median(), 1)} %, {number(len(gemeinden))} Gemeinden).")  # fmt: skip

"""The section "Vorausschau: Zielgruppe im Jahr …" of Bedarf & Versorgung: today's places of the chosen Angebotsart
against its projected target group per area, clearly marked as a projection (planning/projection_outlook.py)."""
from __future__ import annotations

import functools

import streamlit as st

from dashboard import share
from dashboard.markdown import plain
from planning import projection as pr
from planning import projection_outlook as outlook
from planning.context import Context

YEAR_KEY = "projection_year"
YEAR_PARAM = "vorausschau"


@functools.lru_cache(maxsize=8)
def projection(ctx: Context) -> pr.Projection | str:
    """The Kreis's projection (its default years; used for the base and the method), or why there is none."""
    try:
        return pr.county_projection(ctx.db, ctx.kreis_id)
    except ValueError:
        return ("Für diesen Kreis gibt es keine Projektion: Sie braucht die Bevölkerung nach 17 Altersgruppen je "
                "Gemeinde in zwei Jahren, oder in einem Jahr und die Altersgruppen des Zensus 2011.")  # fmt: skip


@functools.lru_cache(maxsize=32)
def supply(ctx: Context, offer_type: str, level: str, year: int):
    return pr.projected_supply(ctx.db, ctx.kreis_id, offer_type, level, year)


@functools.lru_cache(maxsize=16)
def quality(ctx: Context, groups: tuple[str, ...]) -> str:
    result = projection(ctx)
    return outlook.quality_text(ctx, result, list(groups)) if isinstance(result, pr.Projection) else ""


def section(ctx: Context, level: str, offer_type: str | None, offer_label: str) -> None:
    """The whole section; ``offer_type`` None when the page does not show Angebotsarten."""
    heading = st.empty()
    if offer_type is None:
        heading.subheader("Vorausschau: Zielgruppe im Jahr …")
        st.caption("Die Vorausschau gilt je Angebotsart: Sicht „Angebotsart“ wählen.")
        return
    result = projection(ctx)
    groups, why = outlook.projectable(ctx.db, offer_type)
    if isinstance(result, str) or not groups:
        heading.subheader("Vorausschau: Zielgruppe im Jahr …")
        st.info(plain(f"{offer_label}: {why}" if not groups else result), icon=":material/block:")
        return
    base_year = result.base[1]
    years, default = outlook.year_choices(base_year)
    share.bind(share.Param(YEAR_KEY, YEAR_PARAM, int, default=default))
    if st.session_state.get(YEAR_KEY) not in years:
        st.session_state[YEAR_KEY] = default
    year = st.select_slider(f"Vorausschau auf das Jahr ({pr.PROJECTION_LABEL})", years, key=YEAR_KEY)
    heading.subheader(f"Vorausschau: Zielgruppe im Jahr {year}")
    rows = supply(ctx, offer_type, level, year)
    st.caption(plain(
        f"{pr.PROJECTION_LABEL}, keine Prognose: {offer_label} – Plätze heute je 100 {outlook.age_span(groups)} im "
        f"Jahr {year}, wenn die Entwicklung seit {result.base[0]} so weitergeht. "
        + ("In Klammern die Spanne aus anderen Basisjahren; eine größere Zielgruppe gibt weniger Plätze je 100."
           if result.alternative_bases else "Ohne Spanne: Es gibt nur einen Basiszeitraum.")
    ))  # fmt: skip
    if rows["capacity"].isna().all():
        st.caption("Für diese Angebotsart sind keine Platzzahlen erfasst: Die Tabelle zeigt nur die Zielgruppe.")
    st.dataframe(
        outlook.table(rows, base_year, year),
        hide_index=True,
        width="stretch",
        key="projection_table",
        column_config={"Gebiet": st.column_config.TextColumn(width="medium")},
    )
    flagged = outlook.outlier_text(rows, year)
    if flagged:
        st.warning(plain(flagged), icon=":material/warning:")
    st.caption(plain(f"{result.method_text} {quality(ctx, tuple(groups))}"))

"""What the Steckbrief and Kreistag pages show and build: area and indicator choices, the Steckbrief on screen
(the same blocks as its PDF, from ``reports.profile``) and the report files (``reports.kreistag``)."""
from __future__ import annotations

import re
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from planning import queries
from planning.context import Context
from reports import document as d
from reports import kreistag, profile
from reports.render import ExportFile

REPORT_LEVELS = ("gemeinde", "sozialraum", "verbandsgemeinde")
# a first report that tells something at once: children, social situation, ageing, density
DEFAULT_REPORT_INDICATORS = ("anteil_u18", "anteil_u6", "sgb2_quote", "kinderarmut", "altenquotient", "betreuungsquote_u3")
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#$|~])")


def levels(ctx: Context) -> list[str]:
    """Levels of the Kreis a Steckbrief or report can be made for, in the usual order."""
    return [level for level in queries.levels(ctx.db, ctx.kreis_id) if level in REPORT_LEVELS]


def choose_level(ctx: Context, key: str, labels: dict[str, str], container=st) -> str:
    """The level radio (default: the level of the Übersichtskarte); stops the page where the Kreis has none."""
    found = levels(ctx)
    if not found:
        st.info("Dieser Kreis hat keine Gemeinden oder Sozialräume in der Datenbank.")
        st.stop()
    if st.session_state.get(key) not in found:
        st.session_state[key] = preferred(found, st.session_state.get("level"))
    return container.radio("Gebietsebene", found, format_func=labels.get, horizontal=True, key=key)


def area_names(ctx: Context, level: str) -> dict[str, str]:
    """area_id → name of every area of the level, by name."""
    shapes = queries.area_shapes(ctx.db, ctx.kreis_id, level)
    return dict(zip(shapes["area_id"], shapes["name"]))


def preferred(options: Sequence[str], *candidates: object) -> str | None:
    """The first candidate that is an option (e.g. the area clicked on the Übersichtskarte), else the first option."""
    return next((c for c in candidates if c in options), options[0] if options else None)


def indicator_options(ctx: Context, level: str) -> pd.DataFrame:
    """Listed indicators with values for the level in any year (catalogue order), indexed by indicator_id."""
    coverage = queries.indicator_years(ctx.db, ctx.kreis_id)
    found = set(coverage.loc[coverage["level"] == level, "indicator_id"])
    cat = queries.catalogue(ctx.db)
    return cat[cat["listed"] & cat["indicator_id"].isin(found)]


def default_indicators(options: Sequence[str]) -> list[str]:
    chosen = [i for i in DEFAULT_REPORT_INDICATORS if i in options]
    return chosen or list(options[:4])


def map_years(ctx: Context, level: str, indicator_ids: Sequence[str]) -> list[int]:
    """Years in which the level has values of at least one of the indicators, newest first."""
    coverage = queries.indicator_years(ctx.db, ctx.kreis_id)
    rows = coverage[(coverage["level"] == level) & coverage["indicator_id"].isin(list(indicator_ids))]
    return sorted({int(y) for y in rows["year"]}, reverse=True)


@st.cache_data(max_entries=64, show_spinner=False)
def steckbrief_document(db: queries.Database, area_id: str) -> d.Document:
    """The Steckbrief as blocks (figures not yet rendered), cached per area."""
    return profile.steckbrief_document(queries.connection(db), area_id)


def steckbrief_pdf(db: queries.Database, area_id: str) -> ExportFile:
    return profile.steckbrief_pdf(queries.connection(db), area_id)


def kreistag_files(
    ctx: Context, area_ids: Sequence[str], indicator_ids: Sequence[str], *, year: int | None, title: str,
    progress: kreistag.Progress,
) -> list[ExportFile]:  # fmt: skip
    report = kreistag.kreistag_report(queries.connection(ctx.db), list(area_ids), list(indicator_ids), year=year,
                                      title=title.strip() or kreistag.DEFAULT_TITLE, progress=progress)  # fmt: skip
    return [report.pdf, report.docx]


def _markdown(text: str) -> str:
    return _MARKDOWN.sub(r"\\\1", text)


def show_document(doc: d.Document, *, skip: int = 0) -> None:
    """A report document on screen, block by block. ``skip``: leading blocks the page shows itself (title).
    The demo note is left out: the page has the demo banner. Figures keep their print width, for which their
    legends and source lines are laid out."""
    for block in doc.blocks[skip:]:
        if isinstance(block, d.Figure):
            st.plotly_chart(block.fig, width="content", config={"displaylogo": False, "displayModeBar": False})
        elif isinstance(block, d.Heading):
            (st.header if block.level <= 1 else st.subheader)(block.text)
        elif isinstance(block, d.Paragraph) and block.style != "warning":
            (st.caption if block.style == "small" else st.markdown)(_markdown(block.text))
        elif isinstance(block, d.Table):
            st.dataframe(block.frame, hide_index=True, width="stretch", height=min(38 + 35 * len(block.frame), 560))

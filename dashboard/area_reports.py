"""What the Steckbrief and Kreistag pages show and build: the level picker, the Steckbrief on screen (the same blocks
as its PDF, from ``reports.profile``) and the report files (``reports.kreistag``). Which areas and indicators are
offered and chosen at first: ``planning.report_choices``."""
from __future__ import annotations

import functools
from collections.abc import Sequence

import streamlit as st

from dashboard.markdown import plain
from planning import queries, report_choices
from planning.context import Context
from reports import document as d
from reports import kreistag, profile
from reports.render import ExportFile



def choose_level(ctx: Context, key: str, labels: dict[str, str], container=st) -> str:
    """The level radio (default: the level of the Übersichtskarte); stops the page where the Kreis has none."""
    found = report_choices.levels(ctx)
    if not found:
        st.info("Dieser Kreis hat keine Gemeinden oder Sozialräume in der Datenbank.")
        st.stop()
    if st.session_state.get(key) not in found:
        st.session_state[key] = report_choices.preferred(found, st.session_state.get("level"))
    return container.radio("Gebietsebene", found, format_func=labels.get, horizontal=True, key=key)


def document_years(doc: d.Document) -> str:
    """'2015' or '2011–2016': the years of the values in a Steckbrief's key table (column Jahr), '' without."""
    found = sorted({int(y) for b in doc.blocks if isinstance(b, d.Table) and "Jahr" in b.frame for y in b.frame["Jahr"]})
    if not found:
        return ""
    return f"{found[0]}–{found[-1]}" if len(found) > 1 else str(found[0])


@functools.lru_cache(maxsize=64)
def steckbrief_document(db: queries.Database, area_id: str) -> d.Document:
    """The Steckbrief as blocks (figures not yet rendered), memoised per area and shared by every session and rerun
    (``st.cache_data`` would unpickle a copy of every figure on each rerun): never modify it."""
    return profile.steckbrief_document(queries.connection(db), area_id)


def steckbrief_pdf(db: queries.Database, area_id: str, extra_blocks: Sequence[d.Block] = ()) -> ExportFile:
    return profile.steckbrief_pdf(queries.connection(db), area_id, extra_blocks=extra_blocks)


def kreistag_files(
    ctx: Context, area_ids: Sequence[str], indicator_ids: Sequence[str], *, year: int | None, title: str,
    progress: kreistag.Progress, extra_blocks: Sequence[d.Block] = (),
) -> list[ExportFile]:  # fmt: skip
    report = kreistag.kreistag_report(queries.connection(ctx.db), list(area_ids), list(indicator_ids), year=year,
                                      title=title.strip() or kreistag.DEFAULT_TITLE, progress=progress, extra_blocks=extra_blocks)  # fmt: skip
    return [report.pdf, report.docx]


def show_document(doc: d.Document, *, skip: int = 0) -> None:
    """A report document on screen, block by block. ``skip``: leading blocks the page shows itself (title).
    The demo note is left out: the page has the demo banner. Figures keep their print width, for which their
    legends and source lines are laid out."""
    show_blocks(doc.blocks[skip:])


def show_blocks(blocks: Sequence[d.Block]) -> None:
    """Report blocks on screen (figures at their print width)."""
    for block in blocks:
        if isinstance(block, d.Figure):
            st.plotly_chart(block.fig, width="content", config={"displaylogo": False, "displayModeBar": False})
        elif isinstance(block, d.Heading):
            (st.header if block.level <= 1 else st.subheader)(plain(block.text))
        elif isinstance(block, d.Paragraph) and block.style != "warning":
            (st.caption if block.style == "small" else st.markdown)(plain(block.text))
        elif isinstance(block, d.Table):
            st.dataframe(block.frame, hide_index=True, width="stretch", height=min(38 + 35 * len(block.frame), 560))

"""What the Präventionskette and Bedarf & Versorgung pages share on screen: the page head with its clear stops,
the level and dimension radios, the matrix coloured by status with its legend, and the download panel of the
coverage tables. The rules and numbers are in ``planning.chain`` and ``planning.gaps``; the files in
``reports.coverage_tables``.
"""
from __future__ import annotations

import html
from collections.abc import Callable

import numpy as np
import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from dashboard.markdown import plain
from dashboard import context
from planning import queries
from planning.chain import (
    EMPTY,
    KREIS_COLUMN,
    NO_TARGET,
    NOT_CAPTURED,
    OK,
    STATUS_COLOURS,
    STATUS_LABELS,
    STATUS_MARKS,
    UNKNOWN,
    WEAK,
    ChainMatrix,
)
from planning.context import Context
from planning.coverage_dimensions import DIMENSIONS, has_offers, level_label, levels
from reports.coverage_tables import TableExport, csv_bytes, xlsx_bytes
from reports.render import MIME, export_name

KREIS_BACKGROUND = "#e8eef3"


def page_start(title: str, intro: str) -> tuple[Context, list[str]]:
    """The head of the coverage pages: shared sidebar, title and intro; a clear stop when the Kreis has no offers.
    Returns the context and the levels to offer."""
    ctx = context.page_context()
    st.title(f"{title} {plain(ctx.kreis_name)}")
    st.caption(intro)
    if not has_offers(ctx):
        st.info(
            "Diese Datenbank stammt aus einer älteren Version ohne Angebotstabellen. Abhilfe: neu bauen mit "
            "`python -m etl build --config config/<kreis>.toml --out data/db/<kreis>.duckdb`.",
            icon=":material/info:",
        )
        st.stop()
    found = levels(ctx)
    if not found or queries.offers(ctx.db, ctx.kreis_id).empty:
        st.info(
            "Für diesen Kreis sind keine Angebote geladen. Angebotslisten werden in der Kreiskonfiguration unter "
            "`[[offers]]` eingetragen (siehe docs/OFFERS.md).",
            icon=":material/info:",
        )
        st.stop()
    return ctx, found


def level_and_dimension(levels_found: list[str], level_key: str, dimension_key: str, dimension_label: str) -> tuple[str, str, object]:
    """The two radios every coverage page starts with – area level (the coarsest by default) and dimension – and
    the free third column of their row."""
    row = st.columns([4.2, 3.4, 2.4], vertical_alignment="bottom")
    if st.session_state.get(level_key) not in levels_found:
        st.session_state[level_key] = levels_found[0]
    level = row[0].radio("Gebietsebene", levels_found, format_func=level_label, horizontal=True, key=level_key)
    dimension = row[1].radio(dimension_label, list(DIMENSIONS), format_func=DIMENSIONS.get, horizontal=True, key=dimension_key)
    return level, dimension, row[2]


def legend_html(not_captured: bool = False) -> str:
    """Colour chips for the statuses (the table itself cannot carry a legend); "nicht erfasst" where the matrix has
    such cells."""
    chips = [
        (STATUS_COLOURS[EMPTY], f"✕ {STATUS_LABELS[EMPTY]}"),
        (STATUS_COLOURS[WEAK], f"▼ {STATUS_LABELS[WEAK]}"),
        (STATUS_COLOURS[OK], STATUS_LABELS[OK]),
        *([(STATUS_COLOURS[NOT_CAPTURED], f"{STATUS_MARKS[NOT_CAPTURED]} {STATUS_LABELS[NOT_CAPTURED]} – keine Angebotsliste")] if not_captured else []),
        (STATUS_COLOURS[NO_TARGET], f"{STATUS_LABELS[NO_TARGET]} / {STATUS_LABELS[UNKNOWN]}"),
        (KREIS_BACKGROUND, "Kreis als Referenz"),
    ]
    spans = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:1.1rem'>"
        f"<span style='display:inline-block;width:1.1rem;height:0.9rem;background:{colour};border:1px solid #b5b5b5;"
        f"margin-right:0.35rem'></span>{html.escape(label)}</span>"
        for colour, label in chips
    )
    return f"<div style='font-size:0.85rem;line-height:1.8'>{spans}</div>"


CHANGED_STYLE = "color: #5e3c99; font-weight: bold"  # a scenario's changed cells ('vorher → nachher'), beside the arrow


def styled(chain: ChainMatrix, changed: pd.DataFrame | None = None) -> Styler:
    """The table with the status colours; the Kreis column (or row) bold on a tinted background; with a scenario,
    the cells whose status it changes (``changed``: True there) in bold violet on the colour after the change."""

    def colours(_: pd.DataFrame) -> pd.DataFrame:
        css = chain.statuses.map(lambda s: f"background-color: {STATUS_COLOURS[s]}" if s else "")
        # the Kreis cells: tinted unless the whole Kreis lacks the offer (then red like any empty cell) or no list
        # captures the category (grey like the row), and bold
        kreis = np.zeros(css.shape, dtype=bool)
        if chain.areas_as_rows:
            kreis[(chain.table["Gebiet"] == KREIS_COLUMN).to_numpy(), :] = True
        else:
            kreis[:, list(css.columns).index(KREIS_COLUMN)] = True
        values = np.isin(np.arange(css.shape[1]), [list(css.columns).index(c) for c in chain.column_keys])
        tinted = kreis & values[None, :] & ~chain.statuses.isin([EMPTY, NOT_CAPTURED]).to_numpy()
        css = css.mask(tinted, f"background-color: {KREIS_BACKGROUND}")
        css = css.mask(kreis, css + "; font-weight: bold")
        return css if changed is None else css.mask(changed.to_numpy(), css + "; " + CHANGED_STYLE)

    return chain.table.style.apply(colours, axis=None)


# Glyph widths (px) of Streamlit's Source Sans at 14 px, semi-bold as in the grid's header and the Kreis column,
# measured in Chromium: enough to size a column to its full name without a browser
_NARROW, _WIDE = set("ijlrtf.,:;'|!()/- ¹²³⁴⁵⁶⁷⁸⁹"), set("mwMW–○")
HEADER_PADDING, CELL_PADDING = 26, 16  # the grid's cell padding (8 px a side) and a little air
MIN_VALUE_WIDTH, MIN_LABEL_WIDTH, MAX_WIDTH = 90, 120, 330


def text_width(text: str) -> int:
    """Estimated pixel width of ``text`` in the grid (semi-bold; regular text is a little narrower)."""
    return round(sum(4.0 if c in _NARROW else 11.0 if c in _WIDE else 8.6 if c.isupper() else 7.2 for c in str(text)))


def column_widths(chain: ChainMatrix) -> dict[str, int]:
    """Pixel widths that show every column's full name and every cell's text (the grid cannot wrap a header): a
    Sozialraum like 'Ruwer/Schweich/Trier-Land' gets the room it needs, short names stay narrow, and four or five
    Sozialräume fit beside the labels on a 1400 px screen. Very long names are capped (the page shows the full name as
    the column's help); many columns scroll sideways."""
    widths = {}
    for column in chain.table.columns:
        cells = max((text_width(t) for t in chain.table[column].astype(str)), default=0)
        least = MIN_VALUE_WIDTH if column in chain.column_keys else MIN_LABEL_WIDTH
        widths[column] = min(max(least, text_width(column) + HEADER_PADDING, cells + CELL_PADDING), MAX_WIDTH)
    return widths


GRID_WIDTH_1400 = 940  # the matrix's width on a 1400 px screen beside the open sidebar


def column_config(chain: ChainMatrix) -> dict[str, object]:
    """Streamlit's column settings of the matrix: ``column_widths`` and the full name as help. Where the columns are
    wider than the grid on a 1400 px screen, the label columns and the Kreis column are pinned, so that they stay in
    view while the areas scroll sideways (pinned text is drawn paler, so only then)."""
    widths = column_widths(chain)
    scrolls = sum(widths.values()) > GRID_WIDTH_1400
    return {
        column: st.column_config.TextColumn(
            column, width=width, help=column if column in chain.column_keys else None,
            pinned=scrolls and (column not in chain.column_keys or column == KREIS_COLUMN),
        )
        for column, width in widths.items()
    }  # fmt: skip


@st.fragment
def download_panel(key: str, make: Callable[[], TableExport], name: tuple[object, ...]) -> None:
    """'Herunterladen': .xlsx and CSV buttons; the table is built only when one is pressed (deferred data, and
    on_click='ignore' so the click does not rerun the page while the bytes are made)."""
    writers = (("xlsx", "Excel (.xlsx)", xlsx_bytes), ("csv", "CSV (Semikolon, Dezimalkomma)", csv_bytes))
    with st.popover("Herunterladen", icon=":material/download:"):
        for ext, label, write in writers:
            st.download_button(
                label, lambda write=write: write(make()), file_name=export_name(*name, ext=ext), mime=MIME[ext],
                key=f"{key}_{ext}", on_click="ignore", icon=":material/download:", width="stretch",
            )  # fmt: skip
        st.caption("Mit Kopfblock: Inhalt, Regel, Quellen mit Lizenz und Datenstand.")

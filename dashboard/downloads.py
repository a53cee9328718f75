"""Download panels: print-quality charts and maps (PNG/SVG/PDF), tables (.xlsx/German CSV), prepared reports.

The bytes are made by ``reports`` only when a download button is pressed (Streamlit's deferred download data),
so a page pays nothing for offering exports; file names say what is inside (``reports.render.export_name``,
``reports.tables.table_name``).

Usage in a page::

    from dashboard import downloads

    db = queries.connection(ctx.db)   # reports take an open connection (a cursor per call) or a path
    downloads.download_panel(
        "explorer_map",                                    # a key unique on the page
        figure=downloads.FigureExport(
            lambda: reports.figures.map_figure(db, ctx.kreis_id, level, indicator_id, year),
            name=(indicator_id, level, year, ctx.kreis_name, "karte"),
        ),
        table=downloads.value_table(ctx.db, area_ids, indicator_id, years=[year]),  # chosen areas + Kreis, Land, Bund
    )

    # a document that takes seconds (Steckbrief, Kreistag report): built on a button press, then offered
    downloads.prepared_files(
        "steckbrief", signature=(ctx.db, area_id), build=lambda: [reports.profile.steckbrief_pdf(db, area_id)],
        button="Steckbrief als PDF erstellen",
    )
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
import streamlit as st

from dashboard.markdown import plain
from planning import queries
from reports import render, tables
from reports.render import MIME, ExportFile

WIDTHS_CM = (8.0, 12.0, 16.0, 18.0, 25.0)
DPIS = (150, 300, 600)
FORMAT_LABELS = {"png": "PNG", "svg": "SVG", "pdf": "PDF", "xlsx": "Excel (.xlsx)", "csv": "CSV", "docx": "Word (.docx)"}


@dataclass(frozen=True)
class FigureExport:
    """A print figure, built on demand (``reports.figures``), and the parts of its file name."""

    make: Callable[[], go.Figure]
    name: tuple[object, ...]

    def file_name(self, ext: str, *extra: object) -> str:
        return render.export_name(*self.name, *extra, ext=ext)


@st.cache_data(max_entries=128, show_spinner=False)
def value_table(
    db: queries.Database, area_ids: tuple[str, ...] | list[str], indicator_id: str, *, years: tuple[int, ...] | list[int] | None = None,
) -> tables.ValueTable:  # fmt: skip
    """The chosen areas with their Kreis, Land and Bund (``reports.tables.value_table``; Land and Bund where the
    build has them), each value with status, Zähler, Nenner and 95-% interval; cached per selection."""
    return tables.value_table(queries.connection(db), list(area_ids), indicator_id, years=list(years) if years else None)


@st.cache_data(max_entries=128, show_spinner=False)
def area_table(db: queries.Database, area_id: str, year: int) -> tables.AreaTable:
    """Every indicator of one area in a year with Kreis, Land and Bund (``reports.tables.area_table``), each with
    status, Zähler, Nenner and 95-% interval; cached."""
    return tables.area_table(queries.connection(db), area_id, year)


def _button(label: str, file_name: str, data: Callable[[], bytes] | bytes, ext: str, key: str) -> None:
    # on_click="ignore": no rerun on a click, so a deferred download cannot race with a rerun of the page
    st.download_button(
        label, data, file_name=file_name, mime=MIME[ext], key=key, on_click="ignore", icon=":material/download:",
        width="stretch", help=file_name,
    )  # fmt: skip


def figure_buttons(figure: FigureExport, key: str) -> None:
    """Width and resolution of the PNG, then PNG, SVG and PDF buttons (inside a panel or popover)."""
    cols = st.columns(2)
    width_cm = cols[0].selectbox("Breite", WIDTHS_CM, index=WIDTHS_CM.index(16.0), key=f"{key}_width",
                                 format_func=lambda w: f"{w:g} cm".replace(".", ","))  # fmt: skip
    dpi = cols[1].selectbox("Auflösung", DPIS, index=DPIS.index(300), key=f"{key}_dpi", format_func=lambda d: f"{d} dpi")
    make = figure.make
    _button("PNG (Bild)", figure.file_name("png"), lambda: render.png_bytes(make(), width_cm=width_cm, dpi=dpi), "png", f"{key}_png")
    _button("SVG (Vektor)", figure.file_name("svg"), lambda: render.svg_bytes(make()), "svg", f"{key}_svg")
    _button("PDF (Vektor)", figure.file_name("pdf"), lambda: render.pdf_bytes(make()), "pdf", f"{key}_pdf")
    st.caption("Mit Titel, Gebiet, Zeitraum, Quellen, Lizenz und Datenstand; das Bild wird beim Klick erzeugt.")


def table_buttons(table: tables.Table, key: str) -> None:
    """.xlsx and German CSV of a table (header block with indicator or area, definition, source, period)."""
    _button("Excel (.xlsx)", tables.table_name(table, "xlsx"), lambda: tables.xlsx_bytes(table), "xlsx", f"{key}_xlsx")
    _button("CSV (Semikolon, Dezimalkomma)", tables.table_name(table, "csv"), lambda: tables.csv_bytes(table), "csv", f"{key}_csv")
    st.caption(plain(f"{table.summary}."))


@st.fragment
def download_panel(
    key: str, *, figure: FigureExport | None = None, table: tables.Table | None = None, label: str = "Herunterladen",
) -> None:  # fmt: skip
    """A popover offering the figure as PNG/SVG/PDF and/or the table as .xlsx/CSV.

    A fragment: choosing width or resolution reruns only the panel, not the page.
    """
    with st.popover(label, icon=":material/download:"):
        if figure is not None:
            st.markdown("**Grafik**")
            figure_buttons(figure, key)
        if table is not None:
            st.markdown("**Tabelle**")
            table_buttons(table, key)


def file_buttons(files: Sequence[ExportFile], key: str) -> None:
    """Download buttons for finished files (bytes already made)."""
    for i, export in enumerate(files):
        ext = export.name.rsplit(".", 1)[-1]
        _button(f"{FORMAT_LABELS.get(ext, ext.upper())} herunterladen", export.name, export.data, ext, f"{key}_file{i}")


def prepared_files(
    key: str, *, signature: Hashable, build: Callable[..., Sequence[ExportFile]], button: str, working: str = "Wird erstellt …",
    progress: bool = False, disabled: bool = False,
) -> list[ExportFile] | None:  # fmt: skip
    """A button that builds documents (seconds), then their download buttons while the selection is unchanged.

    ``signature`` identifies the selection the files belong to; when it changes, the old files are dropped.
    ``progress``: ``build`` is called with a callback ``(share 0–1, text)`` that moves a progress bar.
    Returns the files once built.
    """
    state_key = f"_prepared_{key}"
    stored = st.session_state.get(state_key)
    if stored is not None and stored[0] != signature:
        del st.session_state[state_key]
        stored = None
    if st.button(button, key=f"{key}_build", type="primary", icon=":material/description:", disabled=disabled):
        if progress:
            bar = st.progress(0.0, text=working)
            stored = (signature, list(build(lambda share, text: bar.progress(min(max(share, 0.0), 1.0), text=text))))
            bar.empty()
        else:
            with st.spinner(working):
                stored = (signature, list(build()))
        st.session_state[state_key] = stored
    if stored is None:
        return None
    file_buttons(stored[1], key)
    return stored[1]

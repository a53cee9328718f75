"""The look every exported figure shares: fonts, colours, German separators, title block and source footer.

Sizes are CSS pixels at 96 per inch, so a figure 680 px wide prints 18 cm wide with its fonts at their nominal
size (11 px = 8.25 pt); ``reports.render`` scales the pixels, never the layout, for a PNG of a given dpi.
"""
from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go

# Liberation Sans ships with Debian's chromium (fonts-liberation) and has Arial's metrics; the PDF text uses it too.
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
PX_PER_CM = 96 / 2.54
WIDTH_PX = 680  # 18 cm: the text width of an A4 page with 1.5 cm margins
TEXT = "#222222"
MUTED = "#555555"
BASE = "#2c7fb8"
HIGHLIGHT = "#d7301f"
KREIS = "#252525"
LAND = "#7a7a7a"
MISSING = "#d9d9d9"
SERIES = ("#d7301f", "#2c7fb8", "#31a354", "#756bb1", "#e6550d", "#3182bd", "#636363", "#de2d26")

TITLE_PX, SUBTITLE_PX, BODY_PX, FOOTER_PX = 15, 11, 10, 9
_FOOTER_LINE_PX = FOOTER_PX * 1.3
_CHAR_EM = 0.54  # average advance of Liberation Sans in em, a little generous so wrapped lines never clip
PAD = 8


def new_figure() -> go.Figure:
    """An empty figure without plotly's default template: the print look is set here, and copying the
    template costs ~40 ms per figure (a report builds dozens)."""
    return go.Figure(layout=dict(template="none"))


def px(cm: float) -> int:
    """CSS pixels for a length in cm (96 px per inch)."""
    return round(cm * PX_PER_CM)


@dataclass(frozen=True)
class Caption:
    """What a figure says about itself: indicator, area and period, and where the data come from."""

    title: str
    subtitle: str
    footer: str


def esc(text: str) -> str:
    # plotly reads a subset of HTML in text: names like 'A<B' or '&' must not be taken as markup
    return html.escape(str(text), quote=False)


def wrap(text: str, width_px: float, font_px: float) -> list[str]:
    """Lines of ``text`` that fit ``width_px`` (plotly does not wrap text by itself)."""
    chars = max(20, int(width_px / (font_px * _CHAR_EM)))
    return [line for paragraph in text.splitlines() for line in (textwrap.wrap(paragraph, chars) or [""])]


TOP_PX = 62  # title and subtitle
LEGEND_TOP_PX = 24  # a horizontal legend between subtitle and plot, one row
LEGEND_ROW_PX = 17
_LEGEND_SYMBOL_PX = 40  # line or box sample plus the gap to the next entry
_LEGEND_CHAR_EM = 0.5  # Liberation Sans, mixed text (measured on rendered legends)


def legend_rows(fig: go.Figure, room: float) -> int:
    """Rows a horizontal legend needs. Plotly puts the entries in one row if they fit, else in a grid of columns
    as wide as the widest entry, within the plot's width (``room``); it does not make room for the extra rows, so
    the layout must."""
    names = dict.fromkeys(t.name for t in fig.data if t.showlegend is not False and t.name)
    items = [len(html.unescape(n)) * BODY_PX * _LEGEND_CHAR_EM + _LEGEND_SYMBOL_PX for n in names]
    if not items or sum(items) <= room:
        return 1
    columns = max(1, int(room // max(items)))
    return -(-len(items) // columns)


def apply_layout(
    fig: go.Figure, caption: Caption, *, width: int, plot_height: int, left: int, right: int = 20,
    bottom_axis: int = 34, top_legend: bool = False,
) -> go.Figure:  # fmt: skip
    """Title block, German separators, fixed margins and the source footer; the figure height follows from
    ``plot_height`` plus the title, the axis below the plot and the wrapped footer.

    Margins are fixed (no automargin) so that the footer can be placed at the figure's left edge.
    """
    lines = wrap(caption.footer, width - 2 * PAD, FOOTER_PX)
    foot = round(len(lines) * _FOOTER_LINE_PX + PAD)
    top = TOP_PX + (LEGEND_TOP_PX + (legend_rows(fig, width - left - right) - 1) * LEGEND_ROW_PX if top_legend else 0)
    fig.update_layout(
        width=width,
        height=top + plot_height + bottom_axis + foot,
        separators=",.",
        font=dict(family=FONT, size=BODY_PX, color=TEXT),
        paper_bgcolor="white",
        plot_bgcolor="white",
        margin=dict(l=left, r=right, t=top, b=bottom_axis + foot, pad=0, autoexpand=False),
        title=dict(
            text=f"<b>{esc(caption.title)}</b>",
            font=dict(size=TITLE_PX, color=TEXT),
            subtitle=dict(text=esc(caption.subtitle), font=dict(size=SUBTITLE_PX, color=MUTED)),
            x=0, xref="container", xanchor="left", y=1, yref="container", yanchor="top", pad=dict(l=PAD, t=PAD),
        ),  # fmt: skip
    )
    # axis titles close to their tick labels: the fixed bottom margin leaves room for exactly that
    fig.update_xaxes(title_standoff=4, title_font_size=BODY_PX, tickfont_size=BODY_PX)
    fig.update_yaxes(title_standoff=6, title_font_size=BODY_PX, tickfont_size=BODY_PX)
    fig.add_annotation(
        text="<br>".join(esc(line) for line in lines),
        xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", align="left",
        xshift=PAD - left, yshift=-bottom_axis - 2, showarrow=False,
        font=dict(size=FOOTER_PX, color=MUTED),
    )  # fmt: skip
    if top_legend:
        fig.update_layout(legend=dict(orientation="h", x=0, y=1, xanchor="left", yanchor="bottom",
                                      yref="paper", font=dict(size=BODY_PX), itemwidth=30))  # fmt: skip
    return fig

"""A report as a list of neutral blocks, so the PDF (``reports.pdf``) and the Word file (``reports.word``)
are built from one description and cannot drift apart."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 0 = document title (title page), 1 = section, 2 = subsection


@dataclass(frozen=True)
class Paragraph:
    text: str
    style: str = "body"  # body | lead (larger) | small (sources) | warning (Demodaten)


@dataclass(frozen=True)
class Figure:
    """A plotly figure at its layout size (680 px wide = 18 cm, the text width)."""

    fig: go.Figure


@dataclass(frozen=True)
class FigureRow:
    """Figures side by side; their widths must add up to at most the text width."""

    figures: tuple[go.Figure, ...]


@dataclass(frozen=True)
class Table:
    """Display strings (German numbers already formatted); ``widths`` in cm, ``right`` = right-aligned columns."""

    frame: pd.DataFrame
    widths: tuple[float, ...] | None = None
    right: tuple[int, ...] = ()


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Paragraph | Figure | FigureRow | Table | PageBreak


@dataclass
class Document:
    title: str
    running_footer: str  # printed on every page with the page number
    demo: bool = False
    file_stem: str = "bericht"  # the export's file name without extension (see render.file_stem)
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self

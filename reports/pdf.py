"""A ``Document`` as an A4 PDF.

Why reportlab + pypdf: reportlab (maintained since 2000, BSD) flows text and long tables over pages with
embedded TrueType fonts; it cannot place an existing PDF page, so each chart keeps an empty slot of its exact
size and pypdf then lays the chart's own vector PDF (from kaleido) onto that spot. Charts stay vector: sharp at
any zoom, small, and their source lines remain searchable text. (matplotlib's PdfPages would mean redrawing
every chart a second way; plotly-only pages cannot flow tables.)
"""
from __future__ import annotations

import functools
import io
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject, DecodedStreamObject, DictionaryObject, FloatObject, IndirectObject, NameObject,
)  # fmt: skip
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepInFrame, KeepTogether, PageTemplate, Spacer
from reportlab.platypus.flowables import _listWrapOn
from reportlab.platypus.doctemplate import FrameActionFlowable, NotAtTopPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle
from xml.sax.saxutils import escape

from reports import document as d
from reports import render

MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 1.5 * cm, 1.4 * cm, 1.8 * cm
TEXT_WIDTH = A4[0] - 2 * MARGIN_X  # 18 cm = a 680 px figure at 0.75 pt per px
FRAME_HEIGHT = A4[1] - MARGIN_TOP - MARGIN_BOTTOM
PT_PER_PX = 0.75
_FONT_DIRS = ("/usr/share/fonts/truetype/liberation", "/usr/share/fonts/truetype/liberation2",
              "/usr/share/fonts/truetype/dejavu")  # fmt: skip
_FONT_FILES = {"Liberation": ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
               "DejaVu": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf")}  # fmt: skip


@functools.lru_cache(maxsize=1)
def _fonts() -> tuple[str, str]:
    """Regular and bold font names: Liberation Sans (the charts' font), DejaVu Sans, or Helvetica.

    A TrueType font is embedded, so '→', '–', '„' and '²' print everywhere; Helvetica (last resort) lacks '→'.
    """
    for family, (regular, bold) in _FONT_FILES.items():
        for folder in _FONT_DIRS:
            paths = [Path(folder) / regular, Path(folder) / bold]
            if all(p.is_file() for p in paths):
                if f"{family}-Regular" not in pdfmetrics.getRegisteredFontNames():
                    pdfmetrics.registerFont(TTFont(f"{family}-Regular", str(paths[0])))
                    pdfmetrics.registerFont(TTFont(f"{family}-Bold", str(paths[1])))
                return f"{family}-Regular", f"{family}-Bold"
    return "Helvetica", "Helvetica-Bold"


# Marks of the screen that Liberation Sans lacks, printed as the nearest sign it has (a missing glyph prints as an
# empty box). '▼' and '○' are in the font and stay.
SUBSTITUTES = {"✕": "×", "✖": "×", "✗": "×", "✓": "√", "✔": "√", "△": "▲", "▽": "▼", "⚠": "!", "\u00a0": " "}


@functools.lru_cache(maxsize=8)
def covered(font_name: str) -> frozenset[int] | None:
    """The code points the registered TrueType font has glyphs for; None for a built-in font (Helvetica)."""
    face = getattr(pdfmetrics.getFont(font_name), "face", None)
    glyphs = getattr(face, "charToGlyph", None)
    return frozenset(glyphs) if glyphs else None


@functools.lru_cache(maxsize=8)
def _both(regular: str, bold: str) -> frozenset[int] | None:
    have = covered(regular)
    return None if have is None else have & (covered(bold) or have)


def printable(text: str, fonts: tuple[str, str] | None = None) -> str:
    """The text with every character the PDF fonts (regular and bold) lack replaced by ``SUBSTITUTES`` or by its
    compatibility decomposition ('²' stays, 'ﬁ' → 'fi'), so that no mark prints as an empty box."""
    have = _both(*(fonts or _fonts()))
    if have is None:
        return text
    if all(ord(c) in have or c in "\n\t" for c in text):
        return text
    out = []
    for c in text:
        if ord(c) in have or c in "\n\t":
            out.append(c)
        elif c in SUBSTITUTES:
            out.append(SUBSTITUTES[c])
        else:
            plain = unicodedata.normalize("NFKD", c)
            out.append(plain if plain != c and all(ord(p) in have for p in plain) else c)
    return "".join(out)


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    base = ParagraphStyle("body", fontName=regular, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "lead": ParagraphStyle("lead", base, fontSize=13, leading=17, spaceAfter=8),
        "small": ParagraphStyle("small", base, fontSize=7.5, leading=9.5, spaceBefore=2, spaceAfter=1.5,
                                textColor=colors.HexColor("#444444")),  # fmt: skip
        "warning": ParagraphStyle("warning", base, fontName=bold, fontSize=11, leading=15, textColor=colors.HexColor("#b00020"),
                                  borderColor=colors.HexColor("#b00020"), borderWidth=1, borderPadding=6,
                                  spaceBefore=8, spaceAfter=12),  # fmt: skip
        "h0": ParagraphStyle("h0", base, fontName=bold, fontSize=24, leading=29, spaceBefore=60, spaceAfter=16),
        "h1": ParagraphStyle("h1", base, fontName=bold, fontSize=15, leading=19, spaceBefore=4, spaceAfter=6),
        "h2": ParagraphStyle("h2", base, fontName=bold, fontSize=11.5, leading=15, spaceBefore=8, spaceAfter=4),
        "cell": ParagraphStyle("cell", base, fontSize=8, leading=10, spaceAfter=0),
        "cell_right": ParagraphStyle("cell_right", base, fontSize=8, leading=10, spaceAfter=0, alignment=TA_RIGHT),
        "cell_head": ParagraphStyle("cell_head", base, fontName=bold, fontSize=8, leading=10, spaceAfter=0),
        "cell_head_right": ParagraphStyle("cell_head_right", base, fontName=bold, fontSize=8, leading=10, spaceAfter=0,
                                          alignment=TA_RIGHT),  # fmt: skip
    }


@dataclass
class _Placed:
    page: int
    x: float
    y: float
    scale: float  # of the chart's own PDF page: the slot's scale times any shrinking of the page around it
    height: float  # of the slot on the page


class ChartSlot(Flowable):
    """Reserves the space of a chart and remembers where it landed; the chart is laid in after the build."""

    def __init__(self, fig, max_width: float = TEXT_WIDTH, max_height: float = FRAME_HEIGHT) -> None:
        super().__init__()
        self.fig = fig
        w, h = fig.layout.width * PT_PER_PX, fig.layout.height * PT_PER_PX
        # shrink only what can never fit (a ranking of a hundred Gemeinden), not what just ends the page
        self.scale = min(1.0, max_width / w, max_height / h)
        self.width, self.height = w * self.scale, h * self.scale
        self.placed: _Placed | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        x, y = self.canv.absolutePosition(0, 0)
        right, _ = self.canv.absolutePosition(self.width, 0)
        shrink = (right - x) / self.width  # < 1 inside a page drawn smaller (see _fitted)
        self.placed = _Placed(self.canv.getPageNumber() - 1, x, y, self.scale * shrink, self.height * shrink)


CELL_PADDING = 12  # reportlab's table cells: 6 pt left and right


def _word_width(text: object, style: ParagraphStyle) -> float:
    words = printable(str(text)).split()
    return max((pdfmetrics.stringWidth(w, style.fontName, style.fontSize) for w in words), default=0.0)


def column_widths(block: d.Table, styles: dict[str, ParagraphStyle]) -> list[float]:
    """The table's column widths in pt: as the block asks, but each at least as wide as its longest word (header in
    bold), so that no word is broken inside ('Verbandsge|meinde'); what a column needs more is taken from the columns
    with room to spare, in proportion to their spare room. Where the words cannot fit at all, as asked."""
    asked = [w * cm for w in block.widths]
    need = []
    for i, column in enumerate(block.frame.columns):
        longest = max([_word_width(column, styles["cell_head"]),
                       *(_word_width(v, styles["cell"]) for v in block.frame.iloc[:, i])])  # fmt: skip
        need.append(longest + CELL_PADDING + 0.5)
    short = sum(max(0.0, n - a) for n, a in zip(need, asked))
    spare = [max(0.0, a - n) for n, a in zip(need, asked)]
    if short == 0 or short > sum(spare):
        return asked
    return [max(n, a) if n >= a else a - short * room / sum(spare) for n, a, room in zip(need, asked, spare)]


def _table(block: d.Table, styles: dict[str, ParagraphStyle]) -> RLTable:
    def cell(text: object, col: int, head: bool = False) -> RLParagraph:
        style = ("cell_head" if head else "cell") + ("_right" if col in block.right else "")
        return RLParagraph(escape(printable(str(text))), styles[style])

    frame = block.frame
    rows = [[cell(c, i, head=True) for i, c in enumerate(frame.columns)]]
    rows += [[cell(v, i) for i, v in enumerate(record)] for record in frame.itertuples(index=False)]
    widths = column_widths(block, styles) if block.widths else None
    table = RLTable(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde6ee")),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor("#7a8a99")),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor("#b0b8c0")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))  # fmt: skip
    return table


class Gap(FrameActionFlowable):
    """Air between blocks, only where the page has room for it and never at a page's top: a plain Spacer at the
    foot of a full page would move to the next page, and the page break after it would leave that page empty."""

    def __init__(self, height: float) -> None:
        Flowable.__init__(self)
        self.air = height

    def frameAction(self, frame: Frame) -> None:
        if not frame._atTop:  # noqa: SLF001 (reportlab keeps a frame's state in these attributes)
            frame._y -= max(0.0, min(self.air, frame._y - frame._y1p))  # noqa: SLF001


def _paragraph(block: d.Paragraph, styles: dict[str, ParagraphStyle]) -> RLParagraph:
    return RLParagraph(escape(printable(block.text)).replace("\n", "<br/>"), styles[block.style])


def _flowable(block: d.Block, styles: dict[str, ParagraphStyle], slots: list[ChartSlot]) -> Flowable:
    if isinstance(block, d.Paragraph):
        return _paragraph(block, styles)
    if isinstance(block, d.Figure):
        slot = ChartSlot(block.fig)
        slots.append(slot)
        return slot
    if isinstance(block, d.FigureRow):
        row = [ChartSlot(f, max_width=TEXT_WIDTH / len(block.figures)) for f in block.figures]
        slots.extend(row)
        return RLTable([row], colWidths=[s.width for s in row], hAlign="LEFT",
                       style=[("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                              ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)])  # fmt: skip
    if isinstance(block, d.Table):
        return _table(block, styles)
    raise TypeError(f"unknown block {block!r}")


MIN_SHRINK = 0.82  # a page of content up to ~20 % too tall is drawn smaller rather than spilling a few lines over


def _flowables(blocks: list[d.Block], styles: dict[str, ParagraphStyle], slots: list[ChartSlot]) -> list[Flowable]:
    """The blocks between two page breaks form a page. Rules: a page that is a little too tall (down to
    MIN_SHRINK) is drawn smaller so it stays one page; otherwise the blocks flow, a heading travelling with the
    block after it and a table with its source line (a 'small' paragraph right after it). A page break on a page
    with nothing on it yet is skipped, so no page stays empty."""
    story: list[Flowable] = []
    page: list[d.Block] = []
    for block in blocks:
        if isinstance(block, d.PageBreak):
            story += [*_page(page, styles, slots), NotAtTopPageBreak()]
            page = []
        else:
            page.append(block)
    return story + _page(page, styles, slots)


def _groups(blocks: list[d.Block], styles: dict[str, ParagraphStyle], slots: list[ChartSlot]) -> list[list[Flowable]]:
    """Flowables in groups that stay together: a heading with the next block, a table with its source line."""
    groups: list[list[Flowable]] = []
    pending: list[Flowable] = []
    i = 0
    while i < len(blocks):
        block = blocks[i]
        i += 1
        if isinstance(block, d.Heading):
            pending.append(RLParagraph(escape(printable(block.text)), styles[f"h{min(block.level, 2)}"]))
            continue
        group = [*pending, _flowable(block, styles, slots)]
        if isinstance(block, d.Table) and i < len(blocks) and isinstance(blocks[i], d.Paragraph) and blocks[i].style == "small":
            group.append(_paragraph(blocks[i], styles))
            i += 1
        groups.append(group)
        pending = []
    return groups + ([pending] if pending else [])


def _page(blocks: list[d.Block], styles: dict[str, ParagraphStyle], slots: list[ChartSlot]) -> list[Flowable]:
    if not blocks:
        return []
    groups = _groups(blocks, styles, slots)
    flat = [f for group in groups for f in [*group, Spacer(1, 4)]]
    _, height = _listWrapOn(flat, TEXT_WIDTH, None)
    if FRAME_HEIGHT < height <= FRAME_HEIGHT / MIN_SHRINK:
        return [KeepInFrame(TEXT_WIDTH, FRAME_HEIGHT, flat, mode="shrink")]
    return [f for group in groups for f in [KeepTogether(group) if len(group) > 1 else group[0], Gap(4)]]


def pdf_document(doc: d.Document) -> bytes:
    """The document as PDF bytes; running footer with page numbers, 'Demodaten' on every page if so."""
    styles = _styles()
    slots: list[ChartSlot] = []
    story = _flowables(doc.blocks, styles, slots)
    regular = styles["body"].fontName

    def footer(canvas, template) -> None:
        canvas.saveState()
        canvas.setFont(regular, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(MARGIN_X, 1.0 * cm, printable(doc.running_footer))
        canvas.drawRightString(A4[0] - MARGIN_X, 1.0 * cm, f"Seite {canvas.getPageNumber()}")
        if doc.demo:
            canvas.setFillColor(colors.HexColor("#b00020"))
            canvas.drawCentredString(A4[0] / 2, A4[1] - 0.8 * cm, "DEMODATEN – keine amtlichen Zahlen")
        canvas.restoreState()

    out = io.BytesIO()
    template = BaseDocTemplate(
        out, pagesize=A4, title=doc.title, author="Planungsatlas Familie", creator="Planungsatlas Familie",
        subject=f"{doc.title}, erstellt am {date.today():%d.%m.%Y}",
    )  # fmt: skip
    # no frame padding: the text width is exactly 18 cm, the width of a 680 px figure
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, TEXT_WIDTH, FRAME_HEIGHT, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0)  # fmt: skip
    template.addPageTemplates([PageTemplate("page", [frame], onPage=footer)])
    template.build(story)
    return _lay_in_charts(out.getvalue(), slots)


def _form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """A chart's page as a Form XObject in ``writer``: placed with one 'Do', no parsing of its content.

    (pypdf's merge_transformed_page parses and rewrites every operator of both pages: seconds per report.)
    """
    contents = page["/Contents"].get_object()
    parts = contents if isinstance(contents, ArrayObject) else [contents]
    form = DecodedStreamObject()
    form.set_data(b"\n".join(part.get_object().get_data() for part in parts))
    form.update({
        NameObject("/Type"): NameObject("/XObject"),
        NameObject("/Subtype"): NameObject("/Form"),
        NameObject("/BBox"): ArrayObject([FloatObject(v) for v in page.mediabox]),
        NameObject("/Resources"): page["/Resources"].clone(writer),
    })  # fmt: skip
    return writer._add_object(form.flate_encode())  # noqa: SLF001 (pypdf has no public "add stream object")


def _lay_in_charts(layout: bytes, slots: list[ChartSlot]) -> bytes:
    placed = [s for s in slots if s.placed is not None]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(layout)))
    for n, (slot, chart) in enumerate(zip(placed, render.pdfs([s.fig for s in placed]))):
        page = writer.pages[slot.placed.page]
        name = NameObject(f"/Chart{n}")
        resources = page[NameObject("/Resources")].get_object()
        if "/XObject" not in resources:
            resources[NameObject("/XObject")] = DictionaryObject()
        chart_page = PdfReader(io.BytesIO(chart)).pages[0]
        resources["/XObject"][name] = _form(writer, chart_page)
        # kaleido's page is the figure at 0.75 pt per px, its height rounded: align the chart's top with the slot's
        s = slot.placed.scale
        y = slot.placed.y + slot.placed.height - float(chart_page.mediabox.height) * s
        draw = DecodedStreamObject()
        draw.set_data(f"q {s:.5f} 0 0 {s:.5f} {slot.placed.x:.3f} {y:.3f} cm {name} Do Q".encode())
        contents = page.raw_get("/Contents")  # the reference: a stream inside an array must stay indirect
        page[NameObject("/Contents")] = ArrayObject([*(contents if isinstance(contents, ArrayObject) else [contents]),
                                                     writer._add_object(draw)])  # noqa: SLF001  # fmt: skip
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

"""A ``Document`` as .docx (python-docx), for Kreistag templates that are edited further in Word.

Charts go in as 300-dpi PNGs at their print width (Word cannot place SVG or PDF through python-docx).
Arial instead of Liberation Sans: the same metrics, and every Word installation has it.
"""
from __future__ import annotations

import io

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from reports import document as d
from reports import render
from reports.style import PX_PER_CM

FONT = "Arial"
_RED = RGBColor(0xB0, 0x00, 0x20)
_GREY = RGBColor(0x44, 0x44, 0x44)
DPI = 300


def _pictures(doc: d.Document, text_cm: float) -> dict[int, tuple[bytes, float]]:
    """Every figure of the document as PNG with its width in cm, rendered in one batch; keyed by id(figure)."""
    slots = [(b.fig, text_cm) for b in doc.blocks if isinstance(b, d.Figure)]
    slots += [(f, text_cm / len(b.figures)) for b in doc.blocks if isinstance(b, d.FigureRow) for f in b.figures]
    items = [(fig, min(fig.layout.width / PX_PER_CM, max_cm)) for fig, max_cm in slots]
    return {id(fig): (png, width) for (fig, width), png in zip(items, render.pngs(items, DPI))}


def _picture(run, image: tuple[bytes, float]) -> None:
    png, width_cm = image
    run.add_picture(io.BytesIO(png), width=Cm(width_cm))


def _page_number(paragraph) -> None:
    """A PAGE field: Word fills in the number when it lays the page out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _table(docx, block: d.Table) -> None:
    frame = block.frame
    table = docx.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    rows = [list(frame.columns)] + [list(r) for r in frame.itertuples(index=False)]
    for i, values in enumerate(rows):
        cells = table.rows[0].cells if i == 0 else table.add_row().cells
        for j, value in enumerate(values):
            paragraph = cells[j].paragraphs[0]
            run = paragraph.add_run(str(value))
            run.font.size = Pt(8)
            run.bold = i == 0
            if j in block.right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if block.widths:
                cells[j].width = Cm(block.widths[j])


def docx_document(doc: d.Document) -> bytes:
    docx = new_docx()
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin, section.bottom_margin = Cm(1.4), Cm(1.8)
    text_cm = 18.0
    normal = docx.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(9.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        docx.styles[name].font.name = FONT
    docx.core_properties.title = doc.title
    docx.core_properties.author = "Planungsatlas Familie"

    foot = section.footer.paragraphs[0]
    foot.add_run(doc.running_footer + (" · DEMODATEN – keine amtlichen Zahlen" if doc.demo else "") + " · Seite ").font.size = Pt(7.5)
    _page_number(foot)

    images = _pictures(doc, text_cm)
    # A page break is the property 'page break before' of the next heading or paragraph, not a paragraph of its
    # own: a break paragraph after a full page makes Word start an empty page.
    new_page = False
    for block in doc.blocks:
        if isinstance(block, d.PageBreak):
            new_page = bool(docx.paragraphs) or bool(docx.tables)
            continue
        if new_page and not isinstance(block, (d.Heading, d.Paragraph)):
            docx.add_paragraph().paragraph_format.page_break_before = True
            new_page = False
        if isinstance(block, d.Heading):
            docx.add_heading(block.text, level=block.level).paragraph_format.page_break_before = new_page
        elif isinstance(block, d.Paragraph):
            paragraph = docx.add_paragraph()
            paragraph.paragraph_format.page_break_before = new_page
            run = paragraph.add_run(block.text)
            if block.style == "lead":
                run.font.size = Pt(13)
            elif block.style == "small":
                run.font.size, run.font.color.rgb = Pt(7.5), _GREY
            elif block.style == "warning":
                run.bold, run.font.size, run.font.color.rgb = True, Pt(11), _RED
        elif isinstance(block, d.Figure):
            _picture(docx.add_paragraph().add_run(), images[id(block.fig)])
        elif isinstance(block, d.FigureRow):
            table = docx.add_table(rows=1, cols=len(block.figures))
            for cell, fig in zip(table.rows[0].cells, block.figures):
                _picture(cell.paragraphs[0].add_run(), images[id(fig)])
        elif isinstance(block, d.Table):
            _table(docx, block)
            docx.add_paragraph()
        new_page = False
    out = io.BytesIO()
    docx.save(out)
    return out.getvalue()

"""Lay a ``Sheet`` out as an A4 PDF with ReportLab, its text in an embedded CJK font (extractable).

Every value goes through ``Paragraph`` with the text XML-escaped: a customer's note holding ``<`` or ``&``
prints as typed instead of breaking the layout.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from orders.documents.fonts import cjk_font
from orders.documents.sheet import BLANK, Block, Sheet

WIDTH = A4[0] - 36 * mm  # the text column between 18 mm margins
LINE = colors.HexColor("#888888")
SHADE = colors.HexColor("#EEEEEE")


def _styles(font: str) -> dict[str, ParagraphStyle]:
    """The few text styles a paper uses; ``wordWrap="CJK"`` breaks Chinese lines between any characters."""
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=13, wordWrap="CJK")
    return {"body": base,
            "store": ParagraphStyle("store", base, fontSize=14, leading=18, alignment=TA_CENTER),
            "small": ParagraphStyle("small", base, fontSize=9, leading=12, alignment=TA_CENTER),
            "title": ParagraphStyle("title", base, fontSize=20, leading=28, alignment=TA_CENTER, spaceBefore=4),
            "heading": ParagraphStyle("heading", base, fontSize=12, leading=15, spaceBefore=6, spaceAfter=2)}


def render(sheet: Sheet) -> bytes:
    """The paper as PDF bytes."""
    font = cjk_font()
    style = _styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                            bottomMargin=18 * mm, title=f"{sheet.title} {sheet.order_no}", author=sheet.store.name,
                            creator="dealer orders")
    story = _head(sheet, style)
    for block in sheet.blocks[:-1]:
        story += _block(block, style)
    # The last section and the signatures stay on one page: a signature never stands alone on a page.
    story.append(KeepTogether(_block(sheet.blocks[-1], style) + _signatures(sheet.signatures, style)))

    def footer(canvas: Canvas, _doc: SimpleDocTemplate) -> None:
        canvas.setFont(font, 8)
        page = f"{sheet.title}  订单编号 {sheet.order_no}  第 {canvas.getPageNumber()} 页"
        canvas.drawCentredString(A4[0] / 2, 10 * mm, page)

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _head(sheet: Sheet, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The store's name and address, the paper's title, its order number and when it was printed."""
    contact = "  ".join(part for part in (sheet.store.address, f"电话 {sheet.store.phone}" if sheet.store.phone
                                          else "") if part)
    head: list[Flowable] = [_p(sheet.store.name, style["store"])]
    if contact:
        head.append(_p(contact, style["small"]))
    head += [_p(sheet.title, style["title"]),
             _p(f"订单编号：{sheet.order_no}    打印时间：{sheet.printed_at}", style["small"]), Spacer(1, 4 * mm)]
    return head


def _block(block: Block, style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A heading, then its label/value grid (two pairs a line), its table and its text."""
    parts: list[Flowable] = [_p(block.heading, style["heading"])]
    if block.pairs:
        parts.append(_pairs(block.pairs, style["body"]))
    if block.table:
        parts.append(_table(block.table, style["body"]))
    if block.text:
        parts.append(_p(block.text, style["body"]))
    return parts


def _grid(rows: list[list[Paragraph]], widths: Sequence[float], shaded: list[tuple[int, int, int, int]]) -> Table:
    table = Table(rows, colWidths=list(widths))
    commands = [("GRID", (0, 0), (-1, -1), 0.5, LINE), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    commands += [("BACKGROUND", (a, b), (c, d), SHADE) for a, b, c, d in shaded]
    table.setStyle(TableStyle(commands))
    return table


def _pairs(pairs: tuple[tuple[str, str], ...], body: ParagraphStyle) -> Table:
    """Label, value, label, value: labels shaded, an odd last pair padded with empty cells."""
    cells = [_p(text, body) for pair in pairs for text in pair]
    cells += [_p("", body)] * (len(cells) % 4 and 4 - len(cells) % 4)
    rows = [cells[i:i + 4] for i in range(0, len(cells), 4)]
    label, value = WIDTH * 0.17, WIDTH * 0.33
    return _grid(rows, (label, value, label, value), [(0, 0, 0, -1), (2, 0, 2, -1)])


def _table(rows: tuple[tuple[str, ...], ...], body: ParagraphStyle) -> Table:
    """A plain table, its header row shaded, columns of equal width."""
    width = WIDTH / len(rows[0])
    return _grid([[_p(cell, body) for cell in row] for row in rows], [width] * len(rows[0]), [(0, 0, -1, 0)])


def _signatures(who: tuple[str, ...], style: dict[str, ParagraphStyle]) -> list[Flowable]:
    """A line to sign and a line to date for each signer (签字 / 日期), left blank for pen and ink."""
    rows = [[_p(f"{name}：{BLANK}{BLANK}", style["body"]), _p(f"日期：{BLANK}", style["body"])] for name in who]
    table = Table(rows, colWidths=[WIDTH * 0.6, WIDTH * 0.4])
    table.setStyle(TableStyle([("TOPPADDING", (0, 0), (-1, -1), 8)]))
    return [Spacer(1, 5 * mm), table]

"""Exports a Report as a .docx laid out per GB/T 9704-2012 (党政机关公文格式) as it applies to a
report: A4, the standard 版心, 22 lines × 28 characters, 公文 fonts, outside page numbers, 落款."""
from __future__ import annotations

import io
import math
import re
import unicodedata
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from docx import Document
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from docx.text.paragraph import Paragraph as DocxParagraph

from zongjie.cleanup import strip_headline
from zongjie.export_md import Block, blocks, one_line, signature_lines, title_lines
from zongjie.model import Report

# GB/T 9704-2012 §5.2: A4, 天头 37 mm, 订口 28 mm, 版心 156 × 225 mm (so bottom 35, right 26).
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
TITLE_PT, BODY_PT, PAGE_NUMBER_PT = 22, 16, 14  # 2号, 3号, 4号

# Latin letters and digits: Times New Roman, the usual companion of 仿宋 in government offices
# (半角 digits in 仿宋_GB2312 are thin and uneven). The page number is the exception: the standard
# asks for 半角宋体 digits there.
LATIN_FONT = "Times New Roman"
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
PAGE_NUMBER_FONT = "宋体"
# level → (eastAsia font, bold): 一、黑体, （一）楷体, 1． 仿宋加粗.
HEADING_FACES = {1: ("黑体", False), 2: ("楷体_GB2312", False), 3: (BODY_FONT, True)}

STYLE_IDS = {"title": "ZJTitle", 1: "ZJHeading1", 2: "ZJHeading2", 3: "ZJHeading3", "signature": "ZJSignature"}
STYLE_NAMES = {"title": "公文标题", 1: "一级标题", 2: "二级标题", 3: "三级标题", "signature": "落款"}


def _twips(mm: float) -> int:
    return Mm(mm).twips


TEXT_HEIGHT_TW = _twips(PAGE_MM[1]) - _twips(MARGINS_MM["top"]) - _twips(MARGINS_MM["bottom"])  # 12756
TEXT_WIDTH_TW = _twips(PAGE_MM[0]) - _twips(MARGINS_MM["left"]) - _twips(MARGINS_MM["right"])  # 8845
# Word puts n lines on a page when n × pitch ≤ text height, so the pitch is the largest whole
# twip that still fits 22: floor(12756 / 22) = 579 tw = 28.95 pt (580 would fit only 21).
LINE_PITCH_TW = TEXT_HEIGHT_TW // LINES_PER_PAGE
# w:charSpace is how much a grid cell differs from the Normal font size, in 1/4096 pt. Word fits
# floor(width / pitch) cells, so 28 cells need pitch ≤ 8845 / 28 = 315.89 tw = 15.794 pt, 0.2054 pt
# less than a 16 pt character: -841.3 → -842 (rounding towards zero, -841, would give 27).
CHAR_SPACE = math.floor((TEXT_WIDTH_TW / CHARS_PER_LINE / 20 - BODY_PT) * 4096)
CHAR_PITCH_TW = round((BODY_PT + CHAR_SPACE / 4096) * 20)  # one 字 on the grid: 316 tw
# LibreOffice (7.4) cannot squeeze a 16 pt character into a 15.79 pt grid cell: it gives every
# character two cells (14 per line, twice the pages). The portable layout therefore uses a
# line-only grid and condenses the Normal style by whole twips instead: 28 × (320 − 5) tw fits
# 8845 tw, 28 × (320 − 4) does not. Word, WPS and LibreOffice then all set 28 per line.
CONDENSE_TW = math.floor(TEXT_WIDTH_TW / CHARS_PER_LINE - BODY_PT * 20)  # -5 tw = -0.25 pt
# GB/T 9704 §7.5: the page number's 一字线 sits 7 mm below the 版心. The footer distance is
# measured from the paper edge to the bottom of the footer line, and the dash rides about 3 mm
# above that (measured on the LibreOffice rendering), so 35 − 7 − 3 = 25 mm.
FOOTER_DISTANCE_MM = MARGINS_MM["bottom"] - 7 - 3
SIGNATURE_RIGHT_CHARS = 4  # 落款: the longer line 右空四字, the shorter centred on it
SIGNATURE_GAP_LINES = 2  # room for the seal between the text and the 落款
END_PUNCTUATION = "。！？!?；;：:…"


def _fonts(east_asia: str, latin: str = LATIN_FONT) -> str:
    # hint="eastAsia" makes Word render the ambiguous “”‘’—… with the Chinese font (full width).
    return (f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asia}" '
            f'w:cs="{latin}" w:hint="eastAsia"/>')


def _size(pt: float) -> str:
    return f'<w:sz w:val="{round(pt * 2)}"/><w:szCs w:val="{round(pt * 2)}"/>'


def _no_indent() -> str:
    # Explicit zeros: these styles are based on Normal, which indents the first line.
    return '<w:ind w:firstLineChars="0" w:firstLine="0"/>'


_NO_CONDENSE = '<w:spacing w:val="0"/>'
_EXACT = f'<w:spacing w:before="0" w:after="0" w:line="{LINE_PITCH_TW}" w:lineRule="exact"/>'

_DOC_DEFAULTS = f"""<w:docDefaults {nsdecls("w")}>
  <w:rPrDefault><w:rPr>{_fonts(BODY_FONT)}{_size(BODY_PT)}
    <w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>
  <w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault>
</w:docDefaults>"""


def _xml(fragment: str) -> Any:
    """One w: element from a fragment written without namespace declarations."""
    return parse_xml(f'<w:wrap {nsdecls("w")}>{fragment}</w:wrap>')[0]


def _style(style_id: str, name: str, ppr: str, rpr: str = "", *, based_on: str | None = "Normal",
           kind: str = "custom") -> str:
    """kind: "custom" for our own styles, "default" for Normal, "builtin" for ones Word knows."""
    head = {"custom": ' w:customStyle="1"', "default": ' w:default="1"', "builtin": ""}[kind]
    based = f'<w:basedOn w:val="{based_on}"/><w:next w:val="Normal"/>' if based_on else ""
    return (f'<w:style {nsdecls("w")} w:type="paragraph"{head} w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/>{based}<w:qFormat/><w:pPr>{ppr}</w:pPr><w:rPr>{rpr}</w:rPr></w:style>')


def _heading_style(level: int) -> str:
    east_asia, bold = HEADING_FACES[level]
    ppr = f'<w:keepNext/><w:outlineLvl w:val="{level - 1}"/>'
    return _style(STYLE_IDS[level], STYLE_NAMES[level], ppr, _fonts(east_asia) + ("<w:b/><w:bCs/>" if bold else ""))


def _style_definitions(char_grid: bool) -> list[str]:
    # Normal carries the body format, so text a user adds in Word also comes out as 公文 body.
    # widowControl off: GB/T 9704 wants every full page to carry exactly 22 lines.
    normal_ppr = (f'<w:widowControl w:val="0"/>{_EXACT}'
                  f'<w:ind w:firstLineChars="200" w:firstLine="{2 * CHAR_PITCH_TW}"/><w:jc w:val="both"/>')
    condense = "" if char_grid else f'<w:spacing w:val="{CONDENSE_TW}"/>'
    # snapToGrid off: on a character grid Word and LibreOffice give a 22 pt character two cells.
    title_ppr = f'<w:snapToGrid w:val="0"/>{_no_indent()}<w:jc w:val="center"/>'
    footer_ppr = '<w:snapToGrid w:val="0"/><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>' + _no_indent()
    return [
        _style("Normal", "Normal", normal_ppr, _fonts(BODY_FONT) + condense + _size(BODY_PT),
               based_on=None, kind="default"),
        _style(STYLE_IDS["title"], STYLE_NAMES["title"], title_ppr,
               _fonts(TITLE_FONT) + _NO_CONDENSE + _size(TITLE_PT)),
        *(_heading_style(level) for level in HEADING_FACES),
        _style(STYLE_IDS["signature"], STYLE_NAMES["signature"], f'{_no_indent()}<w:jc w:val="right"/>'),
        _style("Footer", "footer", footer_ppr,
               _fonts(PAGE_NUMBER_FONT, latin=PAGE_NUMBER_FONT) + _NO_CONDENSE + _size(PAGE_NUMBER_PT),
               kind="builtin"),
    ]


def _install_styles(doc: DocxDocument, char_grid: bool) -> None:
    styles = doc.styles.element
    styles.replace(styles.find(qn("w:docDefaults")), parse_xml(_DOC_DEFAULTS))
    for xml in _style_definitions(char_grid):
        new = parse_xml(xml)
        old = styles.find(f'{qn("w:style")}[@{qn("w:styleId")}="{new.get(qn("w:styleId"))}"]')
        if old is not None:
            styles.remove(old)
        styles.append(new)


def _set_page(doc: DocxDocument, char_grid: bool) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # charSpace is written in both layouts: switching the grid on in Word then gives 28 at once.
    grid.set(qn("w:type"), "linesAndChars" if char_grid else "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH_TW))
    grid.set(qn("w:charSpace"), str(CHAR_SPACE))


def _add_field(paragraph: DocxParagraph, instruction: str, shown: str) -> None:
    """A complex field (begin/instr/separate/result/end): Word and LibreOffice both update it."""
    def run_with(child: Any) -> None:
        paragraph.add_run()._r.append(child)

    run_with(_xml('<w:fldChar w:fldCharType="begin"/>'))
    run_with(_xml(f'<w:instrText xml:space="preserve"> {instruction} </w:instrText>'))
    run_with(_xml('<w:fldChar w:fldCharType="separate"/>'))
    paragraph.add_run(shown)
    run_with(_xml('<w:fldChar w:fldCharType="end"/>'))


def _page_number(paragraph: DocxParagraph, *, outside: str) -> None:
    """“— 1 —” on the outer side (odd right, even left), 空一字 from the 版心 edge."""
    paragraph.add_run("— ")
    _add_field(paragraph, "PAGE", "1")
    paragraph.add_run(" —")
    ppr = paragraph._p.get_or_add_pPr()
    ppr.append(_xml(f'<w:ind w:{outside}="{CHAR_PITCH_TW}" w:firstLine="0"/>'))
    ppr.append(_xml(f'<w:jc w:val="{outside}"/>'))


def _set_footers(doc: DocxDocument) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    _page_number(section.footer.paragraphs[0], outside="right")
    _page_number(section.even_page_footer.paragraphs[0], outside="left")


def _set_properties(doc: DocxDocument, report: Report) -> None:
    """Only the title and the unit go into the file's metadata; nothing about how it was made."""
    props = doc.core_properties
    props.title = one_line(report.title)
    props.author = props.last_modified_by = one_line(report.unit)
    props.subject = props.keywords = props.comments = props.category = props.content_status = ""
    props.language = "zh-CN"
    props.revision = 1
    props.created = props.modified = datetime.now(timezone.utc).replace(microsecond=0, tzinfo=None)
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:  # the template's blank-page preview would be misleading
            del package.rels[rel_id]


def _new_document(report: Report, char_grid: bool) -> DocxDocument:
    doc = Document()
    _install_styles(doc, char_grid)
    _set_page(doc, char_grid)
    _set_footers(doc)
    _set_properties(doc, report)
    lang = doc.settings.element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    return doc


def _styled(doc: DocxDocument, text: str, key: str | int | None = None) -> DocxParagraph:
    paragraph = doc.add_paragraph(text)
    if key is not None:
        paragraph._p.get_or_add_pPr().get_or_add_pStyle().val = STYLE_IDS[key]
    return paragraph


def _ends_sentence(text: str) -> bool:
    return bool(text) and text[-1] in END_PUNCTUATION


_LABEL = re.compile(r"^[（(][一二三四五六七八九十百]+[）)]|^\d+[.．、]")


def _add_inline_heading(doc: DocxDocument, block: Block, first: str) -> None:
    """（一）强化组织领导。正文…… — the headline keeps its heading face inside a body paragraph."""
    paragraph = doc.add_paragraph()
    headline = block.heading if _ends_sentence(block.heading) else block.heading + "。"
    run = paragraph.add_run(headline)
    east_asia, bold = HEADING_FACES[block.level]
    run._r.get_or_add_rPr().insert(0, _xml(_fonts(east_asia)))
    if bold:
        run.bold = True
    # "（一）X。X。……" would say X twice: a first sentence restating the headline goes.
    paragraph.add_run(strip_headline(first, _LABEL.sub("", block.heading).rstrip("。")))


def _add_block(doc: DocxDocument, block: Block, inline_headlines: bool) -> None:
    paragraphs = list(block.paragraphs)
    if block.level and inline_headlines and block.level >= 2 and paragraphs:
        _add_inline_heading(doc, block, paragraphs.pop(0))
    elif block.level:
        _styled(doc, block.heading, block.level)
    for text in paragraphs:
        doc.add_paragraph(text)


def _is_narrow(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("Na", "H", "N")


def _display_width(text: str) -> float:
    """Width in 字: Latin digits and letters count half. Word and LibreOffice also add about a
    quarter 字 where Chinese meets Latin (autoSpaceDE/DN), which matters for “2024年7月5日”."""
    width = sum(0.5 if _is_narrow(ch) else 1.0 for ch in text)
    seams = sum(1 for a, b in zip(text, text[1:], strict=False)
                if _is_narrow(a) != _is_narrow(b) and not (a.isspace() or b.isspace()))
    return width + 0.25 * seams


def _add_signature(doc: DocxDocument, lines: list[str]) -> None:
    """落款 per GB/T 9704 §7.3.5: the longer line 右空四字, the shorter centred on it. Keep-with-next
    from the last body paragraph on, so the 落款 never sits alone on a page without text."""
    if not lines:
        return
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    for _ in range(SIGNATURE_GAP_LINES):
        doc.add_paragraph().paragraph_format.keep_with_next = True
    widths = [_display_width(line) for line in lines]
    for i, (line, width) in enumerate(zip(lines, widths, strict=False)):
        paragraph = _styled(doc, line, "signature")
        right = SIGNATURE_RIGHT_CHARS + (max(widths) - width) / 2
        paragraph._p.get_or_add_pPr().append(
            _xml(f'<w:ind w:rightChars="{round(right * 100)}" w:right="{round(right * CHAR_PITCH_TW)}"/>'))
        paragraph.paragraph_format.keep_with_next = i < len(lines) - 1


def export_docx(report: Report, *, inline_headlines: bool = False, signature: bool = True,
                char_grid: bool = False) -> bytes:
    """The report as .docx bytes: title, blank line, opening, numbered sections, optional 落款.

    char_grid=True writes Word's own 28-character grid (w:docGrid linesAndChars) instead of the
    condensed line grid: identical in Word and WPS, but LibreOffice spreads it to 14 per line.
    """
    doc = _new_document(report, char_grid)
    title = title_lines(report)
    for line in title:
        _styled(doc, line, "title")
    if title:
        doc.add_paragraph()  # GB/T 9704: the body starts after one blank line under the title
    for block in blocks(report):
        _add_block(doc, block, inline_headlines)
    if signature:
        _add_signature(doc, signature_lines(report))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def write_docx(report: Report, path: str | Path, **kwargs: Any) -> Path:
    path = Path(path)
    path.write_bytes(export_docx(report, **kwargs))
    return path

"""The .docx export read back with python-docx and lxml: page, grid, fonts, numbering, footer, 落款."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING

from zongjie.export_docx import export_docx, write_docx
from zongjie.model import Paragraph, Report, Section
from zongjie.vocab import ROLE_OPENING, ROLE_PLANS, ROLE_RESULTS

ROOT = Path(__file__).resolve().parents[1]
TEXT_WIDTH_TW = 11906 - 1587 - 1474  # A4 minus 28 mm and 26 mm, as Word stores them
TEXT_HEIGHT_TW = 16838 - 2098 - 1984  # A4 minus 37 mm and 35 mm


def sec(key: str, heading: str, paras: tuple[str, ...] = (), subs: tuple[Section, ...] = (),
        level: int = 1, role: str = ROLE_RESULTS) -> Section:
    return Section(key=key, heading=heading, role=role, level=level,
                   paragraphs=[Paragraph(t) for t in paras], subsections=list(subs))


def make_report(unit: str = "青山县农业农村局", date: str = "2024年7月5日") -> Report:
    return Report(
        title="青山县农业农村局2024年上半年工作总结",
        unit=unit, period="2024年上半年", genre="工作总结", date=date,
        opening=sec("opening", "", ("上半年，我局扎实推进各项工作。", "现将有关情况总结如下。"), role=ROLE_OPENING),
        sections=[
            sec("s1", "主要工作成效", ("一级正文。",), (
                sec("s1.1", "强化组织领导", ("成立工作专班，统筹推进。", "第二段。"), level=2),
                sec("s1.2", "狠抓粮食生产", ("完成春播28.6万亩。",), (
                    sec("s1.2.1", "抓好春播", ("春播正文。",), level=3),
                    sec("s1.2.2", "抓好夏管", (), level=3),
                ), level=2),
            )),
            sec("s2", "下半年工作打算", (), (
                sec("s2.1", "稳住粮食生产", ("确保全年稳产。",), level=2, role=ROLE_PLANS),
            ), role=ROLE_PLANS),
        ],
    )


def read(data: bytes):
    return Document(io.BytesIO(data))


# --- resolving what Word would show: direct formatting, then the style chain, then docDefaults ---

def style_chain(doc, style_id: str | None) -> list:
    chain = []
    while style_id:
        found = doc.styles.element.xpath(f'w:style[@w:styleId="{style_id}"]')
        if not found:
            break
        chain.append(found[0])
        based = found[0].xpath("w:basedOn/@w:val")
        style_id = based[0] if based else None
    return chain


def style_id_of(paragraph) -> str:
    ids = paragraph._p.xpath("w:pPr/w:pStyle/@w:val")
    return ids[0] if ids else "Normal"


def _sources(doc, paragraph, run) -> list:
    direct = [run._r] if run is not None else [paragraph._p]
    return direct + style_chain(doc, style_id_of(paragraph))


def rpr(doc, paragraph, run, path: str, attr: str = "val") -> str | None:
    for el in _sources(doc, paragraph, run):
        hits = el.xpath(f"w:rPr/{path}/@w:{attr}")
        if hits:
            return hits[0]
    hits = doc.styles.element.xpath(f"w:docDefaults/w:rPrDefault/w:rPr/{path}/@w:{attr}")
    return hits[0] if hits else None


def is_bold(doc, paragraph, run) -> bool:
    for el in _sources(doc, paragraph, run):
        hits = el.xpath("w:rPr/w:b")
        if hits:
            val = hits[0].get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val")
            return val not in ("0", "false")
    return False


def ppr(doc, paragraph, path: str, attr: str = "val") -> str | None:
    sources = [paragraph._p] + style_chain(doc, style_id_of(paragraph))
    for el in sources:
        hits = el.xpath(f"w:pPr/{path}/@w:{attr}")
        if hits:
            return hits[0]
    return None


def body_paragraphs(doc) -> list:
    return [p for p in doc.paragraphs if style_id_of(p) == "Normal" and p.text]


def heading_paragraphs(doc) -> list:
    return [p for p in doc.paragraphs if style_id_of(p).startswith("ZJHeading")]


# --- page and grid ---

def test_page_is_a4_with_gbt9704_margins():
    section = read(export_docx(make_report())).sections[0]
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    assert section.top_margin.mm == pytest.approx(37, abs=0.1)
    assert section.bottom_margin.mm == pytest.approx(35, abs=0.1)
    assert section.left_margin.mm == pytest.approx(28, abs=0.1)
    assert section.right_margin.mm == pytest.approx(26, abs=0.1)
    assert section.footer_distance.mm == pytest.approx(25, abs=0.1)


def _grid(data: bytes):
    return read(data).sections[0]._sectPr.xpath("w:docGrid")[0]


def _grid_value(grid, name: str) -> str:
    return grid.get(f"{{http://schemas.openxmlformats.org/wordprocessingml/2006/main}}{name}")


def test_grid_fits_exactly_22_lines_and_28_characters():
    grid = _grid(export_docx(make_report(), char_grid=True))
    assert _grid_value(grid, "type") == "linesAndChars"
    pitch, space = int(_grid_value(grid, "linePitch")), int(_grid_value(grid, "charSpace"))
    assert (pitch, space) == (579, -842)
    # Word sets floor(height / pitch) lines and floor(width / char pitch) characters.
    assert 22 * pitch <= TEXT_HEIGHT_TW < 22 * (pitch + 1)
    char_pitch_tw = lambda cs: (16 + cs / 4096) * 20  # noqa: E731
    assert 28 * char_pitch_tw(space) <= TEXT_WIDTH_TW < 28 * char_pitch_tw(space + 1)


def test_portable_layout_uses_line_grid_and_condensed_normal_style():
    doc = read(export_docx(make_report()))
    grid = doc.sections[0]._sectPr.xpath("w:docGrid")[0]
    assert _grid_value(grid, "type") == "lines"
    assert _grid_value(grid, "linePitch") == "579"
    condense = int(doc.styles.element.xpath('w:style[@w:styleId="Normal"]/w:rPr/w:spacing/@w:val')[0])
    assert condense == -5
    assert 28 * (320 + condense) <= TEXT_WIDTH_TW < 28 * (320 + condense + 1)


def test_char_grid_layout_does_not_condense():
    doc = read(export_docx(make_report(), char_grid=True))
    assert not doc.styles.element.xpath('w:style[@w:styleId="Normal"]/w:rPr/w:spacing')


# --- text formats ---

def test_title_is_22pt_xiaobiaosong_centred_then_one_blank_line():
    doc = read(export_docx(make_report()))
    title, blank = doc.paragraphs[0], doc.paragraphs[1]
    assert title.text == "青山县农业农村局2024年上半年工作总结"
    assert rpr(doc, title, title.runs[0], "w:sz") == "44"
    assert rpr(doc, title, title.runs[0], "w:rFonts", "eastAsia") == "方正小标宋简体"
    assert ppr(doc, title, "w:jc") == "center"
    assert ppr(doc, title, "w:ind", "firstLineChars") == "0"
    assert blank.text == ""
    assert doc.paragraphs[2].text == "上半年，我局扎实推进各项工作。"


def test_body_is_16pt_fangsong_indented_with_exact_line_spacing():
    doc = read(export_docx(make_report()))
    body = body_paragraphs(doc)[0]
    run = body.runs[0]
    assert rpr(doc, body, run, "w:sz") == "32"
    assert rpr(doc, body, run, "w:rFonts", "eastAsia") == "仿宋_GB2312"
    assert rpr(doc, body, run, "w:rFonts", "ascii") == "Times New Roman"
    assert rpr(doc, body, run, "w:rFonts", "hint") == "eastAsia"
    assert ppr(doc, body, "w:ind", "firstLineChars") == "200"
    assert ppr(doc, body, "w:ind", "firstLine") == "632"
    assert ppr(doc, body, "w:spacing", "line") == "579"
    assert ppr(doc, body, "w:spacing", "lineRule") == "exact"
    assert ppr(doc, body, "w:jc") == "both"
    normal = doc.styles["Normal"].paragraph_format
    assert normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert normal.line_spacing.pt == pytest.approx(28.95, abs=0.01)


def test_document_defaults_are_chinese_body_text_without_theme_fonts():
    doc = read(export_docx(make_report()))
    fonts = doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:rFonts")[0]
    attrs = {k.split("}")[1]: v for k, v in fonts.attrib.items()}
    assert attrs["eastAsia"] == "仿宋_GB2312"
    assert not any(k.endswith("Theme") or k == "cstheme" for k in attrs)
    assert doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:eastAsia") == ["zh-CN"]
    assert doc.styles.element.xpath("w:docDefaults/w:rPrDefault/w:rPr/w:sz/@w:val") == ["32"]


def test_heading_fonts_follow_the_level():
    doc = read(export_docx(make_report()))
    by_level = {}
    for p in heading_paragraphs(doc):
        by_level.setdefault(style_id_of(p), p)
    expected = {"ZJHeading1": ("黑体", False), "ZJHeading2": ("楷体_GB2312", False),
                "ZJHeading3": ("仿宋_GB2312", True)}
    for style_id, (font, bold) in expected.items():
        p = by_level[style_id]
        assert rpr(doc, p, p.runs[0], "w:rFonts", "eastAsia") == font, style_id
        assert is_bold(doc, p, p.runs[0]) is bold, style_id
        assert rpr(doc, p, p.runs[0], "w:sz") == "32", style_id
        assert ppr(doc, p, "w:ind", "firstLineChars") == "200", style_id  # indented like body text
        assert ppr(doc, p, "w:outlineLvl") == str(int(style_id[-1]) - 1)
        assert style_chain(doc, style_id)[0].xpath("w:pPr/w:keepNext")  # never last on a page


def test_headings_are_numbered_from_the_structure():
    doc = read(export_docx(make_report()))
    assert [p.text for p in heading_paragraphs(doc)] == [
        "一、主要工作成效", "（一）强化组织领导", "（二）狠抓粮食生产", "1．抓好春播", "2．抓好夏管",
        "二、下半年工作打算", "（一）稳住粮食生产",
    ]
    assert [p.text for p in doc.paragraphs][:7] == [
        "青山县农业农村局2024年上半年工作总结", "", "上半年，我局扎实推进各项工作。", "现将有关情况总结如下。",
        "一、主要工作成效", "一级正文。", "（一）强化组织领导",
    ]


def test_depth_not_the_stored_level_decides_the_label():
    report = make_report()
    report.sections[0].subsections[0].level = 1  # the dataclass default, easy to forget
    texts = [p.text for p in heading_paragraphs(read(export_docx(report)))]
    assert texts[1] == "（一）强化组织领导"


def test_inline_headlines_put_headline_and_first_paragraph_in_one_paragraph():
    doc = read(export_docx(make_report(), inline_headlines=True))
    texts = [p.text for p in doc.paragraphs]
    assert "（一）强化组织领导。成立工作专班，统筹推进。" in texts
    assert "第二段。" in texts and "成立工作专班，统筹推进。" not in texts
    assert "一、主要工作成效" in texts  # level 1 stays on its own line
    assert "2．抓好夏管" in texts  # no paragraph to run into: stays a heading
    p = next(p for p in doc.paragraphs if p.text.startswith("（一）强化组织领导。"))
    headline, body = p.runs
    assert headline.text == "（一）强化组织领导。"
    assert rpr(doc, p, headline, "w:rFonts", "eastAsia") == "楷体_GB2312"
    assert rpr(doc, p, body, "w:rFonts", "eastAsia") == "仿宋_GB2312"
    assert ppr(doc, p, "w:ind", "firstLineChars") == "200"
    level3 = next(p for p in doc.paragraphs if p.text.startswith("1．抓好春播"))
    assert level3.text == "1．抓好春播。春播正文。"
    assert is_bold(doc, level3, level3.runs[0]) and not is_bold(doc, level3, level3.runs[1])


def test_inline_headline_keeps_its_own_end_punctuation():
    report = make_report()
    report.sections[0].subsections[0].heading = "如何强化组织领导？"
    texts = [p.text for p in read(export_docx(report, inline_headlines=True)).paragraphs]
    assert "（一）如何强化组织领导？成立工作专班，统筹推进。" in texts


# --- robustness ---

def test_control_characters_and_emoji_do_not_break_the_file():
    report = make_report()
    report.title = "总结\x00\x08标题\ufeff"
    report.opening.paragraphs = [Paragraph("坏字符\x01\x0b\x0c\x1f\ufffe\ud800保留🎉表情\t制表")]
    report.sections[0].heading = "成效\x07"
    doc = read(export_docx(report, inline_headlines=True))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "总结标题"
    assert "坏字符保留🎉表情\t制表" in texts
    assert "一、成效" in texts


def test_newlines_split_paragraphs_and_manual_indent_is_dropped():
    report = make_report()
    report.opening.paragraphs = [Paragraph("　　第一段。\r\n\n  第二段。\r第三段。\n   \n")]
    texts = [p.text for p in read(export_docx(report)).paragraphs]
    assert texts[2:5] == ["第一段。", "第二段。", "第三段。"]
    assert texts[5] == "一、主要工作成效"


# --- footer ---

def _footer_parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n).decode() for n in z.namelist() if n.startswith("word/footer")}


def test_page_numbers_outside_with_dashes_and_a_page_field():
    data = export_docx(make_report())
    doc = read(data)
    assert doc.settings.odd_and_even_pages_header_footer is True
    section = doc.sections[0]
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    for p in (odd, even):
        assert p._p.xpath(".//w:instrText/text()")[0].strip() == "PAGE"
        assert [f for f in p._p.xpath(".//w:fldChar/@w:fldCharType")] == ["begin", "separate", "end"]
        assert re.fullmatch(r"— 1 —", p.text)
        run = p.runs[0]
        assert rpr(doc, p, run, "w:sz") == "28"
        assert rpr(doc, p, run, "w:rFonts", "eastAsia") == "宋体"
        assert rpr(doc, p, run, "w:rFonts", "ascii") == "宋体"
    assert odd.alignment == WD_ALIGN_PARAGRAPH.RIGHT and odd.paragraph_format.right_indent.twips == 316
    assert even.alignment == WD_ALIGN_PARAGRAPH.LEFT and even.paragraph_format.left_indent.twips == 316
    assert len(_footer_parts(data)) == 2


# --- 落款 and metadata ---

def test_signature_right_aligned_longer_line_four_characters_in():
    doc = read(export_docx(make_report()))
    unit, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (unit.text, date.text) == ("青山县农业农村局", "2024年7月5日")
    assert doc.paragraphs[-3].text == doc.paragraphs[-4].text == ""
    for p in (unit, date):
        assert style_id_of(p) == "ZJSignature"
        assert ppr(doc, p, "w:jc") == "right"
        assert ppr(doc, p, "w:ind", "firstLineChars") == "0"
    assert ppr(doc, unit, "w:ind", "rightChars") == "400"
    # The date (7.25 字 with the Latin/Chinese seams) is centred under the 8-字 unit name.
    assert ppr(doc, date, "w:ind", "rightChars") == "438"
    assert unit.paragraph_format.keep_with_next is True
    assert doc.paragraphs[-5].paragraph_format.keep_with_next is True  # last body text travels along


def test_signature_can_be_switched_off_or_is_skipped_when_empty():
    assert read(export_docx(make_report(), signature=False)).paragraphs[-1].text == "确保全年稳产。"
    doc = read(export_docx(make_report(unit="", date="")))
    assert doc.paragraphs[-1].text == "确保全年稳产。"
    doc = read(export_docx(make_report(unit="")))
    assert [p.text for p in doc.paragraphs[-2:]] == ["", "2024年7月5日"]


def test_metadata_holds_title_and_unit_only_and_nothing_is_hidden():
    data = export_docx(make_report())
    props = read(data).core_properties
    assert props.title == "青山县农业农村局2024年上半年工作总结"
    assert props.author == props.last_modified_by == "青山县农业农村局"
    assert props.comments == props.subject == props.keywords == props.category == ""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = z.namelist()
        document_xml = z.read("word/document.xml").decode()
    assert not [n for n in names if "comments" in n or "thumbnail" in n]
    assert "w:vanish" not in document_xml and "w:commentReference" not in document_xml


def test_write_docx_writes_the_same_document(tmp_path):
    path = write_docx(make_report(), tmp_path / "out.docx", inline_headlines=True)
    assert [p.text for p in read(path.read_bytes()).paragraphs] == \
        [p.text for p in read(export_docx(make_report(), inline_headlines=True)).paragraphs]


# --- rendering through LibreOffice ---

def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        message = f"{name} is not installed (Debian: libreoffice-writer-nogui, poppler-utils; scripts/system-deps.sh)"
        if os.environ.get("CI"):
            pytest.fail(message)  # the test command installs them, so in CI a skip would hide a broken setup
        pytest.skip(message)
    return found


def test_sample_report_renders_to_two_a4_pages_of_28_characters(tmp_path):
    _tool("soffice"), _tool("pdftoppm"), _tool("pdfinfo"), _tool("pdftotext")
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "render_docx.py"), "--out", str(tmp_path),
                          "--dpi", "60"], capture_output=True, text=True, timeout=180, check=True).stdout
    paths = dict(line.split(" ", 1) for line in out.splitlines() if line.startswith(("pdf ", "docx ")))
    pngs = [Path(line.split(" ", 1)[1]) for line in out.splitlines() if line.startswith("png ")]
    info = subprocess.run(["pdfinfo", paths["pdf"]], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+2\b", info)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    assert len(pngs) == 2 and all(p.stat().st_size > 1000 for p in pngs)
    text = subprocess.run(["pdftotext", paths["pdf"], "-"], capture_output=True, text=True, check=True).stdout
    assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)
    # Lines of Chinese only: a full one holds exactly 28 characters (27 means the condensing
    # failed, 14 that a character grid was spread out).
    chinese = [line.strip() for line in text.splitlines()
               if line.strip() and not re.search(r"[0-9A-Za-z—]", line)]
    assert max(len(line) for line in chinese) == 28

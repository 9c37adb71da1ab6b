"""Markdown export: heading levels and numbering, paragraph order, 落款, escaping and clean-up."""
from __future__ import annotations

from zongjie.export_md import blocks, clean_lines, export_markdown
from zongjie.model import Paragraph, Report, Section
from zongjie.vocab import ROLE_OPENING, ROLE_RESULTS


def sec(key: str, heading: str, paras: tuple[str, ...] = (), subs: tuple[Section, ...] = (), level: int = 1) -> Section:
    return Section(key=key, heading=heading, role=ROLE_RESULTS, level=level,
                   paragraphs=[Paragraph(t) for t in paras], subsections=list(subs))


def make_report(unit: str = "青山县农业农村局", date: str = "2024年7月5日") -> Report:
    return Report(
        title="2024年上半年工作总结", unit=unit, period="2024年上半年", genre="工作总结", date=date,
        opening=Section(key="opening", heading="", role=ROLE_OPENING, paragraphs=[Paragraph("开头段。")]),
        sections=[
            sec("s1", "主要成效", ("总述。",), (
                sec("s1.1", "强化组织领导", ("正文一。",), level=2),
                sec("s1.2", "狠抓粮食生产", (), (sec("s1.2.1", "抓好春播", ("春播。",), level=3),), level=2),
            )),
            sec("s2", "存在问题", (), (sec("s2.1", "短板明显", ("问题。",), level=2),)),
        ],
    )


def test_markdown_has_title_numbered_headings_paragraphs_and_signature_in_order():
    assert export_markdown(make_report()) == (
        "# 2024年上半年工作总结\n\n"
        "开头段。\n\n"
        "## 一、主要成效\n\n总述。\n\n"
        "### （一）强化组织领导\n\n正文一。\n\n"
        "### （二）狠抓粮食生产\n\n"
        "#### 1．抓好春播\n\n春播。\n\n"
        "## 二、存在问题\n\n"
        "### （一）短板明显\n\n问题。\n\n"
        "青山县农业农村局\n\n2024年7月5日\n"
    )


def test_signature_lines_are_left_out_when_empty():
    text = export_markdown(make_report(unit="", date=""))
    assert text.endswith("问题。\n")
    assert export_markdown(make_report(unit="")).endswith("问题。\n\n2024年7月5日\n")


def test_subsection_numbering_follows_depth_not_the_stored_level():
    report = make_report()
    report.sections[1].subsections[0].level = 1
    assert "### （一）短板明显" in export_markdown(report)
    assert [b.level for b in blocks(report)] == [0, 1, 2, 2, 3, 1, 2]


def test_lines_that_would_become_markdown_blocks_are_escaped():
    report = make_report()
    report.opening.paragraphs = [Paragraph("1. 不是列表"), Paragraph("# 不是标题"), Paragraph("- 不是条目")]
    text = export_markdown(report)
    assert "1\\. 不是列表" in text and "\\# 不是标题" in text and "\\- 不是条目" in text
    assert "1．抓好春播" in text  # the full-width 1． of a real heading is left alone


def test_control_characters_are_dropped_and_newlines_make_paragraphs():
    report = make_report()
    report.opening.paragraphs = [Paragraph("　　甲\x00段。\r\n\n乙段\x1f。🎉")]
    report.title = "总结\n标题\x0b"
    text = export_markdown(report)
    assert text.startswith("# 总结标题\n\n甲段。\n\n乙段。🎉\n\n## 一、")
    assert clean_lines(" \u3000\n\ufeff\u200b\n") == []

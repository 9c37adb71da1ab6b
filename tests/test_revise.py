"""Section revisions (zongjie.revise, issue 15.1): each does what its name says or says it did nothing,
and every fact stays."""
from __future__ import annotations

import sys

from zongjie.brief import make_brief
from zongjie.draft import Drafter
from zongjie.fake_llm import ScriptedChatModel
from zongjie.model import Bullet, IssueKind, Paragraph
from zongjie.outline import build_outline
from zongjie.revise import NO_CHANGE, Action, action_for, data_first, kept_facts, same_text, shorten

BULLETS = [Bullet("B1", "开展主题团日活动30余场，覆盖4560名团员青年"),
           Bullet("B2", "组织“青年大学习”网上主题团课学习，参学率达92%")]
TEXT = ("坚持把思想引领摆在首位，统筹谋划推进。一是开展主题团日活动30余场，覆盖4560名团员青年。"
        "活动贴近青年需求，反响良好。\n"
        "二是组织“青年大学习”网上主题团课学习，参学率达92%。学习形式不断丰富。通过这些工作，凝聚力进一步增强。")


def test_actions_are_read_from_buttons_and_typed_requests():
    assert action_for("扩写") == Action.EXPAND and action_for("更精炼") == Action.SHORTEN
    assert action_for("突出数据") == Action.DATA and action_for("润色") == Action.POLISH
    assert action_for("语气更正式") == Action.REWRITE


def test_shorten_drops_generic_sentences_and_keeps_every_fact():
    short = shorten(TEXT, BULLETS)
    assert len(short) < len(TEXT)
    assert short.startswith("一是开展") and "二是组织" in short  # items keep their order words
    assert "活动贴近青年需求" not in short and kept_facts(TEXT, short, BULLETS)


def test_data_first_moves_figure_sentences_forward():
    moved = data_first(TEXT)
    assert moved.startswith("一是开展主题团日活动30余场") and moved.index("坚持把") > moved.index("4560名")
    assert sorted(moved.replace("\n", "")) == sorted(TEXT.replace("\n", ""))  # nothing lost or added


def test_near_verbatim_echo_counts_as_unchanged():
    assert same_text(TEXT, TEXT + " ")
    assert same_text(TEXT, TEXT.replace("反响良好", "反响很好"))
    assert not same_text(TEXT, data_first(TEXT), echo=False)


def _drafted(answers):
    brief = make_brief("\n".join(b.text for b in BULLETS), "共青团某某区委员会", "2023年上半年", "工作总结", "")
    report = build_outline(brief)
    section = report.find("s1.1")
    section.paragraphs = [Paragraph(p) for p in TEXT.split("\n")]
    section.bullet_ids = ["B1", "B2"]
    for other in report.drafting_units():
        if other is not section:
            other.bullet_ids = []
    return brief, report, ScriptedChatModel(answers=answers)


def test_an_echoed_polish_says_so_or_rewords_without_losing_facts():
    brief, report, chat = _drafted([])
    # a model that hands every input back: the 原文 of a 【修改】, the bullet of an 【扩写】
    chat.responder = lambda messages: str(messages[-1].content).split("：", 1)[-1].split("原文：")[-1].strip()
    result = Drafter(chat=chat, compact=True).revise_section(report, brief, "s1.1", "润色")
    assert not result.changed and result.message.startswith(NO_CHANGE)
    assert report.find("s1.1").text == TEXT


def test_expand_adds_the_compact_expansion_after_the_bullet():
    def respond(messages):
        user = str(messages[-1].content)
        if user.startswith("【扩写】"):
            return user.split("：", 1)[-1] + "。这项工作得到了基层团支部的积极响应。"
        if user.startswith("【成效】"):
            return "通过主题团日，团员青年的参与热情明显提高。"
        return str(user).split("原文：", 1)[-1]
    brief, report, chat = _drafted([])
    chat.responder = respond
    before = report.find("s1.1").text
    result = Drafter(chat=chat, compact=True).revise_section(report, brief, "s1.1", "扩写")
    after = report.find("s1.1").text
    assert result.changed and len(after) > len(before) and "积极响应" in after
    assert kept_facts(before, after, BULLETS)


def test_a_revision_that_loses_a_figure_is_refused():
    brief, report, chat = _drafted(["坚持把思想引领摆在首位，开展了主题团日活动。学习形式不断丰富，凝聚力进一步增强。"])
    result = Drafter(chat=chat, compact=True, repair=False).revise_section(report, brief, "s1.1", "语气更正式")
    assert not result.changed and "未采用" in result.message and report.find("s1.1").text == TEXT


def test_scaffolding_echoed_by_the_model_is_flagged():
    brief, report, chat = _drafted(["本节标题：思想引领\n开展主题团日活动30余场，覆盖4560名团员青年。"])
    Drafter(chat=chat, repair=False).draft_section(report, brief, "s1.1")
    section = report.find("s1.1")
    assert "本节标题" not in section.text
    assert any(i.kind == IssueKind.SCAFFOLD for i in section.issues)


def test_bench_runs_with_the_fake_model(monkeypatch, capsys):
    sys.path.insert(0, ".")
    from bench import revisions

    monkeypatch.setattr(sys, "argv", ["revisions.py", "--fake", "-n", "6"])
    revisions.main()
    out = capsys.readouterr().out
    assert "扩写" in out and "精简" in out and "突出数据" in out and "goal:" in out


def test_expanding_a_problem_uses_the_problem_task_not_a_result_sentence():
    brief = make_brief("开展主题团日活动30余场\n问题：部分团支部活动形式单一，吸引力不强", "共青团某某区委员会",
                       "2023年上半年", "工作总结", "")
    report = build_outline(brief)
    section = next(s for s in report.drafting_units() if s.role == "问题")
    assert section.bullet_ids == ["B2"]
    section.paragraphs = [Paragraph("一是部分团支部活动形式单一，吸引力不强。")]
    asked = []

    def respond(messages):
        user = str(messages[-1].content)
        asked.append(user[:4])
        if user.startswith("【问题】"):
            return "部分团支部活动形式单一，吸引力不强。一些活动照搬上级安排，缺少贴近青年的设计。"
        return user.split("原文：", 1)[-1]
    result = Drafter(chat=ScriptedChatModel(responder=respond), compact=True).revise_section(
        report, brief, section.key, "扩写")
    assert result.changed and "缺少贴近青年的设计" in report.find(section.key).text
    assert "【成效】" not in asked and "【扩写】" not in asked

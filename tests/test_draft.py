"""The drafting pipeline with fake chat models: structure, grounding, repair, masking, streaming, stop."""
import re

from langchain_core.messages import HumanMessage

from zongjie.brief import make_brief
from zongjie.draft import Drafter, clean_output
from zongjie.fake_llm import ScriptedChatModel, TemplateChatModel
from zongjie.facts import extract_facts
from zongjie.model import ROLE_OPENING


def brief_of(text):
    return make_brief(text, "共青团某某区委员会", "2023年上半年", "工作总结")


class FakeIndex:
    """One exemplar with facts of its own (130余场次, “青年学习社”) that must never reach a draft."""

    text = "累计开展各类活动130余场次，覆盖青少年13000余人次，建成“青年学习社”3个，“青年之家”的磁吸效应不断显现。"

    def search(self, query, k=3, role=None, genre=None, exclude_report=None):
        from types import SimpleNamespace

        return [(SimpleNamespace(id="r1#s1", report_id="r1", text=self.text, heading="聚力理论宣讲"), 1.0)]


def test_template_model_drafts_every_section_with_every_number(bullets_text):
    brief = brief_of(bullets_text)
    report = Drafter(chat=TemplateChatModel(), index=FakeIndex()).draft_report(brief)
    full = "\n".join(s.text for s in report.all_sections())
    for bullet in brief.bullets:
        for fact in extract_facts(bullet.text):
            assert fact.raw in full, fact.raw
    assert report.opening.text.startswith("2023年上半年，共青团某某区委员会")
    assert all(s.text for s in report.drafting_units())
    assert not [i for s in report.all_sections() for i in s.issues], "template drafts are fully grounded"
    # provenance: each results paragraph names the bullets whose facts it carries
    first = report.find("s1.1")
    assert set(first.bullet_ids) <= {i for p in first.paragraphs for i in p.bullet_ids}


def test_exemplar_is_masked_before_it_enters_the_prompt(bullets_text):
    brief = brief_of(bullets_text)
    chat = ScriptedChatModel(responder=lambda m: "开展主题团日活动30余场，覆盖4560名团员青年。")
    Drafter(chat=chat, index=FakeIndex(), repair=False).draft_section(
        __import__("zongjie.outline", fromlist=["x"]).build_outline(brief), brief, "s1.1")
    prompt = chat.seen[0][-1].content
    assert "【参考范文】" in prompt
    assert "130余场次" not in prompt and "13000" not in prompt and "青年学习社" not in prompt


def test_copying_the_exemplar_is_caught_and_repaired_once(bullets_text):
    """The fake copies the (unmasked) exemplar facts; the check flags them and the repair turn fixes it."""
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    key = next(s.key for s in report.drafting_units() if "B1" in s.bullet_ids)
    chat = ScriptedChatModel(answers=[
        FakeIndex.text,
        "五四期间开展青年文化节主题团日活动30余场，覆盖4560名团员青年。",
    ])
    drafter = Drafter(chat=chat, index=FakeIndex())
    section = drafter.draft_section(report, brief, key)
    assert len(chat.seen) == 2, "exactly one repair"
    assert "上一稿有以下问题" in chat.seen[1][-1].content and "130余场次" in chat.seen[1][-1].content
    assert "130余场次" not in section.text and "30余场" in section.text
    assert drafter.stats == {"calls": 2, "repairs": 1}


def test_flags_stay_when_repair_fails(bullets_text):
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["开展主题团日活动50场，覆盖9999名团员青年。"])
    section = Drafter(chat=chat).draft_section(report, brief, "s2")
    kinds = sorted((i.kind, i.text) for i in section.issues)
    assert ("来源不明", "50场") in kinds and ("来源不明", "9999名") in kinds
    assert "50场" in section.text, "nothing is silently deleted"
    assert len(chat.seen) == 2


def test_locked_sections_are_not_touched(bullets_text):
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    report.opening.paragraphs = []
    locked = report.find("s2")
    locked.locked = True
    locked_text = "人工写好的问题段落。"
    from zongjie.model import Paragraph

    locked.paragraphs = [Paragraph(locked_text)]
    Drafter(chat=TemplateChatModel()).draft_report(brief, report)
    assert report.find("s2").text == locked_text
    assert report.opening.text


def test_streaming_events_and_stop(bullets_text):
    brief = brief_of(bullets_text)
    events = []
    stop_after = 2
    starts = []

    def on_event(key, kind, payload):
        events.append((key, kind))
        if kind == "start":
            starts.append(key)

    report = Drafter(chat=TemplateChatModel(chunk_chars=4)).draft_report(
        brief, on_event=on_event, should_stop=lambda: len(starts) >= stop_after and events[-1][1] == "done")
    tokens = [e for e in events if e[1] == "token"]
    assert len(tokens) > 5
    assert starts == ["opening", "s1.1"]
    written = [s.key for s in report.drafting_units() if s.text]
    assert written == ["opening", "s1.1"]


def test_revise_uses_instruction_and_current_text(bullets_text):
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    drafter = Drafter(chat=TemplateChatModel())
    drafter.draft_section(report, brief, "s1.1")
    before = report.find("s1.1").text
    drafter.revise_section(report, brief, "s1.1", "精简")
    after = report.find("s1.1").text
    assert after and len(after) < len(before) and before.startswith(after[:-1])


def test_clean_output_strips_wrappers():
    raw = "好的，以下是本节正文：\n```\n## 强化思想引领\n（一）强化思想引领，筑牢青年理想信念\n**一是**开展活动30余场。\n\n二是覆盖4560名团员。\n```"
    assert clean_output(raw) == "一是开展活动30余场。\n二是覆盖4560名团员。"


def test_opening_prompt_has_no_facts_and_role_task():
    brief = brief_of("开展活动30余场")
    from zongjie.outline import build_outline

    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["今年以来，各项工作扎实推进。现将有关情况总结如下："])
    Drafter(chat=chat).draft_section(report, brief, "opening")
    prompt = chat.seen[0][-1].content
    assert isinstance(chat.seen[0][-1], HumanMessage)
    assert "开头" in prompt and "现将有关情况总结如下" in prompt
    assert re.search(r"【本节事实】\n（本节无具体事实", prompt)
    assert report.opening.role == ROLE_OPENING


def test_clean_output_drops_loops_and_unfinished_tail():
    raw = ("一是加强组织建设，提升凝聚力。二是强化理论学习，提高本领。\n二是强化理论学习，提高本领。三是完善激励机制，激发活力。"
           "\n三是完善激励机制，激发活力。四是开展")
    assert clean_output(raw) == "一是加强组织建设，提升凝聚力。二是强化理论学习，提高本领。\n三是完善激励机制，激发活力。"


def test_numbered_list_becomes_one_paragraph():
    raw = "1. 加强组织建设\n2. 强化理论学习；\n3. 开展青年干部培训班2期"
    assert clean_output(raw) == "一是加强组织建设。二是强化理论学习。三是开展青年干部培训班2期。"


def test_compact_mode_one_call_per_results_bullet(bullets_text):
    from zongjie.draft import join_items, strip_headline
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    key = max(report.drafting_units(), key=lambda s: len(s.bullet_ids)).key
    section = report.find(key)
    n = len(section.bullet_ids)
    assert n >= 2

    def responder(messages):
        prompt = messages[-1].content
        bullet = prompt.split("工作要点：", 1)[1].split("\n", 1)[0]
        return f"{section.heading}。坚持高标准推进，{bullet}，成效明显。"

    chat = ScriptedChatModel(responder=responder)
    drafter = Drafter(chat=chat, compact=True)
    drafter.draft_section(report, brief, key)
    assert len(chat.seen) == n and drafter.stats["repairs"] == 0
    text = report.find(key).text
    assert text.startswith("一是坚持高标准推进，") and "二是坚持高标准推进" in text
    assert section.heading not in text, "the echoed headline is dropped"
    assert not report.find(key).issues
    assert strip_headline("强化思想引领：组织开展活动30余场，成效明显。", "强化思想引领，筑牢青年理想信念") == \
        "组织开展活动30余场，成效明显。"
    assert join_items(["开展活动30场", "二是覆盖4560名团员；"]) == "一是开展活动30场。二是覆盖4560名团员。"


def test_compact_mode_repairs_a_bullet_that_lost_its_number(bullets_text):
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    key = next(s.key for s in report.drafting_units() if s.bullet_ids == ["B3"]) if any(
        s.bullet_ids == ["B3"] for s in report.drafting_units()) else None
    assert key, "B3 (公众号) has a subsection of its own"
    chat = ScriptedChatModel(answers=["坚持网上引领，公众号发布推文多篇，影响广泛。",
                                      "坚持网上引领，团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次。"])
    Drafter(chat=chat, compact=True).draft_section(report, brief, key)
    assert len(chat.seen) == 2 and "漏写了这条事实" in chat.seen[1][-1].content
    assert "8.6万人次" in report.find(key).text and not report.find(key).issues


def test_compact_opening_problems_plans_prompts(bullets_text):
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["x。"])
    d = Drafter(chat=chat, compact=True, repair=False)
    for key in ("opening", "s2", "s3"):
        d.draft_section(report, brief, key)
    opening, problems, plan_bullet, measures = (m[-1].content for m in chat.seen)
    assert "以“2023年上半年，共青团某某区委员会”开头" in opening
    assert "部分基层团组织理论学习形式单一" in problems
    assert "计划要点：下半年计划举办青年干部培训班2期" in plan_bullet
    assert "问题：部分基层团组织理论学习形式单一" in measures


def test_echoed_prompt_labels_are_removed():
    assert clean_output("【本节事实】：举办招聘会2场。\n工作要点：坚持服务青年。") == "举办招聘会2场。\n坚持服务青年。"


def test_compact_plans_keep_each_plan_bullet_and_answer_problems(bullets_text):
    from zongjie.draft import split_items
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["举办青年干部培训班2期，提升履职能力。", "一是创新理论学习形式；二是丰富学习载体。"])
    Drafter(chat=chat, compact=True).draft_section(report, brief, "s3")
    assert report.find("s3").text == "一是举办青年干部培训班2期，提升履职能力。二是创新理论学习形式。三是丰富学习载体。"
    assert "部分基层团组织理论学习形式单一" in chat.seen[1][-1].content
    assert split_items("一是甲；二是乙。") == ["甲", "乙。"]


def test_runaway_answer_is_cut_at_the_budget(bullets_text):
    from zongjie.draft import COMPACT_CALL_CHARS
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    loop = "坚持围绕中心工作，扎实推进各项任务落实。" * 200
    chat = ScriptedChatModel(answers=[loop], chunk_chars=4)
    pieces = []
    Drafter(chat=chat, compact=True, repair=False).draft_section(
        report, brief, "opening", on_event=lambda k, kind, p: pieces.append(p) if kind == "token" else None)
    assert COMPACT_CALL_CHARS <= sum(map(len, pieces)) < COMPACT_CALL_CHARS + 4
    assert report.opening.text == "坚持围绕中心工作，扎实推进各项任务落实。现将有关情况总结如下：", \
        "the loop collapses to one sentence (plus the opening's lead-out)"


def test_concurrent_drafting_runs_sections_in_parallel_and_reports_on_caller_thread(bullets_text):
    import threading
    import time as _time

    brief = brief_of(bullets_text)
    caller = threading.get_ident()
    threads = set()

    def on_event(key, kind, payload):
        threads.add(threading.get_ident())

    slow = TemplateChatModel(delay=0.02, chunk_chars=8)
    t0 = _time.monotonic()
    seq = Drafter(chat=slow).draft_report(brief)
    sequential = _time.monotonic() - t0
    t0 = _time.monotonic()
    par = Drafter(chat=slow).draft_report(brief, on_event=on_event, concurrency=8)
    concurrent = _time.monotonic() - t0
    assert [s.text for s in par.drafting_units()] == [s.text for s in seq.drafting_units()]
    assert threads == {caller}, "UI callbacks never run on worker threads"
    assert concurrent < sequential / 2.5, (concurrent, sequential)


def test_concurrent_failure_keeps_the_other_sections(bullets_text):
    import pytest

    from zongjie.llm import LLMError

    brief = brief_of(bullets_text)

    def responder(messages):
        if "本节标题：存在的问题" in messages[-1].content:
            raise RuntimeError("Error code: 500")
        return TemplateChatModel().respond(messages)

    report = build_outline_for(brief)
    with pytest.raises(LLMError):
        Drafter(chat=ScriptedChatModel(responder=responder)).draft_report(brief, report, concurrency=4)
    assert report.find("s2").text == ""
    assert all(s.text for s in report.drafting_units() if s.key != "s2")


def build_outline_for(brief):
    from zongjie.outline import build_outline

    return build_outline(brief)


def test_any_short_bracket_label_is_removed():
    assert clean_output("开展活动15场。\n【工作成效和意义】：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"
    assert clean_output("第一句：开展活动15场。\n第二句：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"
    assert clean_output("**第一句**：开展活动15场。\n　第二句：提高了服务意识。") == "开展活动15场。\n提高了服务意识。"


def test_first_person_is_dropped():
    assert clean_output("上半年，我们坚持围绕中心工作，增强了我们的凝聚力。") == "上半年，坚持围绕中心工作，增强了凝聚力。"


def test_opening_gets_its_lead_out_and_near_copies_are_dropped():
    from zongjie.draft import with_lead_out

    assert with_lead_out("今年以来，各项工作扎实推进。", "汇报") == "今年以来，各项工作扎实推进。现将有关情况汇报如下："
    assert with_lead_out("……现将有关情况总结如下。", "总结") == "……现将有关情况总结如下："
    assert with_lead_out("……现将有关情况总结如下：", "总结") == "……现将有关情况总结如下："
    raw = ("上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"
           "半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。")
    assert clean_output(raw) == "上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"

"""The drafting pipeline with fake chat models: structure, grounding, repair, masking, streaming, stop."""
import re
import pytest

from langchain_core.messages import HumanMessage

from zongjie.brief import make_brief
from zongjie.draft import Drafter, clean_output
from zongjie.fake_llm import ScriptedChatModel, TemplateChatModel
from zongjie.facts import extract_facts
from zongjie.vocab import ROLE_OPENING


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


def test_compact_calls_share_one_prefix_and_send_only_tag_and_data(bullets_text):
    from zongjie.draft import compact_prefix
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["x。"])
    d = Drafter(chat=chat, compact=True, repair=False)
    for key in ("opening", "s1.1", "s2", "s3"):
        d.draft_section(report, brief, key)
    prefix = compact_prefix()
    assert len(prefix) > 3, "system prompt plus worked examples"
    for messages in chat.seen:  # byte-identical prefix: what lets llama.cpp reuse its KV cache
        assert [(m.type, m.content) for m in messages[:-1]] == [(m.type, m.content) for m in prefix]
    users = [m[-1].content for m in chat.seen]
    opening, first_bullet = users[0], users[1]
    problem, plan_bullet, measures = users[-3:]
    assert opening == "【开头】2023年上半年，共青团某某区委员会"
    assert first_bullet.startswith("【扩写】本节标题：" + report.find("s1.1").heading)
    assert first_bullet.endswith("工作要点：" + brief.bullets[0].text)
    assert problem == "【问题】部分基层团组织理论学习形式单一，吸引力不强"
    assert plan_bullet == "【计划】下半年计划举办青年干部培训班2期"
    assert measures == "【措施】部分基层团组织理论学习形式单一，吸引力不强"
    tags = {u.split("】")[0] + "】" for u in users}
    system = prefix[0].content
    assert all(tag in system for tag in tags), "every task tag sent is explained in the shared system prompt"


def test_compact_examples_parse_into_turns_and_name_the_example_unit():
    from zongjie import prompts
    from zongjie.draft import EXAMPLE_UNIT

    turns = prompts.turns("compact_examples")
    tags = [user.split("】")[0] + "】" for user, _ in turns]
    assert tags == ["【开头】", "【扩写】", "【问题】", "【计划】", "【措施】"]
    assert EXAMPLE_UNIT in turns[0][0] and turns[0][1].startswith(turns[0][0][len("【开头】"):])
    for user, reply in turns:  # the examples obey the rules they teach: no number the input lacks
        from zongjie.facts import extract_facts

        given = {f.raw for f in extract_facts(user)}
        assert {f.raw for f in extract_facts(reply)} <= given, reply


def test_turns_rejects_a_malformed_examples_file(tmp_path, monkeypatch):
    from zongjie import prompts

    (tmp_path / "bad.txt").write_text("【扩写】甲\n====\n【计划】乙\n----\n答", encoding="utf-8")
    monkeypatch.setattr(prompts, "PROMPTS_DIR", tmp_path)
    prompts.load.cache_clear()
    prompts.turns.cache_clear()
    try:
        with pytest.raises(prompts.PromptError):
            prompts.turns("bad")
    finally:
        prompts.load.cache_clear()
        prompts.turns.cache_clear()


def test_example_unit_named_by_the_model_becomes_the_report_unit(bullets_text):
    from zongjie.draft import EXAMPLE_UNIT
    from zongjie.outline import build_outline

    brief = make_brief(bullets_text, "共青团杭州市西湖区委员会", "2023年上半年", "工作总结")
    report = build_outline(brief)
    key = next(s.key for s in report.drafting_units() if s.bullet_ids == ["B3"])
    chat = ScriptedChatModel(answers=[f"坚持网上引领。{EXAMPLE_UNIT}团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次。"])
    Drafter(chat=chat, compact=True).draft_section(report, brief, key)
    text = report.find(key).text
    assert EXAMPLE_UNIT not in text and "共青团杭州市西湖区委员会团区委微信公众号" in text
    assert not report.find(key).issues and len(chat.seen) == 1, "no placeholder flag, so no repair call"


def test_warm_up_prefills_the_shared_prefix_with_one_token():
    from zongjie.draft import compact_prefix, warm_up

    calls = []

    class Recorder(ScriptedChatModel):
        def invoke(self, messages, config=None, **kwargs):
            calls.append((messages, kwargs))
            return super().invoke(messages, config, **kwargs)

    warm_up(Recorder(answers=["好"]))
    (messages, kwargs), = calls
    assert [m.content for m in messages[:-1]] == [m.content for m in compact_prefix()]
    assert kwargs == {"extra_body": {"max_tokens": 1}}

    class Broken(ScriptedChatModel):
        def invoke(self, *_a, **_k):
            raise ConnectionError("down")

    warm_up(Broken(answers=["x"]))  # best effort: a failure is logged, never raised


def test_compact_revision_reuses_the_drafting_prefix(bullets_text):
    from zongjie.draft import compact_prefix
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["2023年上半年，共青团某某区委员会扎实推进各项工作。"])
    Drafter(chat=chat, compact=True).revise_section(report, brief, "opening", "精简")
    messages = chat.seen[0]
    assert [m.content for m in messages[:-1]] == [m.content for m in compact_prefix()]
    assert messages[-1].content.startswith("【修改】") and "修改要求：精简" in messages[-1].content


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
    assert with_lead_out("……现将有关情况总结如下：", "汇报") == "……现将有关情况汇报如下：", \
        "the worked example's 总结 is corrected for a 情况汇报"
    assert with_lead_out("……现将有关情况总结如下：", "总结") == "……现将有关情况总结如下："
    raw = ("上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"
           "半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。")
    assert clean_output(raw) == "上半年共推荐五四红旗团支部1个、优秀共青团员1名，推荐4名优秀团员成为积极分子。"


def test_sentences_lifted_from_the_worked_examples_are_dropped_unless_they_carry_the_bullet():
    from zongjie import prompts
    from zongjie.draft import drop_unbacked

    example = dict(prompts.turns("compact_examples"))
    bullet_answer = next(reply for user, reply in example.items() if user.startswith("【扩写】"))
    copied = bullet_answer.split("。")[-2] + "。"  # its 成效 sentence, about 就业
    own = "半年来走访困境儿童7次，为困境儿童送去关爱。"
    assert drop_unbacked(own + copied, ["半年来走访困境儿童7次"]) == own
    adapted = bullet_answer.split("。")[2].replace("青年", "困难儿童") + "。"  # its 着力点 sentence, adapted
    assert drop_unbacked(own + adapted, ["半年来走访困境儿童7次"]) == own, "a lightly adapted copy too"
    same_problem = "志愿服务项目化、品牌化程度不高，部分活动停留在一般性参与层面，系统性和持续性有待加强。"
    assert drop_unbacked(same_problem, ["志愿服务项目化、品牌化程度不高"]) == same_problem, \
        "the user's own problem may happen to be the example's"
    assert drop_unbacked(same_problem, ["理论学习形式单一"]) == ""
    assert drop_unbacked("甲甲。乙乙！丙丙？丁丁。戊戊", [], limit=4) == "甲甲。乙乙！丙丙？丁丁。"
    late_fact = "坚持服务。注重实效。强化协同。提升质量。半年来走访困境儿童7次。"
    assert drop_unbacked(late_fact, ["半年来走访困境儿童7次"], limit=4) == late_fact, \
        "the bullet's own sentence stays wherever the model put it"
    invented = "同时，加强与学校、社区等单位的合作，定期开展专题讲座。"
    assert drop_unbacked(own + invented, ["半年来走访困境儿童7次"]) == own
    assert drop_unbacked(own + invented, ["半年来走访困境儿童7次"], work=False) == own + invented, "plans may propose"
    reported = "联合社区开展专题讲座5场。"
    assert drop_unbacked(reported + "活动中注重与社区联动。", ["联合社区开展专题讲座5场"]) == \
        reported + "活动中注重与社区联动。", "work the bullet names may be mentioned again"
    paraphrased = "依托学校阵地，半年来共走访7次。"
    assert drop_unbacked(paraphrased, ["半年来走访困境儿童7次"]) == paraphrased, "it carries the bullet's number"


def test_compact_bullet_answer_keeps_four_sentences_and_no_example_copy(bullets_text):
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    key = next(s.key for s in report.drafting_units() if s.bullet_ids == ["B3"])
    answer = ("坚持网上引领。团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次。工作中注重内容质量。"
              "这项工作有效拓宽了青年就业渠道，帮助青年解决了急难愁盼问题，进一步增强了青年对团组织的认同感和归属感。"
              "这项工作扩大了影响。同时开展了线下读书会。")
    Drafter(chat=ScriptedChatModel(answers=[answer]), compact=True).draft_section(report, brief, key)
    text = report.find(key).text
    assert "就业渠道" not in text and "扩大了影响" in text and "读书会" not in text, text

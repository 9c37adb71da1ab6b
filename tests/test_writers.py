"""The drafting styles (zongjie.writers): the whole-section prompt, and the compact style's one call per
bullet behind a shared cached prefix, with its worked examples, warm-up and clean-up of what it adds."""
import re

import pytest
from langchain_core.messages import HumanMessage

from zongjie.brief import make_brief
from zongjie.draft import Drafter
from zongjie.fake_llm import ScriptedChatModel
from zongjie.vocab import ROLE_OPENING


def brief_of(text):
    return make_brief(text, "共青团某某区委员会", "2023年上半年", "工作总结")


def test_compact_mode_one_call_per_results_bullet(bullets_text):
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
    from zongjie.writers.compact import compact_prefix
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
    from zongjie.writers.compact import EXAMPLE_UNIT

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
    from zongjie.writers.compact import EXAMPLE_UNIT
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
    from zongjie.writers.compact import compact_prefix, warm_up

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
    from zongjie.writers.compact import compact_prefix
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["2023年上半年，共青团某某区委员会扎实推进各项工作。"])
    Drafter(chat=chat, compact=True).revise_section(report, brief, "opening", "精简")
    messages = chat.seen[0]
    assert [m.content for m in messages[:-1]] == [m.content for m in compact_prefix()]
    assert messages[-1].content.startswith("【修改】") and "修改要求：精简" in messages[-1].content


def test_compact_plans_keep_each_plan_bullet_and_answer_problems(bullets_text):
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["举办青年干部培训班2期，提升履职能力。", "一是创新理论学习形式；二是丰富学习载体。"])
    Drafter(chat=chat, compact=True).draft_section(report, brief, "s3")
    assert report.find("s3").text == "一是举办青年干部培训班2期，提升履职能力。二是创新理论学习形式。三是丰富学习载体。"
    assert "部分基层团组织理论学习形式单一" in chat.seen[1][-1].content


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

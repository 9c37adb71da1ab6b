"""The drafting pipeline with fake chat models: structure, grounding, repair, masking, streaming, stop."""
import threading

import pytest

from zongjie.brief import make_brief
from zongjie.draft import Drafter
from zongjie.events import DraftListener
from zongjie.facts import extract_facts
from zongjie.fake_llm import ScriptedChatModel, TemplateChatModel


class Recorder(DraftListener):
    """Every event in order, as (section key, the DraftListener method, payload), and the threads they came on."""

    def __init__(self):
        self.log = []
        self.threads = set()

    def _add(self, key, event, payload=""):
        self.log.append((key, event, payload))
        self.threads.add(threading.get_ident())

    def section_started(self, key, heading):
        self._add(key, DraftListener.section_started, heading)

    def token(self, key, piece):
        self._add(key, DraftListener.token, piece)

    def repairing(self, key):
        self._add(key, DraftListener.repairing)

    def retrying(self, key, reason):
        self._add(key, DraftListener.retrying, reason)

    def section_done(self, key, text):
        self._add(key, DraftListener.section_done, text)

    def of(self, event):
        return [(key, payload) for key, e, payload in self.log if e is event]


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


def test_guessed_figures_are_cut_and_flagged_when_the_repair_fails(bullets_text):
    """Issue 14: a repair that still fails must not leave the guessed figure in the prose; the clause
    goes and the gap is flagged (已删去), never silently."""
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    chat = ScriptedChatModel(answers=["团组织坚持服务青年，开展主题团日活动50场，覆盖9999名团员青年。"])
    section = Drafter(chat=chat).draft_section(report, brief, "s2")
    kinds = sorted((i.kind, i.text) for i in section.issues)
    assert ("已删去", "50场") in kinds and ("已删去", "9999名") in kinds
    assert "50场" not in section.text and "9999" not in section.text
    assert section.text.startswith("团组织坚持服务青年") and section.text.endswith("。")
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
    heard = Recorder()
    stop_after = 2

    def should_stop():
        started = len(heard.of(DraftListener.section_started))
        return started >= stop_after and heard.log[-1][1] is DraftListener.section_done

    report = Drafter(chat=TemplateChatModel(chunk_chars=4)).draft_report(brief, listener=heard, should_stop=should_stop)
    assert len(heard.of(DraftListener.token)) > 5
    assert [key for key, _ in heard.of(DraftListener.section_started)] == ["opening", "s1.1"]
    written = [s.key for s in report.drafting_units() if s.text]
    assert written == ["opening", "s1.1"]


def test_revise_uses_instruction_and_current_text(bullets_text):
    brief = brief_of(bullets_text)
    from zongjie.outline import build_outline

    report = build_outline(brief)
    drafter = Drafter(chat=TemplateChatModel())
    drafter.draft_section(report, brief, "s1.1")
    before = report.find("s1.1").text
    result = drafter.revise_section(report, brief, "s1.1", "精简")
    after = report.find("s1.1").text
    # 精简 drops the sentences that state no bullet fact, in code; every figure stays
    assert result.changed and after and len(after) < len(before)
    assert "30余场" in after and "4560名" in after


def test_runaway_answer_is_cut_at_the_budget(bullets_text):
    from zongjie.draft import COMPACT_CALL_CHARS
    from zongjie.outline import build_outline

    brief = brief_of(bullets_text)
    report = build_outline(brief)
    loop = "坚持围绕中心工作，扎实推进各项任务落实。" * 200
    chat = ScriptedChatModel(answers=[loop], chunk_chars=4)
    heard = Recorder()
    Drafter(chat=chat, compact=True, repair=False).draft_section(report, brief, "opening", listener=heard)
    pieces = [piece for _, piece in heard.of(DraftListener.token)]
    assert COMPACT_CALL_CHARS <= sum(map(len, pieces)) < COMPACT_CALL_CHARS + 4
    assert report.opening.text == "坚持围绕中心工作，扎实推进各项任务落实。现将有关情况总结如下：", \
        "the loop collapses to one sentence (plus the opening's lead-out)"


def test_concurrent_drafting_runs_sections_in_parallel_and_reports_on_caller_thread(bullets_text):
    import time as _time

    brief = brief_of(bullets_text)
    caller = threading.get_ident()
    heard = Recorder()

    slow = TemplateChatModel(delay=0.02, chunk_chars=8)
    t0 = _time.monotonic()
    seq = Drafter(chat=slow).draft_report(brief)
    sequential = _time.monotonic() - t0
    t0 = _time.monotonic()
    par = Drafter(chat=slow).draft_report(brief, listener=heard, concurrency=8)
    concurrent = _time.monotonic() - t0
    assert [s.text for s in par.drafting_units()] == [s.text for s in seq.drafting_units()]
    assert heard.threads == {caller}, "UI callbacks never run on worker threads"
    assert len(heard.of(DraftListener.section_done)) == len(par.drafting_units())
    assert concurrent < sequential / 2.5, (concurrent, sequential)


def test_concurrent_failure_keeps_the_other_sections(bullets_text):

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

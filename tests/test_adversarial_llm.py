"""Issue 16, the model path against the loopback stub (bench/stub_server.py): redirects (#7, #22),
credentials in the URL (#8), streams that never end (#13), one oversized delta (#14) and 停止 with
sections drafted in parallel (#15)."""
from __future__ import annotations

import base64
import logging
import threading
import time

import pytest
from langchain_core.messages import HumanMessage

from bench.stub_server import StubServer, empty_deltas, keepalive, ok, one_chunk, redirect
from zongjie import llm
from zongjie.brief import make_brief
from zongjie.draft import FULL_SECTION_CHARS, Drafter
from zongjie.events import DraftListener
from zongjie.llm import LLMError, make_chat_model, stream_text
from zongjie.model import Paragraph
from zongjie.settings import Settings

KEY = "sk-SECRET-123"
BULLETS = "\n".join([
    "开展主题团日活动30余场", "发布推文120篇", "发展新团员35名", "组织志愿服务12次", "举办青年讲堂8期",
    "开展就业帮扶活动6场", "建立基层团支部3个", "问题：理论学习形式单一", "下一步：举办培训班2期",
])


def answer(request: dict) -> str:
    return "围绕本节工作，坚持统筹谋划、扎实推进，取得了积极成效。"


@pytest.fixture
def delays(monkeypatch):
    seen: list[float] = []
    monkeypatch.setattr(llm, "sleep", lambda seconds, should_stop=None: seen.append(seconds))
    return seen


def chat_for(url: str, **kw):
    options = {"base_url": url, "api_key": KEY, "timeout": 1, "max_retries": 0, **kw}
    return make_chat_model(Settings(**options))


def auth(recorded) -> str | None:
    return {k.lower(): v for k, v in recorded.headers.items()}.get("authorization")


def finishes_within(seconds: float, fn):
    """Run fn on a thread; (finished, result or exception). A hang fails the test instead of the suite."""
    box: dict = {}

    def run():
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            box["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), box.get("error", box.get("value")), time.monotonic() - started


# ---- #7 and #22: redirects -----------------------------------------------------------------------
@pytest.mark.parametrize("code", [301, 302, 303, 307, 308])
def test_7_a_redirect_to_another_origin_is_refused_with_a_moved_message(code, delays):
    with StubServer(ok(answer)) as elsewhere, StubServer() as endpoint:
        endpoint.script(redirect(elsewhere.url + "/chat/completions", code=code))
        with pytest.raises(LLMError) as info:
            stream_text(chat_for(endpoint.url, max_retries=2), [HumanMessage(content="本节标题：测试")])
        message = str(info.value)
        assert "地址" in message and "变更" in message and str(elsewhere.port) in message, message
        assert "找不到该模型" not in message and "已自动重试" not in message
        assert info.value.kind == llm.MOVED
        assert elsewhere.requests == [], "the prompt (the user's bullets) never left for the other host"
        assert len(endpoint.chat_requests) == 1


def test_22_a_301_on_the_same_origin_says_moved_not_model_not_found(delays):
    with StubServer() as endpoint:
        endpoint.script(redirect(endpoint.url + "/v2/chat/completions", code=301))
        with pytest.raises(LLMError) as info:
            stream_text(chat_for(endpoint.url), [HumanMessage(content="hi")])
        assert "找不到该模型" not in str(info.value) and "变更" in str(info.value)
        assert [r.method for r in endpoint.requests] == ["POST"], "no GET replay of the chat request"


def test_7_a_same_origin_307_is_followed_with_the_key(delays):
    with StubServer(ok(answer)) as endpoint:
        endpoint.script(redirect(endpoint.url + "/v2/chat/completions", code=307))
        assert stream_text(chat_for(endpoint.url), [HumanMessage(content="hi")]) == answer({})
        assert len(endpoint.chat_requests) == 2
        assert all(auth(r) == f"Bearer {KEY}" for r in endpoint.chat_requests)


# ---- #8: user:password@ in the endpoint URL ------------------------------------------------------
def test_8_userinfo_is_sent_as_basic_auth_but_never_shown(caplog, delays):
    caplog.set_level(logging.DEBUG)
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "zongjie"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    with StubServer(ok(answer)) as stub:
        url = stub.url.replace("http://", "http://alice:s3cr3t-pw@")
        chat = chat_for(url)
        assert stream_text(chat, [HumanMessage(content="hi")]) == answer({})
        (request,) = stub.chat_requests
    expected = "Basic " + base64.b64encode(b"alice:s3cr3t-pw").decode()
    assert auth(request) == expected, "the URL's credentials still authenticate"
    for shown in (repr(chat), str(chat), caplog.text, str(getattr(chat, "openai_api_base", ""))):
        assert "s3cr3t-pw" not in shown


# ---- #13: a wall-clock deadline per call ---------------------------------------------------------
@pytest.mark.parametrize("behaviour", [keepalive(0.1), empty_deltas(0.05)], ids=["keepalive", "empty-deltas"])
def test_13_a_stream_that_never_says_anything_ends_at_the_timeout(behaviour, delays):
    with StubServer(behaviour) as stub:
        chat = chat_for(stub.url, timeout=1, max_retries=1)
        done, result, took = finishes_within(15, lambda: stream_text(chat, [HumanMessage(content="hi")]))
        assert done, "still streaming after 15 s with a 1 s timeout"
        assert isinstance(result, LLMError) and "超时" in str(result) and result.kind == llm.TIMEOUT, result
        assert "已自动重试 1 次" in str(result) and len(stub.chat_requests) == 2
        assert took < 6, took  # two attempts of 1 s each, plus at most one read timeout


def test_13_the_cli_ends_with_the_timeout_message(monkeypatch, tmp_path, bullets_text, capsys):
    from zongjie.cli import main

    src = tmp_path / "要点.txt"
    src.write_text(bullets_text, encoding="utf-8")
    with StubServer(keepalive(0.1)) as stub:
        for var, value in {"BASE_URL": stub.url, "TIMEOUT": "1", "MAX_RETRIES": "0", "STYLE": "full"}.items():
            monkeypatch.setenv("ZONGJIE_" + var, value)
        done, code, took = finishes_within(30, lambda: main([
            "draft", str(src), "--unit", "共青团某某区委员会", "--period", "2023年上半年", "--no-examples",
            "-o", str(tmp_path / "r.docx")]))
    assert done and code == 2, (done, code)
    assert "超时" in capsys.readouterr().err and took < 10


def test_13_a_slow_but_steady_stream_within_the_timeout_is_not_cut(delays):
    with StubServer(ok("坚持统筹谋划，扎实推进工作。" * 3, latency_per_token=0.02)) as stub:
        assert stream_text(chat_for(stub.url, timeout=3), [HumanMessage(content="hi")]).startswith("坚持")


# ---- #14: one oversized delta --------------------------------------------------------------------
def test_14_a_single_huge_delta_is_cut_at_the_output_budget(delays):
    huge = "坚持围绕中心工作扎实推进各项任务落实。" * 50_000  # 950,000 characters in one chunk
    shown: list[str] = []
    with StubServer(one_chunk(huge)) as stub:
        text = stream_text(chat_for(stub.url, timeout=20), [HumanMessage(content="hi")], on_token=shown.append,
                           max_chars=500)
    assert len(text) <= 500 and len("".join(shown)) <= 500 and huge.startswith(text)


def test_14_every_section_stays_within_its_budget_when_the_model_floods(delays):
    brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
    huge = "坚持围绕中心工作扎实推进各项任务落实" * 50_000  # one endless sentence: no repeat to drop
    with StubServer(one_chunk(huge)) as stub:
        drafter = Drafter(chat=chat_for(stub.url, timeout=20), repair=False)
        done, report, took = finishes_within(60, lambda: drafter.draft_report(brief))
    assert done and not isinstance(report, BaseException), report
    for section in report.drafting_units():  # the opening gets its fixed lead-out on top
        assert len(section.text) <= FULL_SECTION_CHARS + 20, (section.key, len(section.text))


# ---- #15: 停止 with several sections in flight ----------------------------------------------------
def test_15_stop_with_concurrency_cancels_queued_sections_and_sends_no_new_requests(delays):
    brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
    slow = ok("围绕本节工作，坚持统筹谋划、扎实推进，取得了积极成效。" * 2, latency_per_token=0.05)
    with StubServer(slow) as stub:
        drafter = Drafter(chat=chat_for(stub.url, timeout=20), repair=False)
        stopped = threading.Event()

        class PressStop(DraftListener):
            def token(self, key, piece):
                if len(stub.chat_requests) >= 2:
                    stopped.set()  # the user presses 停止 while two sections stream

        done, report, took = finishes_within(30, lambda: drafter.draft_report(
            brief, listener=PressStop(), should_stop=stopped.is_set, concurrency=2))
        assert done and not isinstance(report, BaseException), report
        at_return = len(stub.chat_requests)
        time.sleep(1.0)  # anything still queued would reach the stub now
        assert len(stub.chat_requests) == at_return, "requests kept arriving after 停止"
        assert at_return <= 3, f"{at_return} requests for 2 sections in flight at the stop"
        assert len(report.drafting_units()) >= 7
        assert took < 5


def test_15_a_section_written_in_several_calls_asks_nothing_more_after_stop():
    """Compact style writes 下一步工作打算 in one call per plan bullet plus one for the measures: after
    停止 during the first, the others are never sent, and the stopped section keeps its text."""
    from zongjie.fake_llm import ScriptedChatModel
    from zongjie.outline import build_outline

    brief = make_brief(BULLETS + "\n下一步：开展调研3次\n下一步：建立台账1套", "共青团某某区委员会", "2023年上半年",
                       "工作总结")
    report = build_outline(brief)
    plans = next(s for s in report.drafting_units() if s.role == "计划")
    stopped = threading.Event()

    class PressStop(DraftListener):
        def token(self, key, piece):
            stopped.set()

    chat = ScriptedChatModel(answers=["下半年计划举办培训班2期，进一步提升能力。"], seen=[])
    Drafter(chat=chat, compact=True, repair=False).draft_section(report, brief, plans.key, listener=PressStop(),
                                                                 should_stop=stopped.is_set)
    assert len(chat.seen) == 1, f"{len(chat.seen)} calls after 停止"

    plans.paragraphs = [Paragraph("用户已有的打算。")]
    Drafter(chat=chat, compact=True).draft_section(report, brief, plans.key, should_stop=lambda: True)
    assert plans.text == "用户已有的打算。" and len(chat.seen) == 1


def test_the_adversarial_bench_runs_and_counts(monkeypatch, capsys):
    from bench import adversarial

    monkeypatch.setattr(llm, "sleep", llm.sleep)  # main() replaces it; restored after the test
    monkeypatch.setattr("sys.argv", ["adversarial.py", "-k", "#22"])
    root = logging.getLogger()
    level = root.level
    try:
        assert adversarial.main() == 0
    finally:
        root.setLevel(level)
    out = capsys.readouterr().out
    assert "held   #22 301 on the same origin" in out and "1 held, 0 failed" in out

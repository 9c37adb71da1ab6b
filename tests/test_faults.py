"""LLM faults against a real ChatOpenAI talking to the loopback stub server (bench/stub_server.py):
bounded retries with backoff, a Chinese message at the end, written sections kept, one section
retried alone, and the API key nowhere but in the Authorization header sent to the endpoint."""
import logging
import re
import time

import pytest
from langchain_core.messages import HumanMessage

from bench.stub_server import StubServer, cut_stream_after, delay_before, empty, garbage, ok, redirect, status
from zongjie import llm
from zongjie.brief import make_brief
from zongjie.draft import Drafter
from zongjie.events import DraftListener
from zongjie.llm import LLMError, backoff_delay, make_chat_model, stream_text
from zongjie.local_model import free_port
from zongjie.model import Paragraph
from zongjie.outline import build_outline
from zongjie.settings import Settings

KEY = "sk-SECRET-123"
BULLETS = "开展主题团日活动30余场\n发布推文120篇\n发展新团员35名\n问题：理论学习形式单一\n下一步：举办培训班2期"
USER_OPENING = "这是用户自己写的开头，已锁定。"


def answer(request: dict) -> str:
    """A distinct, number-free paragraph per section, so a duplicate or a mix-up is visible."""
    prompt = str((request.get("messages") or [{}])[-1].get("content", ""))
    m = re.search(r"本节标题：(.*)", prompt)
    heading = m.group(1).strip() if m else "本节"
    return f"围绕{heading}，扎实推进{heading}。"  # nothing shared between sections: prune would cut it


@pytest.fixture
def delays(monkeypatch):
    """No real waiting in tests; the computed backoff delays are recorded instead."""
    seen: list[float] = []
    monkeypatch.setattr(llm, "sleep", lambda seconds, should_stop=None: seen.append(seconds))
    return seen


@pytest.fixture
def stub():
    with StubServer(ok(answer)) as server:
        yield server


@pytest.fixture
def brief():
    return make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")


def chat_for(url: str):
    return make_chat_model(Settings(base_url=url, api_key=KEY, timeout=1, max_retries=2))


def outline_with_user_opening(brief):
    """The user wrote and locked the opening before drafting: it must survive everything."""
    report = build_outline(brief)
    report.opening.paragraphs = [Paragraph(text=USER_OPENING)]
    report.opening.locked = True
    return report


def texts(report) -> dict[str, str]:
    return {s.key: s.text for s in report.drafting_units()}


# Each fault with the word its final message must contain. The third call is section s1.3.
FAULTS = {
    "timeout": (lambda: delay_before(3, answer), "超时"),
    "429": (lambda: status(429, retry_after=1), "繁忙"),
    "500": (lambda: status(500), "服务出错"),
    "cut": (lambda: cut_stream_after(2, answer), "回复中断"),
    "cut-close": (lambda: cut_stream_after(2, answer, framing="close"), "回复中断"),
    "empty": (empty, "返回为空"),
    "garbage-sse": (lambda: garbage("sse"), "格式错误"),
    "garbage-body": (lambda: garbage("body"), "格式错误"),
}


@pytest.mark.parametrize("name", list(FAULTS))
def test_fault_on_third_call_recovers_within_retries(name, stub, brief, delays):
    make, _ = FAULTS[name]
    stub.script(ok(answer), ok(answer), make())
    report = Drafter(chat=chat_for(stub.url), repair=False).draft_report(brief, outline_with_user_opening(brief))
    assert report.opening.text == USER_OPENING
    for section in report.drafting_units()[1:]:
        assert section.text == answer({"messages": [{"content": f"本节标题：{section.heading}"}]}), section.key
    # s1.1, s1.2, s1.3 twice (fault + retry), s2, s3: the client itself did not retry on top of us.
    assert len(stub.chat_requests) == 6
    assert delays == [1.0]


def test_cut_stream_keeps_no_partial_duplicate(stub, brief, delays):
    tokens: list[str] = []

    class Tokens(DraftListener):
        def token(self, key, piece):
            if key == "s1.3":
                tokens.append(piece)

    stub.script(ok(answer), ok(answer), cut_stream_after(3, answer))
    report = Drafter(chat=chat_for(stub.url), repair=False).draft_report(
        brief, outline_with_user_opening(brief), listener=Tokens())
    text = report.find("s1.3").text
    assert text.count("围绕") == 1 and text.startswith("围绕" + report.find("s1.3").heading)
    assert "".join(tokens).count("围绕") == 2, "the UI saw the cut attempt's tokens; see on_retry"


@pytest.mark.parametrize("name", list(FAULTS))
def test_persistent_fault_stops_with_message_keeps_sections_and_retries_one(name, stub, brief, delays):
    make, needle = FAULTS[name]
    stub.script(ok(answer), ok(answer), make(), make(), make())
    report = outline_with_user_opening(brief)
    drafter = Drafter(chat=chat_for(stub.url), repair=False)
    started = time.monotonic()
    with pytest.raises(LLMError) as info:
        drafter.draft_report(brief, report)
    message = str(info.value)
    assert needle in message and "已自动重试 2 次" in message, message
    assert info.value.kind in llm.RETRYABLE
    assert delays == [1.0, 2.0]  # backoff 1 s then 2 s (for 429, Retry-After: 1 does not shorten it)
    if name == "timeout":  # client timeout 1 s vs server silence 3 s: three attempts, ~3 s in all
        assert 2.5 < time.monotonic() - started < 6
    got = texts(report)
    assert got["opening"] == USER_OPENING
    assert got["s1.1"] and got["s1.2"] and not got["s1.3"] and not got["s2"] and not got["s3"]

    # The user edits a written section, the server recovers, only the failed section is redone.
    report.find("s1.1").paragraphs = [Paragraph(text="用户改过的第一节。")]
    before = texts(report)
    drafter.draft_section(report, brief, "s1.3")
    after = texts(report)
    assert after["s1.3"].startswith("围绕" + report.find("s1.3").heading)
    assert {k: v for k, v in after.items() if k != "s1.3"} == {k: v for k, v in before.items() if k != "s1.3"}


def test_retry_after_is_honoured(stub, delays):
    stub.script(status(429, retry_after=1), status(429, retry_after=5))
    assert stream_text(chat_for(stub.url), [HumanMessage(content="hi")]) == answer({})
    assert delays == [1.0, 5.0] and min(delays) >= 1.0


def test_retry_after_is_capped_and_backoff_grows():
    assert [backoff_delay(n) for n in range(1, 7)] == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert backoff_delay(1, 0.5) == 1.0 and backoff_delay(1, 3) == 3.0
    assert backoff_delay(1, 3600) == llm.RETRY_AFTER_CAP


def test_connection_refused(delays):
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(LLMError, match="无法连接") as info:
        stream_text(chat_for(url), [HumanMessage(content="hi")])
    assert info.value.kind == llm.CONNECT and delays == [1.0, 2.0]


def test_not_retried_when_retrying_cannot_help(stub, delays):
    stub.script(status(401))
    with pytest.raises(LLMError, match="密钥"):
        stream_text(chat_for(stub.url), [HumanMessage(content="hi")])
    assert len(stub.chat_requests) == 1 and delays == []


def test_retry_budget_comes_from_settings_and_client_does_not_retry(stub, delays):
    chat = make_chat_model(Settings(base_url=stub.url, api_key=KEY, max_retries=0))
    assert chat.max_retries == 0 and chat.root_client.max_retries == 0
    stub.script(status(500))
    with pytest.raises(LLMError, match="服务出错（HTTP 500）") as info:
        stream_text(chat, [HumanMessage(content="hi")])
    assert "已自动重试" not in str(info.value) and len(stub.chat_requests) == 1
    assert chat_for(stub.url).root_client.max_retries == 0


def test_on_retry_lets_the_caller_clear_a_cut_attempt(stub, delays):
    shown: list[str] = []
    stub.script(cut_stream_after(2, "甲乙丙丁戊己庚辛。"))
    text = stream_text(chat_for(stub.url), [HumanMessage(content="hi")], on_token=shown.append,
                       on_retry=lambda n, delay, reason: shown.clear())
    assert text == "".join(shown) == answer({})


def test_stop_during_retries_returns_without_error(stub, delays):
    stub.script(status(500), status(500), status(500))
    stopped = []
    text = stream_text(chat_for(stub.url), [HumanMessage(content="hi")], should_stop=lambda: bool(stopped),
                       on_retry=lambda *a: stopped.append(1))
    assert text == "" and len(stub.chat_requests) == 1


def test_callback_errors_are_not_model_faults(stub, delays):
    def boom(_):
        raise KeyError("ui")

    with pytest.raises(KeyError):
        stream_text(chat_for(stub.url), [HumanMessage(content="hi")], on_token=boom)
    assert len(stub.chat_requests) == 1


# ---- the key ------------------------------------------------------------------------------------
ALL_FAULTS = [f() for f, _ in FAULTS.values()] + [status(401), status(404), status(503, retry_after=1)]


def test_key_never_in_logs_or_messages(stub, caplog, delays):
    caplog.set_level(logging.DEBUG)  # root: openai, httpx(2), httpcore(2) and ours all at DEBUG
    for name in ("openai", "httpx", "httpx2", "httpcore", "httpcore2", "zongjie"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    chat = make_chat_model(Settings(base_url=stub.url, api_key=KEY, timeout=1, max_retries=1))
    messages = []
    for fault in ALL_FAULTS:
        stub.script(fault, fault)
        with pytest.raises(LLMError) as info:
            stream_text(chat, [HumanMessage(content="hi")])
        messages.append(str(info.value))
        assert KEY not in str(info.value) and KEY not in repr(info.value)
    unreachable = make_chat_model(Settings(base_url=f"http://127.0.0.1:{free_port()}/v1", api_key=KEY,
                                           max_retries=0))
    with pytest.raises(LLMError) as info:
        stream_text(unreachable, [HumanMessage(content="hi")])
    assert KEY not in str(info.value)
    assert "model call failed" in caplog.text and "DEBUG" in {r.levelname for r in caplog.records}
    assert KEY not in caplog.text
    assert KEY not in repr(chat)
    # ...and it was sent, to this endpoint, as the bearer token of every request.
    assert stub.chat_requests and all(r.headers.get("authorization") == f"Bearer {KEY}"
                                      for r in stub.chat_requests)


def test_key_echoed_by_a_server_is_redacted(stub, caplog, delays):
    caplog.set_level(logging.DEBUG)
    stub.script(status(401, body='{"error": {"message": "Incorrect API key provided: Bearer sk-SECRET-123"}}'))
    chat = chat_for(stub.url)
    with pytest.raises(LLMError, match="密钥") as info:
        stream_text(chat, [HumanMessage(content="hi")])
    assert KEY not in caplog.text and "model call failed" in caplog.text
    assert info.value.__cause__ is None, "the echoing client error is not chained into tracebacks"


def test_nothing_forwarded_on_redirect_to_another_origin(brief, delays):
    """Neither the key nor the prompt: a cross-origin redirect is refused (issue 16 #7; before, the
    client followed it without the key but with the bullets)."""
    with StubServer(ok(answer)) as elsewhere, StubServer() as endpoint:
        endpoint.script(redirect(elsewhere.url + "/chat/completions"))
        with pytest.raises(LLMError, match="地址已变更") as info:
            stream_text(chat_for(endpoint.url), [HumanMessage(content="本节标题：测试")])
        assert info.value.kind == llm.MOVED and delays == [], "not retried"
        assert endpoint.chat_requests[0].headers.get("authorization") == f"Bearer {KEY}"
        assert elsewhere.requests == []


def test_loopback_endpoint_ignores_proxy_environment(stub, monkeypatch, delays):
    dead_proxy = f"http://127.0.0.1:{free_port()}"
    for var in ("HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.setenv(var, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert stream_text(chat_for(stub.url), [HumanMessage(content="hi")])


def test_a_retry_gets_the_full_output_budget_again(stub, delays, brief):
    """The cut attempt's characters must not count against the retry's budget (compact mode)."""
    from zongjie.draft import COMPACT_CALL_CHARS

    long_answer = "坚持围绕中心工作，扎实推进各项任务落实，" * ((COMPACT_CALL_CHARS - 30) // 20) + "取得了积极成效。"
    assert COMPACT_CALL_CHARS - 60 < len(long_answer) < COMPACT_CALL_CHARS
    stub.script(cut_stream_after(80, long_answer), ok(long_answer))
    report = build_outline(brief)
    retries = []

    class Retries(DraftListener):
        def retrying(self, key, reason):
            retries.append(reason)

    Drafter(chat=chat_for(stub.url), compact=True, repair=False).draft_section(
        report, brief, "opening", listener=Retries())
    assert report.opening.text == long_answer + "现将有关情况总结如下："  # the opening's fixed lead-out
    assert retries

"""The hostile-endpoint cases of issue 16, and the fault kinds before them, against the loopback stub
through the real ChatOpenAI path. Prints one line per case and the held/failed counts.

    .venv/bin/python bench/adversarial.py            # exit status 1 if any case failed

Each case is a small function that returns "" when the defence held, else what went wrong.
"""
from __future__ import annotations

import argparse
import base64
import io
import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from langchain_core.messages import HumanMessage  # noqa: E402

from bench.stub_server import (  # noqa: E402
    StubServer,
    cut_stream_after,
    delay_before,
    empty,
    empty_deltas,
    garbage,
    keepalive,
    ok,
    one_chunk,
    redirect,
    status,
)
from zongjie import llm  # noqa: E402
from zongjie.brief import make_brief  # noqa: E402
from zongjie.draft import FULL_SECTION_CHARS, Drafter  # noqa: E402
from zongjie.events import DraftListener  # noqa: E402
from zongjie.llm import LLMError, make_chat_model, stream_text  # noqa: E402
from zongjie.settings import Settings  # noqa: E402

KEY = "sk-BENCH-SECRET"
ANSWER = "围绕本节工作，坚持统筹谋划、扎实推进，取得了积极成效。"
BULLETS = "\n".join(["开展主题团日活动30余场", "发布推文120篇", "发展新团员35名", "组织志愿服务12次",
                     "举办青年讲堂8期", "开展就业帮扶活动6场", "建立基层团支部3个",
                     "问题：理论学习形式单一", "下一步：举办培训班2期"])
HI = [HumanMessage(content="本节标题：测试")]


def chat(url: str, **kw):
    return make_chat_model(Settings(**{"base_url": url, "api_key": KEY, "timeout": 1, "max_retries": 0, **kw}))


def within(seconds: float, fn: Callable[[], object]) -> tuple[bool, object, float]:
    """Run fn on a thread: (finished in time, its result or exception, seconds taken)."""
    box: dict = {}

    def run() -> None:
        try:
            box["v"] = fn()
        except BaseException as exc:  # noqa: BLE001 - reported by the case
            box["v"] = exc

    thread = threading.Thread(target=run, daemon=True)
    started = time.monotonic()
    thread.start()
    thread.join(seconds)
    return not thread.is_alive(), box.get("v"), time.monotonic() - started


def expect_error(fn: Callable[[], object], kind: str, words: str) -> str:
    try:
        fn()
    except LLMError as exc:
        if exc.kind != kind or words not in str(exc):
            return f"wrong error: {exc.kind}: {exc}"
        return ""
    return "no error"


# ---- the fault kinds of the first reliability pass (each persistent) -----------------------------
def fault(behaviour, kind: str, words: str, **kw) -> Callable[[], str]:
    def case() -> str:
        with StubServer(behaviour) as stub:
            return expect_error(lambda: stream_text(chat(stub.url, **kw), HI), kind, words)
    return case


def refused() -> str:
    from zongjie.local_model import free_port

    return expect_error(lambda: stream_text(chat(f"http://127.0.0.1:{free_port()}/v1"), HI), llm.CONNECT, "无法连接")


# ---- issue 16 ------------------------------------------------------------------------------------
def cross_origin_redirect(code: int) -> Callable[[], str]:
    def case() -> str:
        with StubServer(ok(ANSWER)) as elsewhere, StubServer() as endpoint:
            endpoint.script(redirect(elsewhere.url + "/chat/completions", code=code))
            problem = expect_error(lambda: stream_text(chat(endpoint.url, max_retries=2), HI), llm.MOVED, "地址已变更")
            if elsewhere.requests:
                problem += f" {len(elsewhere.requests)} request(s) reached the other host"
            return problem.strip()
    return case


def same_origin_301() -> str:
    with StubServer(ok(ANSWER)) as endpoint:
        endpoint.script(redirect(endpoint.url + "/v2/chat/completions", code=301))
        problem = expect_error(lambda: stream_text(chat(endpoint.url), HI), llm.MOVED, "地址已变更")
        return problem or ("replayed as GET" if any(r.method == "GET" for r in endpoint.requests) else "")


def userinfo_hidden() -> str:
    log = io.StringIO()
    handler = logging.StreamHandler(log)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    try:
        with StubServer(ok(ANSWER)) as stub:
            model = chat(stub.url.replace("http://", "http://alice:pw-SECRET@"))
            stream_text(model, HI)
            sent = {k.lower(): v for k, v in stub.chat_requests[0].headers.items()}.get("authorization")
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    if sent != "Basic " + base64.b64encode(b"alice:pw-SECRET").decode():
        return f"credentials not sent as Basic auth: {sent!r}"
    leaks = [where for where, text in (("repr", repr(model)), ("log", log.getvalue())) if "pw-SECRET" in text]
    return f"password in {', '.join(leaks)}" if leaks else ""


def silent_stream(behaviour) -> Callable[[], str]:
    def case() -> str:
        with StubServer(behaviour) as stub:
            done, result, took = within(20, lambda: stream_text(chat(stub.url, timeout=1), HI))
        if not done:
            return "still streaming after 20 s (timeout 1 s)"
        if not isinstance(result, LLMError) or result.kind != llm.TIMEOUT:
            return f"ended with {result!r}"
        return f"took {took:.1f} s" if took > 3 else ""
    return case


def huge_delta() -> str:
    text = "坚持围绕中心工作扎实推进各项任务落实" * 50_000
    with StubServer(one_chunk(text)) as stub:
        got = stream_text(chat(stub.url, timeout=30), HI, max_chars=FULL_SECTION_CHARS)
        brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
        report = Drafter(chat=chat(stub.url, timeout=30), repair=False).draft_report(brief)
    if len(got) > FULL_SECTION_CHARS:
        return f"stream returned {len(got)} characters"
    longest = max(len(s.text) for s in report.drafting_units())
    return f"a section of {longest} characters" if longest > FULL_SECTION_CHARS + 20 else ""


def stop_with_concurrency() -> str:
    brief = make_brief(BULLETS, "共青团某某区委员会", "2023年上半年", "工作总结")
    with StubServer(ok(ANSWER * 2, latency_per_token=0.05)) as stub:
        stopped = threading.Event()

        class PressStop(DraftListener):
            def token(self, key: str, piece: str) -> None:
                if len(stub.chat_requests) >= 2:
                    stopped.set()

        drafter = Drafter(chat=chat(stub.url, timeout=20), repair=False)
        done, result, took = within(30, lambda: drafter.draft_report(
            brief, listener=PressStop(), should_stop=stopped.is_set, concurrency=2))
        at_return = len(stub.chat_requests)
        time.sleep(1.0)
        later = len(stub.chat_requests)
    if not done or isinstance(result, BaseException):
        return f"draft did not end cleanly: {result!r}"
    if later > at_return:
        return f"{later - at_return} request(s) after the draft returned"
    return f"{at_return} requests for 2 in flight" if at_return > 3 else ""


CASES: list[tuple[str, Callable[[], str]]] = [
    ("timeout (server silent)", fault(delay_before(3, ANSWER), llm.TIMEOUT, "超时")),
    ("429", fault(status(429, retry_after=0), llm.BUSY, "繁忙")),
    ("500", fault(status(500), llm.SERVER, "服务出错")),
    ("connection refused", refused),
    ("stream cut mid-reply", fault(cut_stream_after(2, ANSWER), llm.CUT, "中断")),
    ("empty content", fault(empty(), llm.EMPTY, "为空")),
    ("garbage SSE", fault(garbage("sse"), llm.FORMAT, "格式错误")),
    ("401", fault(status(401), llm.AUTH, "密钥")),
    *[(f"#7 {code} to another origin", cross_origin_redirect(code)) for code in (301, 302, 303, 307, 308)],
    ("#22 301 on the same origin", same_origin_301),
    ("#8 user:password@ in the URL", userinfo_hidden),
    ("#13 keep-alive comments forever", silent_stream(keepalive(0.1))),
    ("#13 empty deltas forever", silent_stream(empty_deltas(0.05))),
    ("#14 one 950,000-character delta", huge_delta),
    ("#15 停止 with concurrency 2", stop_with_concurrency),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-k", default="", help="run only cases whose name contains this")
    args = ap.parse_args()
    llm.sleep = lambda seconds, should_stop=None: None  # no backoff waits: the cases are about the outcome
    logging.getLogger().setLevel(logging.ERROR)
    held = failed = 0
    for name, case in CASES:
        if args.k not in name:
            continue
        started = time.monotonic()
        try:
            problem = case()
        except Exception as exc:  # noqa: BLE001 - a crash is a failed case
            problem = f"crashed: {type(exc).__name__}: {exc}"
        took = time.monotonic() - started
        if problem:
            failed += 1
            print(f"FAILED {name:36s} {took:5.1f} s  {problem}", flush=True)
        else:
            held += 1
            print(f"held   {name:36s} {took:5.1f} s", flush=True)
    print(f"\n{held} held, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

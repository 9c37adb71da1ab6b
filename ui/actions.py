"""The long-running work a button queues (outline, draft, redraft, revise, undo): run at the top of the
next script run, before any widget whose value it changes is drawn (Streamlit forbids changing a drawn
widget's state), with the draft saved section by section as it streams in."""
from __future__ import annotations

import streamlit as st

from zongjie import session
from zongjie.brief import BriefError
from zongjie.errors import UserError
from zongjie.events import DraftListener
from zongjie.local_model import LocalModelError
from zongjie.model import Brief, Report
from zongjie.outline import build_outline

from .state import current_brief, draft, get_index, label, runtime, set_error, sync_widgets

MODEL_START = "正在启动内置模型（首次约需 10–60 秒）…"


def run_pending() -> None:
    pending = st.session_state.pop("pending", None)
    if not pending:
        return
    action, key, arg = pending
    try:
        brief = current_brief()
        if action == "outline":
            regenerate_outline(brief)
        elif action == "draft_all":
            draft_all(brief)
        elif action == "draft_one":
            draft_one(brief, key)
        elif action == "revise":
            instruction = arg or st.session_state.get(f"instr_{key}", "").strip()
            if not instruction:
                raise BriefError("请先在“重写要求”里写明怎么改，例如：更精炼、突出数据、增加一条。")
            revise(brief, key, instruction)
        elif action == "undo":
            if draft().undo(brief, key):
                sync_widgets(st.session_state.report)
            else:
                set_error("没有更早的版本可以撤销。")
    except (UserError, LocalModelError) as exc:
        set_error(str(exc))
    except KeyError:
        set_error("找不到该小节，可能已被删除，请刷新页面。")


def regenerate_outline(brief: Brief) -> None:
    """A new outline replaces the sections; with text already drafted, ask for a second click first,
    and keep every drafted section in its version history so nothing is lost."""
    report = st.session_state.get("report")
    drafted = [s for s in report.drafting_units() if s.text] if report else []
    if drafted and not st.session_state.pop("confirm_outline", False):
        st.session_state.confirm_outline = True
        set_error("已有起草的正文。再点一次“生成提纲”将按要点重新分配并清空正文（旧正文保留在各节的历史版本中）。")
        return
    for section in drafted:
        session.record(draft().store, st.session_state.draft_id, report, section.key, "重新生成提纲前")
    st.session_state.report = build_outline(brief)
    draft().save()
    sync_widgets(st.session_state.report)


def drafter():
    """The drafter for this run's settings; starting the embedded server shows a spinner."""
    rt = runtime()
    if rt.starts_server:
        with st.spinner(MODEL_START):
            chat = rt.chat()
    else:
        chat = rt.chat()
    return rt.drafter(get_index(), pinned_report=st.session_state.get("pinned") or None, chat=chat)


def ensure_report(brief: Brief) -> Report:
    if st.session_state.get("report") is None:
        st.session_state.report = build_outline(brief)
        sync_widgets(st.session_state.report)
    return st.session_state.report


def draft_all(brief: Brief) -> None:
    """Sections are saved one by one as they finish, so 停止 (any click reruns the page and ends
    this run) keeps them; with a remote endpoint and 并发 > 1 several are drafted at once."""
    report = ensure_report(brief)
    units = [s for s in report.drafting_units() if not s.locked]
    if not units:
        set_error("所有小节都已锁定，没有需要起草的内容。")
        return
    box = st.container(border=True)
    bar = box.progress(0.0, text="准备起草…")
    stop_slot = box.empty()
    stop_slot.button("■ 停止起草", key="stop", help="已完成的小节会保留")
    live = box.empty()
    drafter().draft_report(brief, report, listener=LiveProgress(report, len(units), bar, live),
                           concurrency=runtime().concurrency)
    bar.progress(1.0, text="起草完成")
    stop_slot.empty()
    live.empty()


class LiveProgress(DraftListener):
    """Shows the section being drafted as it streams, and saves each one the moment it is done."""

    def __init__(self, report: Report, total: int, bar, live) -> None:
        self.report, self.total, self.bar, self.live = report, total, bar, live
        self.finished = 0
        self.buffers: dict[str, list[str]] = {}

    def section_started(self, key: str, heading: str) -> None:
        self.buffers[key] = []
        name = label(self.report, key)
        self.bar.progress(self.finished / self.total, text=f"正在起草（{self.finished + 1}/{self.total}）：{name}")

    def token(self, key: str, piece: str) -> None:
        self.buffers.setdefault(key, []).append(piece)
        self.live.info("".join(self.buffers[key])[-400:])

    def repairing(self, key: str) -> None:
        self.buffers[key] = []
        self.live.warning("核对事实后正在重写本节…")

    def retrying(self, key: str, reason: str) -> None:
        self.buffers[key] = []
        self.live.warning(f"{reason}，正在自动重试…")

    def section_done(self, key: str, text: str) -> None:
        self.finished += 1
        finish_section(key, "生成")
        self.bar.progress(self.finished / self.total, text=f"已完成 {self.finished}/{self.total}")


def draft_one(brief: Brief, key: str) -> None:
    report = ensure_report(brief)
    d = drafter()
    with st.spinner("正在重新生成本节…"):
        d.draft_section(report, brief, key)
    finish_section(key, "重新生成")


def revise(brief: Brief, key: str, instruction: str) -> None:
    report = ensure_report(brief)
    d = drafter()
    with st.spinner(f"正在按要求修改：{instruction[:20]}…"):
        d.revise_section(report, brief, key, instruction)
    finish_section(key, instruction[:20])


def finish_section(key: str, note: str) -> None:
    """A section got new text: keep it as a version, save the draft, show it in its editor."""
    draft().commit(key, note)
    st.session_state[f"text_{key}"] = st.session_state.report.find(key).text

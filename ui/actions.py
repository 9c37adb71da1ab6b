"""The long-running work a button queues (outline, draft, redraft, revise, undo): run at the top of the
next script run, before any widget whose value it changes is drawn (Streamlit forbids changing a drawn
widget's state), with the draft saved section by section as it streams in."""
from __future__ import annotations

import time

import streamlit as st

from zongjie import session
from zongjie.brief import BriefError
from zongjie.errors import UserError
from zongjie.events import DraftListener
from zongjie.local_model import LocalModelError
from zongjie.model import Brief, IssueKind, Report
from zongjie.outline import build_outline
from zongjie.revise import NO_CHANGE

from .safe import md
from .state import current_brief, draft, get_index, label, runtime, set_error, sync_widgets

MODEL_START = "正在启动内置模型（首次约需 10–60 秒）…"


# Section actions run inside the section's card (ui.sections calls run_in_card), where the user clicked:
# drawn at the top of the page, their spinner sat 1,200 px above the section (issue 15.4).
SECTION_ACTIONS = ("draft_one", "revise", "undo", "restore")
# Characters a second the embedded 1.5B model writes on 2 shared cores (about 15 tokens/s), until this
# session has measured its own; a remote endpoint is faster, the template model instant.
EMBEDDED_RATE, REMOTE_RATE, FAKE_RATE = 20.0, 40.0, 2000.0
# Notes of versions the user wrote (起草全文 asks before replacing them).
HAND_NOTES = ("手动编辑", "校对修正")


def run_pending() -> None:
    draft_question()
    pending = st.session_state.pop("pending", None)
    if not pending:
        return
    action, key, arg = pending
    if action in SECTION_ACTIONS:
        st.session_state.card_pending = pending
        return
    try:
        brief = brief_now()
        if action == "outline":
            regenerate_outline(brief)
        elif action == "draft_all":
            draft_all(brief, arg)
    except (UserError, LocalModelError) as exc:
        set_error(str(exc))


def brief_now() -> Brief:
    """The brief from the inputs, with the target length (约N字) the user set, if any."""
    brief = current_brief()
    brief.target_chars = target_chars(st.session_state.get("target", ""))
    return brief


def target_chars(value) -> int | None:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    return int(digits) if digits and 100 <= int(digits) <= 50_000 else None


def run_in_card(pending: tuple[str, str, str]) -> None:
    """A queued section action, run inside that section's card: its progress, estimate, streamed text and
    outcome (a change, or why nothing changed) appear where the user clicked."""
    action, key, arg = pending
    st.session_state.pop(f"notice_{key}", None)
    try:
        brief = brief_now()
        if action == "draft_one":
            draft_one(brief, key)
        elif action == "revise":
            instruction = arg or st.session_state.get(f"instr_{key}", "").strip()
            if not instruction:
                raise BriefError("请先在“重写要求”里写明怎么改，例如：更精炼、突出数据、增加一条。")
            revise(brief, key, instruction)
        elif action == "undo":
            if draft().undo(brief, key):
                st.session_state[f"text_{key}"] = st.session_state.report.find(key).text
            else:
                card_notice(key, "没有更早的版本可以撤销。可在“历史版本”中恢复任一版。")
        elif action == "restore" and draft().restore(brief, key, int(arg)):
            st.session_state[f"text_{key}"] = st.session_state.report.find(key).text
    except (UserError, LocalModelError) as exc:
        card_notice(key, str(exc), "error")
    except KeyError:
        card_notice(key, "找不到该小节，可能已被删除，请刷新页面。", "error")


def card_notice(key: str, text: str, kind: str = "info") -> None:
    st.session_state[f"notice_{key}"] = (kind, text)


def rate() -> float:
    measured = st.session_state.get("chars_per_s")
    if measured:
        return measured
    rt = runtime()
    return FAKE_RATE if rt.fake else EMBEDDED_RATE if rt.settings.embedded else REMOTE_RATE


def seconds_for(chars: int) -> int:
    return max(1, round(chars / rate()))


def measured(chars: int, seconds: float) -> None:
    """Keep this session's writing speed for the next estimates (only from real work, not cache hits)."""
    if chars >= 40 and seconds >= 1:
        old = st.session_state.get("chars_per_s")
        st.session_state.chars_per_s = chars / seconds if not old else (old + chars / seconds) / 2


def hand_edited(report: Report) -> list[str]:
    """Keys of the unlocked sections whose current text the user wrote (edit or proofreading fix)."""
    out = []
    for section in report.drafting_units():
        if section.locked or not section.text:
            continue
        versions = draft().versions(section.key)
        if versions and versions[-1].text == section.text and versions[-1].note.startswith(HAND_NOTES):
            out.append(section.key)
    return out


def draft_question() -> None:
    """起草全文 with hand-edited sections asks first; skipping them is the default (issue 15.3)."""
    keys = st.session_state.get("confirm_draft")
    report = st.session_state.get("report")
    if not keys or report is None:
        return
    with st.container(border=True, key="draft_question"):
        st.warning(f"{len(keys)} 节已手动修改（{'、'.join(md(label(report, k)) for k in keys)}）——一并重写还是跳过？")
        c1, c2, c3 = st.columns([2, 2, 1])
        c1.button(f"跳过这 {len(keys)} 节，起草其余", type="primary", key="draft_skip", on_click=answer_draft,
                  args=("skip",), width="stretch")
        c2.button("一并重写（旧文保留在历史版本）", key="draft_overwrite", on_click=answer_draft, args=("all",),
                  width="stretch")
        c3.button("取消", key="draft_cancel", on_click=answer_draft, args=("",), width="stretch")


def answer_draft(mode: str) -> None:
    keys = st.session_state.pop("confirm_draft", None) or []
    if mode:
        st.session_state.pending = ("draft_all", "", mode)
        st.session_state.draft_skip_keys = keys if mode == "skip" else []


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


def draft_all(brief: Brief, mode: str = "") -> None:
    """Sections are saved one by one as they finish, so 停止 (any click reruns the page and ends
    this run) keeps them; with a remote endpoint and 并发 > 1 several are drafted at once. Hand-edited
    sections are kept unless the user said to redraft them (the question above)."""
    report = ensure_report(brief)
    edited = hand_edited(report)
    if edited and not mode:
        st.session_state.confirm_draft = edited
        draft_question()
        return
    skip = set(st.session_state.pop("draft_skip_keys", None) or []) if mode == "skip" else set()
    units = [s for s in report.drafting_units() if not s.locked and s.key not in skip]
    if not units:
        set_error("所有小节都已锁定或保留，没有需要起草的内容。")
        return
    box = st.container(border=True)
    expected = sum(expected_chars(brief, report, s.key) for s in units)
    bar = box.progress(0.0, text=f"准备起草 {len(units)} 节，约需 {seconds_for(expected)} 秒…")
    stop_slot = box.empty()
    stop_slot.button("■ 停止起草", key="stop", help="已完成的小节会保留")
    live = box.empty()
    set_locks(report, skip, True)  # kept out of this draft as a lock keeps a section out: never changed
    started = time.monotonic()
    listener = LiveProgress(report, len(units), bar, live)
    try:
        drafter().draft_report(brief, report, listener=listener, concurrency=runtime().concurrency)
    finally:
        if skip:
            set_locks(report, skip, False)
        # Each section was saved as it finished; prune_report then trimmed repeats from the drafted
        # sections, which a reload showed back until this save (saved report != the page's).
        draft().save()
    measured(listener.chars, time.monotonic() - started)
    bar.progress(1.0, text="起草完成")
    stop_slot.empty()
    live.empty()
    st.session_state.draft_summary = summary(brief, report, [s.key for s in units])


def set_locks(report: Report, keys: set[str], locked: bool) -> None:
    # By key, every time: a merged save (another tab) may have replaced the section objects meanwhile.
    for key in keys:
        section = report.find(key)
        if section is not None:
            section.locked = locked


def expected_chars(brief: Brief, report: Report, key: str) -> int:
    """Roughly what a section comes to: a lead and closing, and two sentences per bullet."""
    section = report.find(key)
    return 120 + 110 * len(section.bullet_ids) if section else 200


def summary(brief: Brief, report: Report, keys: list[str]) -> list[tuple[str, str, str]]:
    """After 起草全文: (key, label, what to look at) per drafted section, for the summary with links."""
    from zongjie.proofread import check_report

    proof = check_report(report)
    rows = []
    for key in keys:
        section = report.find(key)
        if section is None:
            continue
        unsupported = sum(i.kind in (IssueKind.UNSUPPORTED, IssueKind.REMOVED) for i in section.issues)
        notes = [f"{len(section.text)} 字", f"{unsupported} 处来源不明" if unsupported else "数字全部有出处"]
        if proof.get(key):
            notes.append(f"{len(proof[key])} 条校对提示")
        rows.append((key, label(report, key), "，".join(notes)))
    return rows


class LiveProgress(DraftListener):
    """Shows the section being drafted as it streams (as text: model output is never rendered as
    Markdown, issue 16.6), and saves each one the moment it is done."""

    def __init__(self, report: Report, total: int, bar, live) -> None:
        self.report, self.total, self.bar, self.live = report, total, bar, live
        self.finished = 0
        self.chars = 0
        self.buffers: dict[str, list[str]] = {}

    def section_started(self, key: str, heading: str) -> None:
        self.buffers[key] = []
        name = label(self.report, key)
        self.bar.progress(self.finished / self.total, text=f"正在起草（{self.finished + 1}/{self.total}）：{md(name)}")

    def token(self, key: str, piece: str) -> None:
        self.chars += len(piece)
        self.buffers.setdefault(key, []).append(piece)
        self.live.text("".join(self.buffers[key])[-400:])

    def repairing(self, key: str) -> None:
        self.buffers[key] = []
        self.live.warning("核对事实后正在重写本节…")

    def retrying(self, key: str, reason: str) -> None:
        self.buffers[key] = []
        self.live.warning(f"{md(reason)}，正在自动重试…")

    def queued(self, key: str, ahead: int) -> None:
        # Team mode: every account's model calls share one bounded gate (zongjie.gate).
        self.live.info(f"排队中，前面还有 {ahead} 份" if ahead else "排队中，马上开始…")

    def section_done(self, key: str, text: str) -> None:
        self.finished += 1
        finish_section(key, "生成")
        self.bar.progress(self.finished / self.total, text=f"已完成 {self.finished}/{self.total}")


class CardProgress(LiveProgress):
    """Progress of one section's action inside its card: what is being done, the estimate, the text."""

    def __init__(self, report: Report, status, live, doing: str, seconds: int) -> None:
        super().__init__(report, 1, None, live)
        self.status, self.doing, self.seconds = status, doing, seconds

    def section_started(self, key: str, heading: str) -> None:
        self.status.info(f"{self.doing}…约需 {self.seconds} 秒")

    def section_done(self, key: str, text: str) -> None:
        self.status.empty()
        self.live.empty()


def in_card(report: Report, key: str, doing: str, chars: int) -> CardProgress:
    status, live = st.empty(), st.empty()
    return CardProgress(report, status, live, doing, seconds_for(chars))


def draft_one(brief: Brief, key: str) -> None:
    report = ensure_report(brief)
    d = drafter()
    listener = in_card(report, key, "正在重新生成本节", expected_chars(brief, report, key))
    before = report.find(key).text
    started = time.monotonic()
    d.draft_section(report, brief, key, listener=listener)
    measured(listener.chars, time.monotonic() - started)
    if report.find(key).text.strip() == before.strip():
        # The small model, given the same bullets, may write the same text again (issue 15.1).
        card_notice(key, NO_CHANGE + "。可试“扩写”“润色”，在重写要求里写明怎么改，或在要点中补充内容后再生成。",
                    "warning")
        return
    finish_section(key, "重新生成")


def revise(brief: Brief, key: str, instruction: str) -> None:
    """Revise as asked; a revision that changed nothing is said so in the card, and stores no version."""
    report = ensure_report(brief)
    d = drafter()
    text = report.find(key).text
    listener = in_card(report, key, f"正在{md(instruction[:20])}", len(text) * 2 if "扩" in instruction else len(text))
    started = time.monotonic()
    result = d.revise_section(report, brief, key, instruction, listener=listener)
    measured(listener.chars, time.monotonic() - started)
    if result.changed:
        finish_section(key, instruction[:20])
        card_notice(key, f"已按“{instruction[:20]}”修改：{len(text)} → {len(result.text)} 字；不满意可点“撤销”。")
    else:
        card_notice(key, result.message, "warning")


def finish_section(key: str, note: str) -> None:
    """A section got new text: keep it as a version, save the draft, show it in its editor."""
    draft().commit(key, note)
    st.session_state[f"text_{key}"] = st.session_state.report.find(key).text

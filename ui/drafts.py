"""The sidebar's list of drafts (issue 15.6): each named by its title, 文种 and creation date and time, in
a stable order (newest created first: saving a draft no longer moves it), and deleted only after a
second click; deleting the open draft opens the next one instead of an empty draft."""
from __future__ import annotations

import datetime

import streamlit as st

from zongjie.errors import UserError

from .safe import md
from .state import delete_draft, get_store, load_draft, notice

SHORT_GENRES = {"工作总结": "工作总结", "意识形态工作情况汇报": "意识形态汇报",
                "上半年工作总结及下半年工作计划": "半年总结及计划"}
SHOWN = 30


def entries() -> list[tuple[str, str, str, float]]:
    """(id, title, 文种, created) of the drafts, newest created first. Each draft is read once per save
    (cached on its `updated`), not on every rerun."""
    cache: dict[str, tuple[float, str, float]] = st.session_state.setdefault("_draft_meta", {})
    out = []
    for draft_id, title, updated in get_store().list():
        if draft_id not in cache or cache[draft_id][0] != updated:
            try:
                record = get_store().load(draft_id)
            except UserError:  # damaged: still listed (it can be deleted), by its title only
                record = None
            genre = str(record.inputs.get("genre", "")) if record else ""
            cache[draft_id] = (updated, genre, record.created if record else updated)
        _, genre, created = cache[draft_id]
        out.append((draft_id, title, genre, created))
    return sorted(out, key=lambda e: (-e[3], e[0]))


def name(title: str, genre: str, created: float) -> str:
    when = datetime.datetime.fromtimestamp(created).strftime("%m-%d %H:%M")
    # The title without what the label says anyway (共青团…, the genre), so the year is not cut in half
    # ("共青团某某区委员会202 · 工作总结").
    short = title.removeprefix("共青团")
    short = short[: -len(genre)] if genre and short.endswith(genre) else short
    short = short if len(short) <= 16 else short[:15] + "…"
    return f"{short} · {SHORT_GENRES.get(genre, genre[:6])} · {when}"


def draft_list() -> None:
    asking = st.session_state.get("confirm_delete")
    for draft_id, title, genre, created in entries()[:SHOWN]:
        mark = "▶ " if draft_id == st.session_state.get("draft_id") else ""
        label = name(title, genre, created)
        if draft_id == asking:
            st.caption(f"删除“{md(label)}”？删除后无法恢复。")
            c1, c2 = st.columns(2)
            c1.button("确认删除", key=f"delok_{draft_id}", type="primary", on_click=on_delete, args=(draft_id, label),
                      width="stretch")
            c2.button("取消", key=f"delno_{draft_id}", on_click=st.session_state.pop, args=("confirm_delete", None),
                      width="stretch")
            continue
        c1, c2 = st.columns([4, 1])
        c1.button(mark + md(label), key=f"open_{draft_id}", on_click=load_draft, args=(draft_id,),
                  width="stretch", help=md(title))
        c2.button("✕", key=f"del_{draft_id}", on_click=ask_delete, args=(draft_id,), help="删除该草稿（需再确认）")


def ask_delete(draft_id: str) -> None:
    st.session_state.confirm_delete = draft_id


def on_delete(draft_id: str, label: str) -> None:
    st.session_state.pop("confirm_delete", None)
    if draft_id == st.session_state.get("draft_id"):
        # The open draft: open the next one first, so deleting it never lands on an empty draft.
        other = next((e for e in entries() if e[0] != draft_id), None)
        if other is not None and load_draft(other[0]):
            # notice() escapes what it shows: plain text here, or the backslashes would show.
            notice(f"已删除草稿“{label}”，已打开“{name(other[1], other[2], other[3])}”。")
    delete_draft(draft_id)

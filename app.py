"""Streamlit page: paste bullets, edit the outline, draft, edit section by section, export .docx.

This file only lays the page out; its parts live in ui/ (one module each) and every rule in the
zongjie core. Long actions are queued by button callbacks and run at the top of the next script run
(ui/actions.py), before any widget whose value they change is drawn.
"""
from __future__ import annotations

import streamlit as st

from ui.actions import run_pending
from ui.export import downloads
from ui.inputs import inputs_form
from ui.outline import outline_editor
from ui.sections import section_editor
from ui.sidebar import sidebar
from ui.state import current_brief, get_store, load_draft, new_draft
from zongjie.brief import BriefError, brief_warnings
from zongjie.proofread import check_report
from zongjie.settings import disable_tracing
from zongjie.store import StoreError

# zongjie.draft and zongjie.llm pull in LangChain (about a second to import on this machine), so
# they are imported where a model is first needed, not before the page's first paint.


def main() -> None:
    st.set_page_config(page_title="总结 · 工作总结起草", page_icon="📝", layout="wide")
    disable_tracing()
    try:
        page()
    except StoreError as exc:
        # Autosave failed (disk full, folder not writable, locked): say so; the page state is kept.
        st.error(f"{exc}（本页内容仍在，可先下载 Word 保存。）")


def open_draft() -> None:
    """The URL names the draft (a refresh keeps it); a bare visit reopens the latest draft, so a
    restart or a lost bookmark never looks like lost work. 新建草稿 starts a fresh one."""
    wanted = st.query_params.get("d")
    latest = next(iter(get_store().list()), None)
    if not (wanted and load_draft(wanted)) and not (latest and load_draft(latest[0])):
        new_draft()


def page() -> None:
    if get_store().notice and not st.session_state.get("notice_shown"):
        st.session_state.notice_shown = True
        st.warning(get_store().notice)
    if "draft_id" not in st.session_state:
        open_draft()
    st.title("总结 · 工作总结起草")
    sidebar()
    inputs_form()
    run_pending()
    if st.session_state.get("error"):
        st.error(st.session_state.pop("error"))
    report = st.session_state.get("report")
    if report is None:
        st.info("填写单位、时段和要点后，点“生成提纲”先调整结构，或直接点“起草全文”。")
        return
    try:
        brief = current_brief()
    except BriefError:
        brief = None
    for warning in brief_warnings(brief) if brief else []:
        st.caption(f"提示：{warning}")
    proof = check_report(report)
    outline_editor(report, brief, proof)
    section_editor(report, brief, proof)
    downloads(report)


main()

"""Streamlit page: paste bullets, edit the outline, draft, edit section by section, export .docx.

This file only lays the page out; its parts live in ui/ (one module each) and every rule in the
zongjie core. Long actions are queued by button callbacks and run at the top of the next script run
(ui/actions.py), before any widget whose value they change is drawn.
"""
from __future__ import annotations

import streamlit as st

from ui.actions import brief_now, run_pending
from ui.export import downloads
from ui.gather import gather_step
from ui.guard import refuse_foreign_host, refuse_public_address
from ui.inputs import inputs_form
from ui.outline import outline_editor
from ui.plancheck import plancheck_step
from ui.problems import banners
from ui.safe import md
from ui.sections import section_editor
from ui.sidebar import sidebar
from ui.signin import require_sign_in
from ui.state import get_store, load_draft, new_draft, notice, proofread, show_record
from zongjie.brief import BriefError, brief_warnings
from zongjie.errors import UserError
from zongjie.settings import disable_tracing
from zongjie.team import load_team_config

# zongjie.draft and zongjie.llm pull in LangChain (about a second to import on this machine), so
# they are imported where a model is first needed, not before the page's first paint.


def main() -> None:
    st.set_page_config(page_title="总结 · 工作总结起草", page_icon="📝", layout="wide")
    # Single-user mode: only a loopback Host (no DNS rebinding) on a loopback address is served. Team
    # mode (ZONGJIE_MODE=team): also the Host names the operator listed, on any address, and nothing
    # before a sign-in.
    config = load_team_config()
    refuse_public_address(config)
    refuse_foreign_host(config)
    disable_tracing()
    try:
        if config.team:
            require_sign_in(config)
        page()
    except UserError as exc:
        # The drafts database or the data folder cannot be used at all (ZONGJIE_HOME below a file, a
        # database that cannot be opened): say so in Chinese instead of a traceback.
        st.error(md(str(exc)))


def open_draft() -> None:
    """The URL names the draft (a refresh keeps it); a bare visit reopens the latest draft that can
    be read, so a restart or a lost bookmark never looks like lost work, and a damaged draft is named
    and skipped. Two tabs on one draft are safe: each saves merged with the other (ui.state.PageDraft)."""
    wanted = st.query_params.get("d")  # in team mode, only the signed-in account's drafts load
    if wanted and load_draft(wanted):
        return
    latest, damaged = get_store().latest()
    if damaged:
        names = "、".join(f"“{title}”" for _, title in damaged)
        notice(f"以下草稿的数据已损坏，已跳过（原始数据仍保留在草稿库中）：{names}", "error")
    if latest is not None:
        show_record(latest)
    else:
        new_draft()


def page() -> None:
    if "draft_id" not in st.session_state:
        open_draft()
    st.title("总结 · 工作总结起草")
    sidebar()
    gather_step()
    plancheck_step()
    inputs_form()
    run_pending()
    banners()
    if st.session_state.get("error"):
        st.error(md(st.session_state.pop("error")))
    report = st.session_state.get("report")
    if report is None:
        st.info("填写单位、时段和要点后，点“生成提纲”先调整结构，或直接点“起草全文”。")
        return
    try:
        brief = brief_now()  # with the target length the user set, which a warning may be about
    except BriefError:
        brief = None
    for warning in brief_warnings(brief) if brief else []:
        st.caption(f"提示：{md(warning)}")
    proof = proofread(report)
    outline_editor(report, brief, proof)
    section_editor(report, brief, proof)
    downloads(report)


main()

"""第三步 · 导出: the report as GB/T 9704 Word and as Markdown."""
from __future__ import annotations

import contextlib
import copy

import streamlit as st

from zongjie.audit import AuditAction
from zongjie.errors import UserError
from zongjie.export_docx import export_docx
from zongjie.export_md import export_markdown
from zongjie.model import Report

from .state import get_store


def downloads(report: Report) -> None:
    st.subheader("第三步 · 导出")
    report.date = st.session_state.get("date", "")
    inline = st.checkbox("小标题与正文同段（（一）标题。正文……）", key="inline")
    c1, c2 = st.columns(2)
    # Built when the button is clicked, not on every rerun (a click anywhere reruns the page); the
    # builder runs on another thread, so it gets its own copy of the report.
    snapshot = copy.deepcopy(report)
    c1.download_button("下载 Word（.docx）", data=lambda: export_docx(snapshot, inline_headlines=inline),
                       file_name=f"{report.title[:40]}.docx", width="stretch",
                       on_click=record_export, args=("docx",),
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    c2.download_button("下载 Markdown", data=export_markdown(report).encode("utf-8"),
                       file_name=f"{report.title[:40]}.md", width="stretch",
                       on_click=record_export, args=("md",))


def record_export(kind: str) -> None:
    """The audit row of an export (which draft, which format; never its text). A database that cannot
    take it (full disk) never stops the download the user asked for."""
    draft_id = st.session_state.get("draft_id")
    if not draft_id:
        return
    with contextlib.suppress(UserError):
        get_store().audit(AuditAction.EXPORTED, draft_id, kind)

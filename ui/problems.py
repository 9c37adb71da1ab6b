"""What the page must tell the user before anything else: a save that failed (the text is still on the
page, not in the drafts database, and can be downloaded), a conflict with another tab (keep this tab's
version or the other's), a draft deleted under this tab (restore it), a read-only database, damaged
drafts skipped, and repairs made while loading."""
from __future__ import annotations

import copy

import streamlit as st

from zongjie.errors import UserError
from zongjie.export_docx import export_docx
from zongjie.export_md import export_markdown
from zongjie.merge import REPORT_FIELDS, SECTION_PARTS, merge_inputs, merge_report
from zongjie.model import Report

from .safe import md
from .state import draft, draft_title, get_store, inputs_from_state, show_record

READ_ONLY = ("草稿库目前只能读取（磁盘已满或目录只读）：草稿可以打开和导出，但修改不会被保存。"
             "请清理磁盘或检查目录权限后重新打开本页。")
KEPT = "本页上的内容仍在，但尚未保存到草稿库；关闭或刷新本页前，请先下载备份。"


def banners() -> None:
    store = get_store()
    if store.notice and not st.session_state.get("notice_shown"):
        st.session_state.notice_shown = True
        st.warning(md(store.notice))
    if store.read_only:
        st.warning(READ_ONLY)
    for kind, text in st.session_state.pop("notices", []):
        {"error": st.error, "success": st.success}.get(kind, st.warning)(md(text))
    problem = st.session_state.get("problem")
    if not problem:
        return
    with st.container(border=True, key="problem"):
        st.error(md(problem["text"]))  # it names sections by their headings
        if problem["parts"]:
            st.caption(KEPT)
        cols = st.columns(4)
        if problem["kind"] == "conflict":
            st.caption("冲突之处：" + md("、".join(problem.get("items", []))))
            cols[0].button("保留本窗口", key="keep_mine", on_click=resolve, args=(True,),
                           help="冲突之处用本窗口的内容，另一窗口改动的其他部分保留")
            cols[1].button("载入另一窗口", key="keep_theirs", on_click=resolve, args=(False,),
                           help="冲突之处用另一窗口已保存的内容，本窗口改动的其他部分保留")
        elif problem["kind"] == "deleted":
            cols[0].button("恢复草稿", key="restore_draft", on_click=restore, type="primary")
        elif problem["parts"]:
            cols[0].button("重试保存", key="retry_save", on_click=retry)
        backup(cols[2], cols[3])


def backup(c1, c2) -> None:
    """The page's content as files, built only when a button is clicked."""
    report = copy.deepcopy(st.session_state.get("report"))
    name = (draft_title() or "草稿")[:40]
    if report is None:
        c1.download_button("下载要点（.txt）", data=(st.session_state.get("bullets") or "").encode("utf-8"),
                           file_name=f"{name}-要点.txt", key="backup_txt")
        return
    report.date = st.session_state.get("date", "")
    c1.download_button("下载备份（.docx）", data=lambda: export_docx(report), file_name=f"{name}.docx",
                       key="backup_docx",
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    c2.download_button("下载备份（.md）", data=lambda: export_markdown(report).encode("utf-8"),
                       file_name=f"{name}.md", key="backup_md")


def retry() -> None:
    parts = st.session_state.problem["parts"]
    if "inputs" in parts:
        draft().save_inputs(inputs_from_state(), st.session_state.get("title") or draft_title())
    if "report" in parts and not (st.session_state.get("problem") or {}).get("parts", set()) - {"report"}:
        draft().save()


def restore() -> None:
    """Put the deleted draft back, with this tab's inputs and report, under the same id."""
    draft_id = st.session_state.draft_id
    try:
        get_store().restore(draft_id, inputs_from_state(), st.session_state.get("report"),
                            st.session_state.get("title") or draft_title())
        restored = get_store().load(draft_id)
    except UserError as exc:
        st.session_state.problem = {**st.session_state.problem, "kind": "failed", "text": str(exc)}
        return
    st.session_state.pop("problem", None)
    st.session_state.synced = copy.deepcopy(restored)
    st.query_params["d"] = draft_id


def resolve(keep_mine: bool) -> None:
    """Settle a conflict: merge this tab's changes with what is stored now, the conflicting parts
    taken from this tab (keep_mine) or from the stored version; then write that (force) and show it."""
    store, draft_id, base = get_store(), st.session_state.draft_id, st.session_state.synced
    try:
        current = store.load(draft_id)
        if current is None:  # deleted meanwhile
            st.session_state.problem["kind"] = "deleted"
            return
        mine_inputs, mine_report = inputs_from_state(), st.session_state.get("report")
        theirs_inputs, theirs_report = (current.inputs, current.report)
        # merge's conflicts take its third argument's side; prefer() then settles the rest
        if keep_mine:
            inputs, _ = merge_inputs(base.inputs, theirs_inputs, mine_inputs)
            report, _ = merge_report(base.report, theirs_report, mine_report)
            prefer(report, base.report, mine_report)
        else:
            inputs, _ = merge_inputs(base.inputs, mine_inputs, theirs_inputs)
            report, _ = merge_report(base.report, mine_report, theirs_report)
            prefer(report, base.report, theirs_report)
        saved = store.save_merged(draft_id, base, inputs=inputs, report=report,
                                  title=inputs.get("title") or draft_title(), force=True)
    except UserError as exc:
        st.session_state.problem = {**st.session_state.problem, "kind": "failed", "text": str(exc)}
        return
    st.session_state.pop("problem", None)
    show_record(saved)


def prefer(merged: Report | None, base: Report | None, side: Report | None) -> None:
    """Every part of every section (and every report field) that `side` changed since `base` is
    taken from `side`, whichever side the merge took it from."""
    if merged is None or side is None or base is None:
        return
    for name in REPORT_FIELDS:
        if getattr(side, name) != getattr(base, name):
            setattr(merged, name, getattr(side, name))
    for section in merged.all_sections():
        mine, old = side.find(section.key), base.find(section.key)
        for attrs in SECTION_PARTS.values() if mine is not None else ():
            if old is None or any(getattr(old, a) != getattr(mine, a) for a in attrs):
                for a in attrs:
                    setattr(section, a, copy.deepcopy(getattr(mine, a)))

"""The sidebar's team-mode parts: the mode and the signed-in account (with 退出登录), the shared
共享范文库 (everyone drafts from it, admins add and remove), and the admins' 操作记录 (the audit)."""
from __future__ import annotations

import streamlit as st

from zongjie.audit import entries
from zongjie.examples import ExampleLibrary

from .library import library_editor
from .safe import md
from .signin import sign_out
from .state import libraries, shared_store, signed_in_admin, team

AUDIT_ROWS = 200


def account_box() -> None:
    config = team()
    st.caption(config.label)
    signed = st.session_state.get("signed_in")
    if not config.team or signed is None:
        return
    c1, c2 = st.columns([3, 2])
    c1.markdown(f"**{md(signed.name)}**" + ("（管理员）" if signed.admin else ""))
    c2.button("退出登录", key="sign_out", on_click=sign_out, width="stretch")


def shared_examples_panel() -> None:
    _, shared = libraries()
    if shared is None:
        return
    with st.expander("共享范文库"):
        if signed_in_admin():
            st.caption("管理员上传的范文全团区共用：所有账户起草时都会参照。")
            library_editor(shared, "shared_upload", "rmshared")
        else:
            shared_list(shared)


def shared_list(shared: ExampleLibrary) -> None:
    reports = shared.list()
    st.caption("由管理员维护，起草时自动参照。" if reports else "管理员尚未上传共享范文。")
    for report in reports:
        st.caption(f"《{md(report.title[:24])}》")


def audit_panel() -> None:
    with st.expander("操作记录"):
        st.caption(f"最近 {AUDIT_ROWS} 条：谁在何时新建、导出、删除了哪份草稿（只记草稿编号，不含内容），"
                   "以及登录情况。")
        rows = [{"时间": e.when, "账户": e.user, "操作": e.label, "草稿": e.draft_id, "说明": e.detail}
                for e in entries(shared_store(), limit=AUDIT_ROWS)]
        if rows:
            st.dataframe(rows, hide_index=True, width="stretch", key="audit_table")
        else:
            st.caption("暂无记录。")

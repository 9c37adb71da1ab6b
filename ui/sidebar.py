"""The sidebar: which mode the page is in (and, in team mode, who is signed in), the list of drafts
(open, new, delete), the user's own example reports, the admins' panels and the model settings."""
from __future__ import annotations

import streamlit as st

from .drafts import draft_list
from .library import library_editor
from .settings import settings_panel
from .state import delete_draft, libraries, load_draft, new_draft, signed_in_admin, team
from .team_panels import account_box, audit_panel, shared_examples_panel


def sidebar() -> None:
    with st.sidebar:
        account_box()  # the mode; in team mode the account and 退出登录
        st.header("草稿")
        st.button("＋ 新建草稿", on_click=new_draft, width="stretch")
        draft_list()  # named by 文种 and time, stable order, delete confirmed (ui.drafts)
        examples_panel()
        if team().team:
            shared_examples_panel()  # everyone sees the list; admins add and remove
            if signed_in_admin():
                audit_panel()
        settings_panel()


def examples_panel() -> None:
    mine, _ = libraries()
    with st.expander("我的范文"):
        st.caption("上传本单位以往的总结或汇报（.docx / .txt / .md，5 MB 以内），作为语气和结构的参照。"
                   + ("只有您自己能看到和使用。" if team().team else ""))
        library_editor(mine, "upload", "rmex")


def on_open(draft_id: str) -> None:
    load_draft(draft_id)


def on_delete(draft_id: str) -> None:
    delete_draft(draft_id)

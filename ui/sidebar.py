"""The sidebar: the list of drafts (open, new, delete), the user's own example reports and the model
settings panel."""
from __future__ import annotations

import streamlit as st

from zongjie.examples import ExampleError, ExampleLibrary

from .drafts import draft_list
from .settings import settings_panel
from .state import delete_draft, load_draft, new_draft, save_inputs


def sidebar() -> None:
    with st.sidebar:
        st.header("草稿")
        st.button("＋ 新建草稿", on_click=new_draft, use_container_width=True)
        draft_list()  # named by 文种 and time, stable order, delete confirmed (ui.drafts)
        examples_panel()
        settings_panel()


def examples_panel() -> None:
    with st.expander("我的范文"):
        st.caption("上传本单位以往的总结或汇报（.docx / .txt / .md，5 MB 以内），作为语气和结构的参照。")
        st.file_uploader("上传范文", type=["docx", "txt", "md"], key="upload", on_change=on_upload,
                         label_visibility="collapsed")
        msg = st.session_state.pop("upload_msg", None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(msg[1])
        for report in ExampleLibrary().list():
            c1, c2 = st.columns([5, 1])
            c1.caption(f"《{report.title[:24]}》")
            c2.button("✕", key=f"rmex_{report.id}", on_click=on_remove_example, args=(report.id,), help="移出范文库")


def on_upload() -> None:
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        report = ExampleLibrary().add(upload.name, upload.getvalue())
        st.session_state.upload_msg = ("success", f"已加入范文库：《{report.title}》，"
                                                  f"识别出 {len(report.sections)} 个一级标题。")
    except ExampleError as exc:
        st.session_state.upload_msg = ("error", str(exc))


def on_remove_example(report_id: str) -> None:
    ExampleLibrary().remove(report_id)
    if st.session_state.get("pinned") == report_id:
        st.session_state.pinned = ""
        save_inputs()


def on_open(draft_id: str) -> None:
    load_draft(draft_id)


def on_delete(draft_id: str) -> None:
    delete_draft(draft_id)

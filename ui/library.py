"""An example library's upload box and list (each with 移出): the user's own 我的范文, and in team mode
the shared 共享范文库 that admins manage."""
from __future__ import annotations

import streamlit as st

from zongjie.examples import ExampleError, ExampleLibrary

from .state import save_inputs


def library_editor(library: ExampleLibrary, upload_key: str, remove_prefix: str) -> None:
    """Upload into `library` and list it, each with a remove button."""
    st.file_uploader("上传范文", type=["docx", "txt", "md"], key=upload_key, on_change=on_upload,
                     args=(library, upload_key), label_visibility="collapsed")
    msg = st.session_state.pop(f"{upload_key}_msg", None)
    if msg:
        (st.success if msg[0] == "success" else st.error)(msg[1])
    for report in library.list():
        c1, c2 = st.columns([5, 1])
        c1.caption(f"《{report.title[:24]}》")
        c2.button("✕", key=f"{remove_prefix}_{report.id}", on_click=on_remove_example, args=(library, report.id),
                  help="移出范文库")


def on_upload(library: ExampleLibrary, upload_key: str) -> None:
    upload = st.session_state.get(upload_key)
    if upload is None:
        return
    try:
        report = library.add(upload.name, upload.getvalue())
        st.session_state[f"{upload_key}_msg"] = ("success", f"已加入范文库：《{report.title}》，"
                                                           f"识别出 {len(report.sections)} 个一级标题。")
    except ExampleError as exc:
        st.session_state[f"{upload_key}_msg"] = ("error", str(exc))


def on_remove_example(library: ExampleLibrary, report_id: str) -> None:
    library.remove(report_id)
    if st.session_state.get("pinned") == report_id:
        st.session_state.pinned = ""
        save_inputs()

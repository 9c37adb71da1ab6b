"""第〇步 · 从素材整理要点: upload 工作信息/简报/news files or paste them, tick and edit the bullets the
rules propose (zongjie.gather), and append them to the bullets box with their provenance. The work runs
in button callbacks, before the bullets box is drawn in this run (Streamlit forbids changing a drawn
widget's value)."""
from __future__ import annotations

import streamlit as st

from zongjie.gather import MAX_FILES, gather_files
from zongjie.gather.apply import append_lines
from zongjie.provenance import Place
from zongjie.vocab import ROLE_PLANS, ROLE_PROBLEMS, ROLE_RESULTS

from .safe import md
from .state import notice, save_inputs

ROLES = (ROLE_RESULTS, ROLE_PROBLEMS, ROLE_PLANS)
MSG_NOTHING = "请先上传素材文件，或把素材内容粘贴到框中；文件上传完成后将自动整理。"
MSG_NO_FACTS = "没有找到含数字、日期或活动名称的事实，请换一份素材试试。"


def gather_step() -> None:
    found = st.session_state.get("gathered")
    with st.expander("从素材整理要点（工作信息、简报、新闻稿，不调用模型）", expanded=bool(found)):
        st.caption(f"可一次上传多个文件（.docx / .txt / .md，每个 5 MB 以内，最多 {MAX_FILES} 个）。"
                   "系统按规则摘出含数字、日期、活动名称的事实，并注明出自哪个文件第几段；数字只照抄，不改动。")
        st.file_uploader("上传素材", type=["docx", "txt", "md"], accept_multiple_files=True, key="gather_files")
        if st.session_state.get("gather_pending") and st.session_state.get("gather_files"):
            # 整理要点 was clicked while the upload was still on its way (the file chip shows first): the
            # upload has landed now, so do what the click asked. The candidates' widgets come later in
            # this run, so their values may still be set here.
            on_gather()
            found = st.session_state.get("gathered")
        st.text_area("或粘贴素材", key="gather_paste", height=100, placeholder="把工作信息、简报的正文粘贴在这里")
        st.button("整理要点", on_click=on_gather, key="gather_run")
        for kind, text in st.session_state.pop("gather_msgs", []):
            getattr(st, kind)(md(text))
        if found:
            candidates(found)


def candidates(found: dict) -> None:
    gen = found["gen"]
    st.caption(f"共 {len(found['items'])} 条（已合并重复 {found['merged']} 条）。取消勾选不需要的，"
               "可直接修改文字和归类，再点“加入要点框”。")
    for i, item in enumerate(found["items"]):
        c1, c2, c3 = st.columns([0.5, 7, 1.5])
        c1.checkbox("选用", key=f"gpick_{gen}_{i}", label_visibility="collapsed")
        c2.text_input("要点", key=f"gtext_{gen}_{i}", label_visibility="collapsed")
        c2.caption(f"来自{md(item['source'])}" + (f"　·　主题：{item['theme']}" if item["theme"] else ""))
        c3.selectbox("归类", ROLES, key=f"grole_{gen}_{i}", label_visibility="collapsed")
    st.button("加入要点框", type="primary", on_click=on_append, key="gather_append")


def on_gather() -> None:
    files = st.session_state.get("gather_files") or []
    pasted = st.session_state.get("gather_paste", "")
    st.session_state.gather_pending = not files and not pasted.strip()
    if st.session_state.gather_pending:
        st.session_state.gather_msgs = [("warning", MSG_NOTHING)]
        return
    result = gather_files([(f.name, f.getvalue()) for f in files], pasted)
    msgs = [("error", f"《{p.filename}》未能读取：{p.message}") for p in result.problems]
    if not result.candidates:
        if result.sources:  # read, but nothing in it: the old list no longer answers this upload
            msgs.append(("info", MSG_NO_FACTS))
            st.session_state.pop("gathered", None)
        st.session_state.gather_msgs = msgs  # only bad files: messages, and nothing else changes
        return
    gen = st.session_state.get("gather_gen", 0) + 1
    st.session_state.gather_gen = gen
    items = []
    for i, c in enumerate(result.candidates):
        # Widget values set here, in the callback, before the widgets are drawn in the next run.
        st.session_state[f"gpick_{gen}_{i}"] = True
        st.session_state[f"gtext_{gen}_{i}"] = c.text
        st.session_state[f"grole_{gen}_{i}"] = c.role if c.role in ROLES else ROLE_RESULTS
        items.append({"source": c.source, "theme": c.theme, "places": [(p.file, p.paragraph) for p in c.places]})
    st.session_state.gathered = {"gen": gen, "items": items, "merged": result.merged}
    st.session_state.gather_msgs = msgs


def on_append() -> None:
    found = st.session_state.get("gathered")
    if not found:
        return
    gen = found["gen"]
    picks = [(st.session_state.get(f"gtext_{gen}_{i}", ""), st.session_state.get(f"grole_{gen}_{i}", ROLE_RESULTS),
              [Place(f, n) for f, n in item["places"]])
             for i, item in enumerate(found["items"]) if st.session_state.get(f"gpick_{gen}_{i}")]
    picks = [p for p in picks if p[0].strip()]
    if not picks:
        st.session_state.gather_msgs = [("warning", "没有勾选任何要点。")]
        return
    st.session_state.bullets = append_lines(st.session_state.get("bullets", ""), picks)
    save_inputs()
    st.session_state.pop("gathered", None)
    # At the top of the page, not in the expander: it is closed on the next run and hid the message.
    notice(f"已把 {len(picks)} 条要点加入下方要点框，行末注明了出处。", "success")

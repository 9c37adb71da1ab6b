"""上期计划对照 on the page: upload last period's report, see each of its plan items against the bullets
as 已落实 / 部分落实 / 未见落实, and turn an item into a 问题 or 计划 bullet with one click (appended in a
callback, before the bullets box is drawn)."""
from __future__ import annotations

import streamlit as st

from zongjie.brief import BriefError, parse_bullets
from zongjie.errors import UserError
from zongjie.plancheck import Status, check_plans, plan_items, summary_line
from zongjie.upload import read_text_safely

from .safe import md
from .state import save_inputs

ICONS = {Status.DONE: "✅", Status.PARTLY: "🟡", Status.NOT_SEEN: "⬜"}


def plancheck_step() -> None:
    rows = st.session_state.get("plan_rows")
    with st.expander("对照上期计划（上期报告的“下一步工作打算”逐项核对）", expanded=bool(rows)):
        st.file_uploader("上传上期报告（.docx / .txt / .md）", type=["docx", "txt", "md"], key="plan_report")
        st.button("逐项对照", on_click=on_check, key="plan_run")
        for kind, text in st.session_state.pop("plan_msgs", []):
            getattr(st, kind)(md(text))
        if rows:
            table(rows)


def table(rows: list[dict]) -> None:
    for i, row in enumerate(rows):
        c1, c2, c3, c4 = st.columns([1.2, 6, 1, 1])
        c1.markdown(f"{ICONS[Status(row['status'])]} {row['status']}")
        c2.markdown(md(row["label"]) + (f"  \n← {md(row['bullet'])}" if row["bullet"] else ""))
        c3.button("转为问题", key=f"plan_problem_{i}", on_click=on_convert, args=(i, "问题"))
        c4.button("转为计划", key=f"plan_plan_{i}", on_click=on_convert, args=(i, "计划"))
    if st.checkbox("我已逐项核对，以上对照结果无误", key="plan_confirmed"):
        st.caption("可写入开头的一句（请自行粘贴到开头一节）：")
        st.code(st.session_state.get("plan_summary", ""), language=None)


def on_check() -> None:
    upload = st.session_state.get("plan_report")
    if upload is None:
        st.session_state.plan_msgs = [("warning", "请先上传上期报告。")]
        return
    try:
        items = plan_items(read_text_safely(upload.name, upload.getvalue()))
        bullets = parse_bullets(st.session_state.get("bullets", ""))
    except (UserError, BriefError) as exc:
        st.session_state.plan_msgs = [("error", str(exc))]
        return
    if not items:
        st.session_state.plan_msgs = [("warning", "上期报告中没有找到“下一步工作打算”或“下半年工作计划”部分。")]
        st.session_state.pop("plan_rows", None)
        return
    matches = check_plans(items, bullets)
    st.session_state.plan_rows = [{"status": str(m.status), "label": m.item.label,
                                   "bullet": m.bullet.text if m.bullet else ""} for m in matches]
    st.session_state.plan_summary = summary_line(matches)
    st.session_state.plan_confirmed = False


def on_convert(index: int, role: str) -> None:
    rows = st.session_state.get("plan_rows") or []
    if index >= len(rows):
        return
    label = rows[index]["label"]
    line = f"问题：{label}尚未完全落实" if role == "问题" else f"计划：{label}"
    existing = st.session_state.get("bullets", "").rstrip()
    st.session_state.bullets = f"{existing}\n{line}" if existing else line
    save_inputs()
    st.session_state.plan_msgs = [("success", f"已加入要点框：{line}")]

"""第一步 · 填写要点: unit, period, genre, title, date, the style model and the bullets, autosaved on
every change; the two buttons queue 生成提纲 and 起草全文."""
from __future__ import annotations

import streamlit as st

from zongjie.vocab import GENRES

from .state import AUTO_PIN, queue, save_inputs, style_reports


def inputs_form() -> None:
    st.subheader("第一步 · 填写要点")
    c1, c2, c3 = st.columns([3, 2, 3])
    c1.text_input("单位名称", key="unit", on_change=save_inputs, placeholder="共青团某某区委员会")
    c2.text_input("时段", key="period", on_change=save_inputs, placeholder="2023年上半年")
    c3.selectbox("文种", GENRES, key="genre", on_change=save_inputs)
    c4, c5, c6 = st.columns([3, 2, 3])
    c4.text_input("标题（可不填）", key="title", on_change=save_inputs)
    c5.text_input("落款日期（可不填）", key="date", on_change=save_inputs, placeholder="2023年7月10日")
    reports = style_reports()
    options = ["", *reports]
    if st.session_state.get("pinned") not in options:
        st.session_state.pinned = ""
    c6.selectbox("风格范文", options, key="pinned", on_change=save_inputs,
                 format_func=lambda rid: reports.get(rid, AUTO_PIN)[:30] if rid else AUTO_PIN,
                 help="指定一篇范文作为语气和句式的参照；范文中的数字和名称不会进入草稿。")
    st.text_area("工作要点（每行一条；以“问题：”“下一步：”开头的行归入对应部分）", key="bullets", height=220,
                 on_change=save_inputs)
    b1, b2, _ = st.columns([1, 1, 3])
    b1.button("生成提纲", on_click=queue, args=("outline",), use_container_width=True,
              help="按主题排出提纲，可先修改再起草；已有正文时需再点一次确认。")
    b2.button("起草全文", type="primary", on_click=queue, args=("draft_all",), use_container_width=True,
              help="起草所有未锁定的小节。")

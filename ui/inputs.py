"""第一步 · 填写要点: unit, period, genre, title, date, target length, the style model and the bullets,
autosaved on every change, with the bullets' placeholders and typos named before drafting; the buttons
queue 生成提纲 and 起草全文, or fill an empty bullets box with the example."""
from __future__ import annotations

import datetime

import streamlit as st

from zongjie.brief import BriefError, input_findings
from zongjie.vocab import GENRES

from .safe import md
from .sections import CSS
from .state import AUTO_PIN, SAMPLE, queue, runtime, save_inputs, style_reports

# The grey example in the empty bullets box (a placeholder, never text of the draft: issue 15.7).
EXAMPLE_HINT = """例如（每行一条，照实写数字和名称）：
五四期间开展主题团日活动30余场，覆盖团员青年4560名
组织“青年大学习”网上主题团课学习，参学率达92%
问题：部分基层团组织理论学习形式单一
下一步：举办青年干部培训班2期"""


def inputs_form() -> None:
    st.markdown(CSS, unsafe_allow_html=True)  # drawn on every page, drafted or not
    st.subheader("第一步 · 填写要点")
    year, half = period_now()
    c1, c2, c3 = st.columns([3, 2, 3])
    c1.text_input("单位名称", key="unit", on_change=save_inputs, placeholder="共青团某某区委员会")
    c2.text_input("时段", key="period", on_change=save_inputs, placeholder=f"{year}年{half}")
    c3.selectbox("文种", GENRES, key="genre", on_change=save_inputs)
    c4, c5, c6, c7 = st.columns([3, 2, 1.4, 2.6])
    c4.text_input("标题（可不填）", key="title", on_change=save_inputs)
    c5.text_input("落款日期（可不填）", key="date", on_change=save_inputs,
                  placeholder=f"{datetime.date.today():%Y年%-m月%-d日}")
    c6.text_input("目标字数", key="target", on_change=save_inputs, placeholder="约3000，可不填",
                  help="全文大约多少字；不填则按要点多少定篇幅。")
    style_choice(c7)
    st.text_area("工作要点（每行一条；以“问题：”“下一步：”开头的行归入对应部分）", key="bullets", height=220,
                 on_change=save_inputs, placeholder=EXAMPLE_HINT)
    st.caption("每个输入框改完后点框外任意处即自动保存。")
    findings()
    b1, b2, b3, _ = st.columns([1, 1, 1, 2])
    b1.button("生成提纲", on_click=queue, args=("outline",), width="stretch",
              help="按主题排出提纲，可先修改再起草；已有正文时需再点一次确认。")
    b2.button("起草全文", type="primary", on_click=queue, args=("draft_all",), width="stretch",
              help="起草所有未锁定的小节；已手动修改的小节会先问您是否保留。")
    b3.button("填入示例", on_click=fill_example, width="stretch",
              disabled=bool(st.session_state.get("bullets")), help="把一组示例要点填进空白的要点框，看看效果")


def style_choice(col) -> None:
    reports = style_reports()
    options = ["", *reports]
    if st.session_state.get("pinned") not in options:
        st.session_state.pinned = ""
    embedded = not runtime().writer.uses_exemplars
    col.selectbox("风格范文" + ("（内置模型不使用）" if embedded else ""), options, key="pinned", on_change=save_inputs,
                  format_func=lambda rid: reports.get(rid, AUTO_PIN)[:30] if rid else AUTO_PIN,
                  help="内置小模型逐条扩写，不参照范文，此项对它不起作用；换用远程模型后生效。" if embedded
                  else "指定一篇范文作为语气和句式的参照；范文中的数字和名称不会进入草稿。")


def findings() -> None:
    """Placeholders (XX, ***) and known typos (掯实) in the bullets, with their line, before drafting."""
    try:
        found = input_findings(st.session_state.get("bullets", ""))
    except BriefError:
        return  # the draft buttons say what is wrong with the bullets
    if found:
        st.warning("起草前请先核对要点：\n" + "\n".join(f"- {md(f.message)}" for f in found))


def period_now() -> tuple[int, str]:
    today = datetime.date.today()
    return today.year, "上半年" if today.month <= 6 else "下半年"


def fill_example() -> None:
    if not st.session_state.get("bullets"):
        st.session_state.bullets = SAMPLE
        save_inputs()

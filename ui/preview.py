"""预览: the whole report as one continuous text in 公文 order, with 复制全文, the 字数 of each section and
of the whole, and the target length next to it (issue 15.5)."""
from __future__ import annotations

import json

import streamlit as st

from zongjie.model import Report, Section, numbered_heading

from .actions import target_chars
from .safe import block, md, tag

# Within this share of the target the length is on target (issue 14 asks drafts to land within ±15 %).
TARGET_SPREAD = 0.15


def count(text: str) -> int:
    """字数 as Word counts it for Chinese: every character but spaces and line breaks."""
    return sum(not ch.isspace() for ch in text)


def document_lines(report: Report) -> list[tuple[str, str, Section | None]]:
    """(kind, text, section) in reading order: the title, the opening, then 一、/（一） headings and text."""
    lines: list[tuple[str, str, Section | None]] = [("title", report.title, None)]
    if report.opening.text:
        lines.append(("text", report.opening.text, report.opening))
    for i, sec in enumerate(report.sections, start=1):
        lines.append(("h1", numbered_heading(sec, i), sec))
        if sec.text:
            lines.append(("text", sec.text, sec))
        for j, sub in enumerate(sec.subsections, start=1):
            lines.append(("h2", numbered_heading(sub, j), sub))
            if sub.text:
                lines.append(("text", sub.text, sub))
    return lines


def plain_text(report: Report) -> str:
    return "\n".join(text for _, text, _ in document_lines(report))


def preview(report: Report) -> None:
    lines = document_lines(report)
    total = sum(count(s.text) for s in report.drafting_units())
    c1, c2 = st.columns([3, 1])
    with c1:
        copy_button(plain_text(report))
        html_lines = []
        for kind, text, _ in lines:
            if kind == "title":
                html_lines.append(f'<p style="text-align:center;font-size:1.3em;font-weight:600">{tag(text)}</p>')
            elif kind == "text":
                html_lines += [f'<p style="text-indent:2em;margin:0.2em 0">{tag(p)}</p>' for p in text.split("\n")]
            else:
                html_lines.append(f'<p style="text-indent:2em;margin:0.2em 0;font-weight:600">{tag(text)}</p>')
        st.markdown(block("".join(html_lines)), unsafe_allow_html=True)
    with c2:
        st.metric("全文字数", f"{total} 字", help="不计空格和换行；标题不计")
        target = target_chars(st.session_state.get("target", ""))
        if target:
            low, high = round(target * (1 - TARGET_SPREAD)), round(target * (1 + TARGET_SPREAD))
            verdict = "在目标范围内" if low <= total <= high else ("偏短" if total < low else "偏长")
            st.caption(f"目标约 {target} 字（{low}–{high} 字）：{verdict}")
        else:
            st.caption("可在第一步填写“目标字数”，这里会对照。")
        for kind, text, section in lines:
            if kind == "text" and section is not None:
                name = "开头" if section is report.opening else next(t for k, t, s in lines if s is section
                                                                     and k in ("h1", "h2"))
                st.caption(f"{md(name[:14])}：{count(text)} 字")


def copy_button(text: str) -> None:
    """复制全文: a button in a small frame (the page's own JavaScript), copying with the Clipboard API
    or, where that is refused, with a selected hidden textarea; it says whether it worked."""
    payload = json.dumps(text).replace("<", "\\u003c")  # no "</script>" from the text can end the script
    st.iframe(f"""
<button id="copy" style="font-size:15px;padding:6px 14px;border:1px solid #ccc;border-radius:8px;
background:#fff;cursor:pointer">复制全文</button><span id="done" style="margin-left:8px;font-size:14px"></span>
<script>
const text = {payload};
document.getElementById("copy").addEventListener("click", async () => {{
  const done = document.getElementById("done");
  try {{ await navigator.clipboard.writeText(text); done.textContent = "已复制全文"; return; }} catch (e) {{}}
  const area = document.createElement("textarea");
  area.value = text; document.body.appendChild(area); area.select();
  done.textContent = document.execCommand("copy") ? "已复制全文" : "复制失败，请在下面全选后复制";
  area.remove();
}});
</script>""", height=48)  # the text is data in a JSON string, never markup

"""The outline editor: rename headings, add or remove subsections, adopt parallel headlines, and move
bullets between sections; every edit is saved at once."""
from __future__ import annotations

import streamlit as st

from zongjie import session
from zongjie.model import Brief, Report, numbered_heading
from zongjie.proofread import Check, ProofIssue, propose_parallel_headlines

from .state import draft, label, set_error, sync_widgets


def outline_editor(report: Report, brief: Brief | None, proof: dict[str, list[ProofIssue]]) -> None:
    drafted = any(s.text for s in report.drafting_units())
    with st.expander("提纲（可改标题、调整要点归属、增删小节）", expanded=not drafted):
        leaves = report.drafting_units()
        labels = {s.key: label(report, s.key) for s in leaves}
        for i, sec in enumerate(report.sections, start=1):
            st.text_input(f"{numbered_heading(sec, i).split('、')[0]}、", key=f"head_{sec.key}",
                          on_change=on_rename, args=(sec.key,))
            for j, sub in enumerate(sec.subsections, start=1):
                c1, c2 = st.columns([12, 1])
                c1.text_input(f"（{numbered_heading(sub, j)[1]}）", key=f"head_{sub.key}",
                              on_change=on_rename, args=(sub.key,))
                c2.button("✕", key=f"rm_{sub.key}", on_click=on_remove_subsection, args=(sub.key,),
                          help="删除该小节（其要点并入同级第一个小节）")
            for issue in proof.get(sec.key, []):
                if issue.check == Check.HEADLINE and sec.subsections:
                    st.info(f"校对［标题］{issue.message}")
                    st.button("采用建议的并列标题", key=f"parallel_{sec.key}", on_click=on_parallel, args=(sec.key,))
            if sec.subsections:
                c1, c2 = st.columns([12, 1])
                c1.text_input("新增小节标题", key=f"new_{sec.key}", placeholder="如：加强阵地建设，拓展青年活动空间",
                              label_visibility="collapsed")
                c2.button("＋", key=f"add_{sec.key}", on_click=on_add_subsection, args=(sec.key,), help="新增小节")
        if brief:
            bullet_owners(brief, leaves, labels)


def bullet_owners(brief: Brief, leaves: list, labels: dict[str, str]) -> None:
    """要点归属: which section drafts each bullet; a bullet the outline lacks is named."""
    st.markdown("**要点归属**")
    assigned = {b: s.key for s in leaves for b in s.bullet_ids}
    missing = [b.id for b in brief.bullets if b.id not in assigned]
    if missing:
        st.warning("要点已修改，提纲中没有 " + "、".join(missing) + "。请点“生成提纲”重新分配，或在下面逐条指定。")
    for b in brief.bullets:
        if f"assign_{b.id}" not in st.session_state or st.session_state[f"assign_{b.id}"] not in labels:
            st.session_state[f"assign_{b.id}"] = assigned.get(b.id, leaves[-1].key)
        st.selectbox(f"{b.id}　{b.text[:40]}", list(labels), key=f"assign_{b.id}",
                     format_func=labels.get, on_change=on_move, args=(b.id,))


def outline_edit(fn, *args) -> None:
    """Apply an outline edit, save, and refresh the widgets; errors become a message."""
    try:
        fn(st.session_state.report, *args)
    except session.OutlineError as exc:
        set_error(str(exc))
    draft().save()
    sync_widgets(st.session_state.report)


def on_rename(key: str) -> None:
    outline_edit(session.rename_section, key, st.session_state[f"head_{key}"])


def on_move(bullet_id: str) -> None:
    outline_edit(session.move_bullet, bullet_id, st.session_state[f"assign_{bullet_id}"])


def on_add_subsection(parent_key: str) -> None:
    heading = st.session_state.get(f"new_{parent_key}", "")
    outline_edit(session.add_subsection, parent_key, heading)
    st.session_state[f"new_{parent_key}"] = ""


def on_remove_subsection(key: str) -> None:
    outline_edit(session.remove_subsection, key)


def on_parallel(parent_key: str) -> None:
    parent = st.session_state.report.find(parent_key)
    proposals = propose_parallel_headlines([s.heading for s in parent.subsections])
    for sub, heading in zip(parent.subsections, proposals, strict=False):
        sub.heading = heading
    draft().save()
    sync_widgets(st.session_state.report)

"""The outline editor: rename headings, add or remove subsections, adopt parallel headlines, and move
bullets between sections; every edit is saved at once."""
from __future__ import annotations

import streamlit as st

from zongjie import session
from zongjie.model import Brief, Report, numbered_heading
from zongjie.proofread import Check, ProofIssue, propose_parallel_headlines

from .safe import block, md, tag
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
                    st.info(f"校对［标题］{md(issue.message)}")
                    st.button("采用建议的并列标题", key=f"parallel_{sec.key}", on_click=on_parallel, args=(sec.key,))
            if sec.subsections:
                c1, c2 = st.columns([12, 1])
                c1.text_input("新增小节标题", key=f"new_{sec.key}", placeholder="如：加强阵地建设，拓展青年活动空间",
                              label_visibility="collapsed")
                c2.button("＋", key=f"add_{sec.key}", on_click=on_add_subsection, args=(sec.key,), help="新增小节")
        if brief:
            bullet_owners(brief, leaves, labels)


def short_label(report: Report, key: str) -> str:
    """A 移到… option: 一（二）加强阵地建设 rather than the whole path of headings."""
    for i, sec in enumerate(report.sections, start=1):
        if sec.key == key:
            return f"{numbered_heading(sec, i).split('、')[0]}、{sec.heading[:8]}"
        for j, sub in enumerate(sec.subsections, start=1):
            if sub.key == key:
                return f"{numbered_heading(sec, i).split('、')[0]}{numbered_heading(sub, j)[:3]}{sub.heading[:8]}"
    return key


def bullet_owners(brief: Brief, leaves: list, labels: dict[str, str]) -> None:
    """要点归属: the bullets listed under the heading that drafts them, each with a short 移到… menu (the
    opening states no facts, so it is no target); a bullet the outline lacks is named."""
    report = st.session_state.report
    targets = [s.key for s in leaves if s.key != report.opening.key]
    if not targets:
        return
    st.markdown("**要点归属**")
    assigned = {b: s.key for s in leaves for b in s.bullet_ids}
    missing = [b.id for b in brief.bullets if b.id not in assigned or assigned[b.id] not in targets]
    if missing:
        st.warning("要点已修改，提纲中没有 " + "、".join(missing) + "。请点“生成提纲”重新分配，或在下面逐条指定。")
    groups = [(key, [b for b in brief.bullets if assigned.get(b.id) == key]) for key in targets]
    groups.append(("", [b for b in brief.bullets if b.id in missing]))
    for key, bullets in groups:
        if not bullets:
            continue
        st.caption(md(labels.get(key, "")) if key else "未归入任何小节")
        for b in bullets:
            if st.session_state.get(f"assign_{b.id}") not in targets:
                st.session_state[f"assign_{b.id}"] = key or targets[-1]
            c1, c2 = st.columns([5, 2])
            c1.markdown(block(f"<span>{tag(b.id)}　{tag(b.text)}</span>"), unsafe_allow_html=True)
            c2.selectbox("移到…", targets, key=f"assign_{b.id}", label_visibility="collapsed",
                         format_func=lambda k: "移到… " + short_label(report, k), on_change=on_move, args=(b.id,))


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

"""第二步 · 逐节修改: one card per section with its editor, the fact chips (which bullet backs each
number or name), fact and proofreading flags with one-click fixes, the section's actions, and its
history and reference exemplar."""
from __future__ import annotations

import html

import streamlit as st

from zongjie.brief import BriefError
from zongjie.errors import UserError
from zongjie.facts import GIVEN, mask_exemplar, report_ledger
from zongjie.grounding import allowed_terms
from zongjie.model import Brief, IssueKind, Report, Section
from zongjie.proofread import ProofIssue, apply_fix
from zongjie.session import apply_edit
from zongjie.vocab import ROLE_OPENING

from .state import current_brief, draft, get_index, label, queue, runtime, set_error

ACTIONS = ("扩写", "精简", "润色")

CSS = """<style>
.zj-ok{background:#e8f5e9;color:#1b5e20;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;
display:inline-block}
.zj-bad{background:#ffebee;color:#b71c1c;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;
display:inline-block;font-weight:600}
</style>"""


def section_editor(report: Report, brief: Brief | None, proof: dict[str, list[ProofIssue]]) -> None:
    st.subheader("第二步 · 逐节修改")
    st.markdown(CSS, unsafe_allow_html=True)
    st.markdown(f"#### {html.escape(report.title)}")
    ledger = report_ledger(report, brief.bullets, allowed_terms(report) + [s.heading for s in report.all_sections()]) \
        if brief else None
    if ledger and ledger.unused and any(s.text for s in report.drafting_units()):
        st.warning("以下要点尚未写入正文（未采用）：" + "；".join(
            f"{b}：{brief.bullet(b).text[:30]}" for b in ledger.unused if brief.bullet(b)))
    shown = runtime().writer.uses_exemplars  # read the settings once per render, not once per section
    for unit in report.drafting_units():
        section_card(report, brief, unit, ledger.sections.get(unit.key, []) if ledger else [], shown,
                     proof.get(unit.key, []))


def section_card(report: Report, brief: Brief | None, unit: Section, ledger_rows, exemplars_in_prompt: bool,
                 proof_issues: list[ProofIssue]) -> None:
    name = "开头" if unit.role == ROLE_OPENING else label(report, unit.key)
    with st.container(border=True, key=f"card_{unit.key}"):
        st.markdown(f"**{name}**" + ("　🔒" if unit.locked else ""))
        st.text_area(name, key=f"text_{unit.key}", height=160, label_visibility="collapsed",
                     on_change=on_section_edit, args=(unit.key,), disabled=unit.locked)
        if ledger_rows:
            st.markdown(ledger_html(ledger_rows, brief), unsafe_allow_html=True)
        flags(unit, proof_issues)
        actions(unit)
        history_and_exemplars(unit, exemplars_in_prompt)


def flags(unit: Section, proof_issues: list[ProofIssue]) -> None:
    """The fact check's findings, then proofreading's, each with a 修正 button where the fix is safe."""
    for issue in unit.issues:
        if issue.kind == IssueKind.UNSUPPORTED:
            st.warning(f"来源不明的数字或名称：{issue.text}（要点中没有，请核实或删改）")
        elif issue.kind == IssueKind.REMOVED:
            st.info(f"模型写了要点中没有的“{issue.text}”，已连同所在分句删去；如确有此事，请补进要点后重新生成。")
        else:
            st.warning(f"未采用的要点（{issue.bullet_id}）：{issue.text}")
    for n, issue in enumerate(proof_issues):
        c1, c2 = st.columns([8, 1])
        c1.caption(f"校对［{issue.check}］{issue.message}")
        if issue.fix is not None and not unit.locked:
            c2.button("修正", key=f"fix_{unit.key}_{n}", on_click=on_proof_fix, args=(unit.key, issue),
                      help=f"改为：{issue.fix or '（删除）'}")


def actions(unit: Section) -> None:
    cols = st.columns([1.2, 1, 1, 1, 1, 1])
    cols[0].button("重新生成", key=f"regen_{unit.key}", on_click=queue, args=("draft_one", unit.key),
                   disabled=unit.locked)
    for col, action in zip(cols[1:4], ACTIONS, strict=True):
        col.button(action, key=f"{action}_{unit.key}", on_click=queue, args=("revise", unit.key, action),
                   disabled=unit.locked or not unit.text)
    cols[4].button("撤销", key=f"undo_{unit.key}", on_click=queue, args=("undo", unit.key),
                   disabled=unit.locked)
    cols[5].checkbox("锁定", key=f"lock_{unit.key}", on_change=on_lock, args=(unit.key,),
                     help="锁定后“起草全文”和各项改写都不会改动本节")
    c1, c2 = st.columns([5, 1])
    c1.text_input("重写要求", key=f"instr_{unit.key}", placeholder="重写要求，如：更精炼 / 突出数据 / 增加一条",
                  label_visibility="collapsed", disabled=unit.locked)
    c2.button("重写", key=f"rewrite_{unit.key}", on_click=queue, args=("revise", unit.key),
              disabled=unit.locked, use_container_width=True)


def ledger_html(rows: list[tuple[str, str | None]], brief: Brief | None) -> str:
    """Each fact as a chip: green with its source bullet on hover, red when no bullet backs it."""
    chips = []
    for raw, source in rows:
        if source is None:
            chips.append(f'<span class="zj-bad" title="没有任何要点支持这个数字或名称">{html.escape(raw)}'
                         ' · 来源不明</span>')
        else:
            bullet = brief.bullet(source) if brief and source != GIVEN else None
            tip = bullet.text if bullet else "来自单位、时段或标题"
            chips.append(f'<span class="zj-ok" title="{html.escape(tip)}">{html.escape(raw)} ← '
                         f'{html.escape(source if bullet else "已知")}</span>')
    return " ".join(chips)


def history_and_exemplars(unit: Section, exemplars_in_prompt: bool) -> None:
    with st.expander("历史版本与参考范文"):
        versions = draft().versions(unit.key)
        if versions:
            st.caption("　".join(f"第{v.seq}版·{v.note}" for v in versions[-8:]))
            diff = draft().last_diff(unit.key)
            if diff:
                st.code(diff, language="diff")
        else:
            st.caption("暂无历史版本。")
        for pid in unit.exemplar_ids:
            passage = get_index().get(pid)
            if passage:
                use = "仅学习语气，数字和名称已隐去" if exemplars_in_prompt else "逐条扩写方式不放入提示词，供您参考"
                st.caption(f"参考范文：《{passage.report_title}》· {passage.heading or '开头'}（{use}）")
                st.text(mask_exemplar(passage.text)[:300])


# ---- callbacks ------------------------------------------------------------------------------------
def on_section_edit(key: str, note: str = "手动编辑") -> None:
    report = st.session_state.report
    try:
        brief = current_brief()
    except BriefError as exc:
        set_error(str(exc))
        return
    try:
        if apply_edit(report, brief, key, st.session_state[f"text_{key}"]):
            draft().commit(key, note)
    except UserError as exc:
        set_error(str(exc))


def on_lock(key: str) -> None:
    st.session_state.report.find(key).locked = st.session_state[f"lock_{key}"]
    draft().save()


def on_proof_fix(key: str, issue: ProofIssue) -> None:
    """One-click fix: the corrected text goes through the same path as a manual edit."""
    section = st.session_state.report.find(key)
    if section is None:
        return
    st.session_state[f"text_{key}"] = apply_fix(section.text, issue)
    on_section_edit(key, note=f"校对修正：{issue.check}")

"""第二步 · 逐节修改: one card per section with its editor, the fact chips (which bullet backs each
number or name), fact and proofreading flags with one-click fixes, the section's actions, and its
history and reference exemplar."""
from __future__ import annotations

import streamlit as st

from zongjie.brief import BriefError
from zongjie.errors import UserError
from zongjie.facts import GIVEN, issues_for_section, mask_exemplar, report_ledger
from zongjie.grounding import allowed_terms, section_bullets
from zongjie.model import Brief, IssueKind, Report, Section
from zongjie.proofread import ProofIssue, apply_fix
from zongjie.session import apply_edit, move_bullet
from zongjie.text import sentences
from zongjie.vocab import ROLE_OPENING

from .actions import run_in_card
from .preview import preview
from .safe import block, md, tag
from .state import current_brief, draft, get_index, label, queue, runtime, save_inputs, set_error

ACTIONS = ("扩写", "精简", "突出数据", "润色")

CSS = """<style>
.zj-ok{background:#e8f5e9;color:#1b5e20;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;
display:inline-block}
.zj-bad{background:#ffebee;color:#b71c1c;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;
display:inline-block;font-weight:600}
.zj-src{color:#546e7a;font-size:0.8em}
[data-testid="InputInstructions"]{display:none}
[data-testid="stFileUploaderDropzoneInstructions"] span{font-size:0}
[data-testid="stFileUploaderDropzoneInstructions"] span::after{content:"每个文件不超过 5 MB";font-size:0.8rem}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p{font-size:0}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after{content:"选择文件";
font-size:0.875rem}
</style>"""
# Streamlit's own English ("Press Ctrl+Enter to apply", "Drag and drop file here", "Limit 200MB per file",
# "Browse files") cannot be set from Python: the hint is hidden (every field saves when it loses focus,
# which the caption under the bullets says) and the dropzone's words are replaced in CSS.


def section_editor(report: Report, brief: Brief | None, proof: dict[str, list[ProofIssue]]) -> None:
    st.subheader("第二步 · 逐节修改")
    draft_summary(report)
    edit, whole = st.tabs(["分节编辑", "预览"])
    with whole:
        preview(report)
    with edit:
        st.markdown(block(f"<h4>{tag(report.title)}</h4>"), unsafe_allow_html=True)
        ledger = report_ledger(report, brief.bullets, allowed_terms(report) + [s.heading for s in report.all_sections()]
                               + [c for s in report.all_sections() for c in s.confirmed]) if brief else None
        flagged = {i.bullet_id for s in report.drafting_units() for i in s.issues if i.kind == IssueKind.UNUSED}
        unused = [b for b in (ledger.unused if ledger else []) if b not in flagged]  # each finding shown once
        if unused and any(s.text for s in report.drafting_units()):
            st.warning("以下要点尚未写入正文（未采用）：" + "；".join(
                f"{b}：{md(brief.bullet(b).text[:30])}" for b in unused if brief.bullet(b)))
        shown = runtime().writer.uses_exemplars  # read the settings once per render, not once per section
        for unit in report.drafting_units():
            section_card(report, brief, unit, ledger.sections.get(unit.key, []) if ledger else [], shown,
                         proof.get(unit.key, []))
    st.session_state.pop("card_pending", None)  # its card is gone (removed by another tab): nothing to run


def draft_summary(report: Report) -> None:
    """After 起草全文: N 节、N 字 and what to check, each section linked to its card (issue 15.4)."""
    rows = st.session_state.get("draft_summary")
    if not rows:
        return
    total = sum(len(s.text) for s in report.drafting_units())
    with st.container(border=True, key="draft_summary_box"):
        c1, c2 = st.columns([8, 1])
        c1.markdown(f"**起草完成：{len(rows)} 节、全文 {total} 字**")
        c2.button("关闭", key="close_summary", on_click=st.session_state.pop, args=("draft_summary", None))
        st.markdown("\n".join(f"- [{md(name)}](#{anchor(key)})：{md(notes)}" for key, name, notes in rows))


def anchor(key: str) -> str:
    return "zj-" + key.replace(".", "-")


def section_card(report: Report, brief: Brief | None, unit: Section, ledger_rows, exemplars_in_prompt: bool,
                 proof_issues: list[ProofIssue]) -> None:
    name = "开头" if unit.role == ROLE_OPENING else label(report, unit.key)
    with st.container(border=True, key=f"card_{unit.key}"):
        st.markdown(block(f'<b id="{anchor(unit.key)}">{tag(name)}</b>' + ("　🔒" if unit.locked else "")),
                    unsafe_allow_html=True)
        pending = st.session_state.get("card_pending")
        if pending and pending[1] == unit.key:
            del st.session_state["card_pending"]
            run_in_card(pending)  # before the editor is drawn: the action may change its text
            unit = report.find(unit.key) or unit
        st.text_area(name, key=f"text_{unit.key}", height=160, label_visibility="collapsed",
                     on_change=on_section_edit, args=(unit.key,), disabled=unit.locked)
        notice = st.session_state.get(f"notice_{unit.key}")
        if notice:
            getattr(st, notice[0])(md(notice[1]))
        backed = [(raw, source) for raw, source in ledger_rows if source is not None]
        if backed:
            st.markdown(ledger_html(backed, brief), unsafe_allow_html=True)
        flags(unit, proof_issues)
        actions(unit)
        history_and_exemplars(unit, exemplars_in_prompt)


def flags(unit: Section, proof_issues: list[ProofIssue]) -> None:
    """The fact check's findings (each once: a figure without source here, not also as a chip), then
    proofreading's, each with a 修正 button where the fix is safe."""
    for n, issue in enumerate(unit.issues):
        if issue.kind == IssueKind.UNSUPPORTED:
            c1, c2, c3 = st.columns([6, 1, 1])
            c1.warning(f"来源不明的数字或名称：{md(issue.text)}（要点中没有，请核实或删改）")
            c2.button("加入要点", key=f"addfact_{unit.key}_{n}", on_click=on_add_fact, args=(unit.key, issue.text),
                      help="把含这个数字或名称的句子加入工作要点，归入本节", disabled=unit.locked)
            c3.button("确认保留", key=f"keepfact_{unit.key}_{n}", on_click=on_keep_fact, args=(unit.key, issue.text),
                      help="这个数字或名称确实无误：不再标为来源不明", disabled=unit.locked)
        elif issue.kind == IssueKind.REMOVED:
            st.info(f"模型写了要点中没有的“{md(issue.text)}”，已连同所在分句删去；如确有此事，请补进要点后重新生成。")
        elif issue.kind == IssueKind.SCAFFOLD:
            st.info(f"提示词残留：模型照抄了提示词“{md(issue.text)}”，已删去。")
        else:
            st.warning(f"未采用的要点（{issue.bullet_id}）：{md(issue.text)}")
    for n, issue in enumerate(proof_issues):
        c1, c2 = st.columns([8, 1])
        c1.caption(f"校对［{md(issue.check)}］{md(issue.message)}")
        if issue.fix is not None and not unit.locked:
            c2.button("修正", key=f"fix_{unit.key}_{n}", on_click=on_proof_fix, args=(unit.key, issue),
                      help=f"改为：{md(issue.fix or '（删除）')}")


def actions(unit: Section) -> None:
    cols = st.columns([1.2, 1, 1, 1.2, 1, 1, 1])
    cols[0].button("重新生成", key=f"regen_{unit.key}", on_click=queue, args=("draft_one", unit.key),
                   disabled=unit.locked)
    for col, action in zip(cols[1:5], ACTIONS, strict=True):
        col.button(action, key=f"{action}_{unit.key}", on_click=queue, args=("revise", unit.key, action),
                   disabled=unit.locked or not unit.text)
    cols[5].button("撤销", key=f"undo_{unit.key}", on_click=queue, args=("undo", unit.key),
                   disabled=unit.locked, help="退回上一版；再点继续往前退")
    cols[6].checkbox("锁定", key=f"lock_{unit.key}", on_change=on_lock, args=(unit.key,),
                     help="锁定后“起草全文”和各项改写都不会改动本节")
    with st.form(f"rewrite_form_{unit.key}", border=False, clear_on_submit=False):
        c1, c2 = st.columns([5, 1])
        c1.text_input("重写要求", key=f"instr_{unit.key}", placeholder="重写要求，如：语气更正式 / 更精炼 / 突出数据",
                      label_visibility="collapsed", disabled=unit.locked)
        c2.form_submit_button("重写", key=f"rewrite_{unit.key}", on_click=queue, args=("revise", unit.key),
                              disabled=unit.locked, width="stretch")


def ledger_html(rows: list[tuple[str, str | None]], brief: Brief | None) -> str:
    """Each fact as a chip: green with its source bullet on hover, red when no bullet backs it. One
    HTML block, every text escaped (a bullet's `![](http://…)` stays text and fetches nothing)."""
    chips = []
    for raw, source in rows:
        if source is None:
            chips.append(f'<span class="zj-bad" title="没有任何要点支持这个数字或名称">{tag(raw)} · 来源不明</span>')
        else:
            bullet = brief.bullet(source) if brief and source != GIVEN else None
            tip = bullet.text if bullet else "来自单位、时段或标题"
            origin = tag(source if bullet else "已知")
            chips.append(f'<span class="zj-ok" title="{tag(tip)}">{tag(raw)} ← {origin}</span>')
    # A gathered bullet names its file: the cadre checks a figure against the 简报 it came from.
    origins = dict.fromkeys(f"{b.id} 来自{b.source}" for raw, source in rows
                            if brief and source and (b := brief.bullet(source)) and b.source)
    if origins:
        chips.append(f'<br><span class="zj-src">{tag("；".join(origins))}</span>')
    return block(" ".join(chips))


def history_and_exemplars(unit: Section, exemplars_in_prompt: bool) -> None:
    with st.expander("历史版本与参考范文"):
        versions = draft().versions(unit.key)
        if versions:
            for v in reversed(versions[-8:]):
                c1, c2 = st.columns([6, 1])
                current = v.text == unit.text
                c1.caption(f"第{v.seq}版 · {md(v.note)} · {len(v.text)} 字" + ("（当前）" if current else ""))
                c2.button("恢复此版", key=f"restore_{unit.key}_{v.seq}", on_click=queue,
                          args=("restore", unit.key, str(v.seq)), disabled=unit.locked or current)
            diff = draft().last_diff(unit.key)
            if diff:
                st.code(diff, language="diff")
        else:
            st.caption("暂无历史版本。")
        for pid in unit.exemplar_ids:
            passage = get_index().get(pid)
            if passage:
                use = "仅学习语气，数字和名称已隐去" if exemplars_in_prompt else "逐条扩写方式不放入提示词，供您参考"
                st.caption(f"参考范文：《{md(passage.report_title)}》· {md(passage.heading or '开头')}（{use}）")
                st.text(mask_exemplar(passage.text)[:300])


# ---- callbacks ------------------------------------------------------------------------------------
def on_section_edit(key: str, note: str = "手动编辑") -> None:
    report = st.session_state.report
    try:
        brief = current_brief()
    except BriefError as exc:
        set_error(str(exc))
        return
    st.session_state.pop(f"notice_{key}", None)
    try:
        if apply_edit(report, brief, key, st.session_state[f"text_{key}"]):
            draft().commit(key, note)
    except UserError as exc:
        set_error(str(exc))


def recheck(key: str) -> None:
    """The section's fact flags again after its bullets or confirmations changed (its text did not)."""
    report, brief = st.session_state.report, current_brief()
    section = report.find(key)
    kept = [i for i in section.issues if i.kind in (IssueKind.REMOVED, IssueKind.SCAFFOLD)]
    section.issues = issues_for_section(key, section.text, section_bullets(brief, section), brief.bullets,
                                        allowed_terms(report, section)) + kept
    draft().save()


def on_add_fact(key: str, raw: str) -> None:
    """加入要点: the sentence stating `raw` becomes a bullet of this section."""
    section = st.session_state.report.find(key)
    if section is None:
        return
    sentence = next((s for s in sentences(section.text) if raw in s), raw).strip("。；！？ ")
    st.session_state.bullets = (st.session_state.get("bullets", "").rstrip("\n") + "\n" + sentence).strip("\n")
    save_inputs()
    try:
        brief = current_brief()
    except BriefError as exc:
        set_error(str(exc))
        return
    move_bullet(st.session_state.report, brief.bullets[-1].id, key)
    st.session_state[f"assign_{brief.bullets[-1].id}"] = key
    recheck(key)


def on_keep_fact(key: str, raw: str) -> None:
    """确认保留: the user vouches for `raw`; the fact check no longer calls it 来源不明 in this section."""
    section = st.session_state.report.find(key)
    if section is not None and raw not in section.confirmed:
        section.confirmed.append(raw)
        recheck(key)


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

"""Streamlit page: paste bullets, get an outline and a draft, edit it section by section, export .docx.

Only widgets and session state live here; every rule is in the zongjie core. Long actions are
queued by button callbacks and run at the top of the next script run, before any widget whose
value they change is drawn (Streamlit forbids changing a drawn widget's state).
"""
from __future__ import annotations

import os
from dataclasses import replace

import streamlit as st

from zongjie import session
from zongjie.brief import BriefError, make_brief
from zongjie.draft import Drafter
from zongjie.export_docx import export_docx
from zongjie.export_md import export_markdown
from zongjie.llm import LLMError, make_chat_model
from zongjie.local_model import MODEL_NAME, LocalModelError, start_server
from zongjie.model import GENRES, ROLE_OPENING, Brief, Report, numbered_heading
from zongjie.outline import build_outline
from zongjie.settings import Settings, load_settings, save_settings
from zongjie.store import Store

SAMPLE = """五四期间组织基层团组织开展青年文化节主题团日活动30余场，覆盖4560名团员青年
“六一”期间组织学校开展“争做新时代好队员”主题宣传教育系列活动20余场，覆盖11560名少先队员
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
组织“青年大学习”网上主题团课学习，参学率达92%
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展“学雷锋”志愿服务活动15场，参与志愿者600余人次
问题：部分基层团组织理论学习形式单一，吸引力不强
下一步：下半年计划举办青年干部培训班2期"""

INPUT_KEYS = ("unit", "period", "genre", "title", "date", "bullets")
FAKE = os.environ.get("ZONGJIE_FAKE_LLM") == "1"


# ---- resources shared by all sessions (the app layer is the one place for global state) -----
@st.cache_resource
def get_store() -> Store:
    return Store()


@st.cache_resource(show_spinner="正在加载范文库…")
def get_index():
    from retrieval.index import default_index

    return default_index()


@st.cache_resource(show_spinner="正在启动内置模型（首次约需 10–60 秒）…")
def get_embedded_server():
    return start_server()


def chat_model():
    if FAKE:
        from zongjie.fake_llm import TemplateChatModel

        return TemplateChatModel(delay=float(os.environ.get("ZONGJIE_FAKE_DELAY", "0")))
    settings = load_settings()
    if settings.embedded:
        server = get_embedded_server()
        if not server.alive():  # crashed since it was started: start a fresh one
            get_embedded_server.clear()
            server = get_embedded_server()
        settings = replace(settings, base_url=server.base_url, model=MODEL_NAME)
    return make_chat_model(settings)


# ---- state helpers ------------------------------------------------------------------------
def inputs_from_state() -> dict:
    return {k: st.session_state.get(k, "") for k in INPUT_KEYS}


def load_draft(draft_id: str) -> bool:
    record = get_store().load(draft_id)
    if record is None:
        return False
    st.session_state.draft_id = draft_id
    for k in INPUT_KEYS:
        st.session_state[k] = record.inputs.get(k, "")
    if st.session_state.get("genre") not in GENRES:
        st.session_state.genre = GENRES[0]
    st.session_state.report = record.report
    sync_section_widgets(record.report)
    st.query_params["d"] = draft_id
    return True


def new_draft() -> None:
    for k in INPUT_KEYS:
        st.session_state[k] = ""
    st.session_state.genre = GENRES[0]
    st.session_state.bullets = SAMPLE
    st.session_state.report = None
    st.session_state.draft_id = get_store().create(inputs_from_state())
    st.query_params["d"] = st.session_state.draft_id


def sync_section_widgets(report: Report | None) -> None:
    if report is None:
        return
    for s in report.drafting_units():
        st.session_state[f"text_{s.key}"] = s.text
        st.session_state[f"lock_{s.key}"] = s.locked


def save_inputs() -> None:
    get_store().save(st.session_state.draft_id, inputs=inputs_from_state(),
                     title=st.session_state.get("title") or draft_title())


def save_report() -> None:
    report = st.session_state.report
    get_store().save(st.session_state.draft_id, report=report, title=report.title if report else None)


def draft_title() -> str:
    return f"{st.session_state.get('unit', '')}{st.session_state.get('period', '')}".strip() or "未命名草稿"


def current_brief() -> Brief:
    i = inputs_from_state()
    return make_brief(i["bullets"], i["unit"], i["period"], i["genre"], i["title"])


def queue(action: str, key: str = "", arg: str = "") -> None:
    st.session_state.pending = (action, key, arg)


def set_error(message: str) -> None:
    st.session_state.error = message


# ---- actions (run before widgets are drawn) ------------------------------------------------
def run_pending() -> None:
    pending = st.session_state.pop("pending", None)
    if not pending:
        return
    action, key, arg = pending
    try:
        brief = current_brief()
        if action == "outline":
            st.session_state.report = build_outline(brief)
            save_report()
            sync_section_widgets(st.session_state.report)
        elif action == "draft_all":
            draft_all(brief)
        elif action == "draft_one":
            draft_one(brief, key)
        elif action == "revise":
            revise(brief, key, arg)
        elif action == "undo":
            if session.undo(get_store(), st.session_state.draft_id, st.session_state.report, brief, key):
                save_report()
                sync_section_widgets(st.session_state.report)
    except (BriefError, LLMError, LocalModelError) as exc:
        set_error(str(exc))
    except KeyError:
        set_error("找不到该小节，可能已被删除，请刷新页面。")


def drafter() -> Drafter:
    return Drafter(chat=chat_model(), index=get_index(), pinned_report=st.session_state.get("pinned") or None)


def ensure_report(brief: Brief) -> Report:
    if st.session_state.get("report") is None:
        st.session_state.report = build_outline(brief)
    return st.session_state.report


def draft_all(brief: Brief) -> None:
    report = ensure_report(brief)
    units = [s for s in report.drafting_units() if not s.locked]
    bar = st.progress(0.0, text="准备起草…")
    live = st.empty()
    d = drafter()
    for n, section in enumerate(units):
        label = "开头" if section.role == ROLE_OPENING else section.heading
        bar.progress(n / len(units), text=f"正在起草（{n + 1}/{len(units)}）：{label}")
        streamed: list[str] = []

        def show(k: str, kind: str, payload: str) -> None:
            if kind == "token":
                streamed.append(payload)
                live.info("".join(streamed)[-400:])
            elif kind == "repair":
                streamed.clear()
                live.warning("核对事实后正在重写本节…")

        d.draft_section(report, brief, section.key, on_event=show)
        session.record(get_store(), st.session_state.draft_id, report, section.key, "生成")
        save_report()  # after every section: a stop or a crash keeps what is already written
        st.session_state[f"text_{section.key}"] = section.text
    bar.progress(1.0, text="起草完成")
    live.empty()


def draft_one(brief: Brief, key: str) -> None:
    report = ensure_report(brief)
    with st.spinner("正在重新生成本节…"):
        drafter().draft_section(report, brief, key)
    finish_section(key, "重新生成")


def revise(brief: Brief, key: str, instruction: str) -> None:
    report = ensure_report(brief)
    with st.spinner(f"正在{instruction[:12]}…"):
        drafter().revise_section(report, brief, key, instruction)
    finish_section(key, instruction[:20])


def finish_section(key: str, note: str) -> None:
    report = st.session_state.report
    session.record(get_store(), st.session_state.draft_id, report, key, note)
    save_report()
    st.session_state[f"text_{key}"] = report.find(key).text


# ---- widget callbacks ----------------------------------------------------------------------
def on_section_edit(key: str) -> None:
    report = st.session_state.report
    try:
        brief = current_brief()
    except BriefError as exc:
        set_error(str(exc))
        return
    if session.apply_edit(report, brief, key, st.session_state[f"text_{key}"]):
        session.record(get_store(), st.session_state.draft_id, report, key, "手动编辑")
        save_report()


def on_lock(key: str) -> None:
    st.session_state.report.find(key).locked = st.session_state[f"lock_{key}"]
    save_report()


def on_open(draft_id: str) -> None:
    load_draft(draft_id)


def on_delete(draft_id: str) -> None:
    get_store().delete(draft_id)
    if draft_id == st.session_state.get("draft_id"):
        new_draft()


# ---- page ------------------------------------------------------------------------------------
def sidebar() -> None:
    with st.sidebar:
        st.header("草稿")
        st.button("＋ 新建草稿", on_click=new_draft, use_container_width=True)
        for draft_id, title, _updated in get_store().list()[:20]:
            mark = "▶ " if draft_id == st.session_state.draft_id else ""
            c1, c2 = st.columns([5, 1])
            c1.button(mark + title[:18], key=f"open_{draft_id}", on_click=on_open, args=(draft_id,),
                      use_container_width=True)
            c2.button("✕", key=f"del_{draft_id}", on_click=on_delete, args=(draft_id,), help="删除该草稿")
        settings_panel()


def settings_panel() -> None:
    with st.expander("模型设置"):
        if FAKE:
            st.caption("演示模式：使用确定性模板，不调用任何模型。")
            return
        s = load_settings()
        st.caption("留空服务地址即使用内置模型（本机 llama.cpp，无需密钥）。")
        base_url = st.text_input("服务地址（OpenAI 兼容）", value=s.base_url, placeholder="https://api.deepseek.com/v1")
        model = st.text_input("模型名称", value=s.model, placeholder="deepseek-chat")
        api_key = st.text_input("API 密钥", value=s.api_key, type="password")
        if st.button("保存设置"):
            save_settings(replace(s, base_url=base_url.strip(), model=model.strip(), api_key=api_key.strip()))
            st.success("已保存。")


def inputs_form() -> None:
    st.subheader("第一步 · 填写要点")
    c1, c2, c3 = st.columns([3, 2, 3])
    c1.text_input("单位名称", key="unit", on_change=save_inputs, placeholder="共青团某某区委员会")
    c2.text_input("时段", key="period", on_change=save_inputs, placeholder="2023年上半年")
    c3.selectbox("文种", GENRES, key="genre", on_change=save_inputs)
    c4, c5 = st.columns([3, 2])
    c4.text_input("标题（可不填）", key="title", on_change=save_inputs)
    c5.text_input("落款日期（可不填）", key="date", on_change=save_inputs, placeholder="2023年7月10日")
    st.text_area("工作要点（每行一条；以“问题：”“下一步：”开头的行归入对应部分）", key="bullets", height=220,
                 on_change=save_inputs)
    b1, b2, _ = st.columns([1, 1, 3])
    b1.button("生成提纲", on_click=queue, args=("outline",), use_container_width=True)
    b2.button("起草全文", type="primary", on_click=queue, args=("draft_all",), use_container_width=True)


def outline_view(report: Report, brief: Brief | None) -> None:
    with st.expander("提纲与要点分配", expanded=not any(s.text for s in report.drafting_units())):
        for i, sec in enumerate(report.sections, start=1):
            st.markdown(f"**{numbered_heading(sec, i)}**")
            for j, sub in enumerate(sec.subsections, start=1):
                st.markdown(f"&nbsp;&nbsp;{numbered_heading(sub, j)}　〔{'、'.join(sub.bullet_ids) or '无要点'}〕")
            if sec.bullet_ids:
                st.markdown(f"&nbsp;&nbsp;〔{'、'.join(sec.bullet_ids)}〕")
        if brief:
            st.caption("　".join(f"{b.id}：{b.text[:24]}" for b in brief.bullets))


def section_editor(report: Report) -> None:
    st.subheader("第二步 · 逐节修改")
    st.markdown(f"### {report.title}")
    for unit in report.drafting_units():
        label = "开头" if unit.role == ROLE_OPENING else _label(report, unit.key)
        with st.container(border=True):
            st.markdown(f"**{label}**")
            st.text_area(label, key=f"text_{unit.key}", height=160, label_visibility="collapsed",
                         on_change=on_section_edit, args=(unit.key,))
            for issue in unit.issues:
                kind = "来源不明的数字或名称" if issue.kind == "来源不明" else "未采用的要点"
                st.warning(f"{kind}：{issue.text}" + (f"（{issue.bullet_id}）" if issue.bullet_id else ""))
            cols = st.columns([1, 1, 1, 1, 1, 1])
            cols[0].button("重新生成", key=f"regen_{unit.key}", on_click=queue, args=("draft_one", unit.key),
                           disabled=unit.locked)
            for col, action in zip(cols[1:4], ("扩写", "精简", "润色")):
                col.button(action, key=f"{action}_{unit.key}", on_click=queue, args=("revise", unit.key, action),
                           disabled=unit.locked or not unit.text)
            cols[4].button("撤销", key=f"undo_{unit.key}", on_click=queue, args=("undo", unit.key))
            cols[5].checkbox("锁定", key=f"lock_{unit.key}", on_change=on_lock, args=(unit.key,))


def _label(report: Report, key: str) -> str:
    for i, sec in enumerate(report.sections, start=1):
        if sec.key == key:
            return numbered_heading(sec, i)
        for j, sub in enumerate(sec.subsections, start=1):
            if sub.key == key:
                return f"{numbered_heading(sec, i)} · {numbered_heading(sub, j)}"
    return key


def downloads(report: Report) -> None:
    st.subheader("第三步 · 导出")
    report.date = st.session_state.get("date", "")
    inline = st.checkbox("小标题与正文同段（（一）标题。正文……）", key="inline")
    c1, c2 = st.columns(2)
    c1.download_button("下载 Word（.docx）", data=export_docx(report, inline_headlines=inline),
                       file_name=f"{report.title[:40]}.docx", use_container_width=True,
                       mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    c2.download_button("下载 Markdown", data=export_markdown(report).encode("utf-8"),
                       file_name=f"{report.title[:40]}.md", use_container_width=True)


def main() -> None:
    st.set_page_config(page_title="总结 · 工作总结起草", page_icon="📝", layout="wide")
    if "draft_id" not in st.session_state:
        wanted = st.query_params.get("d")
        if not (wanted and load_draft(wanted)):
            new_draft()
    st.title("总结 · 工作总结起草")
    sidebar()
    inputs_form()
    run_pending()
    if st.session_state.get("error"):
        st.error(st.session_state.pop("error"))
    report = st.session_state.get("report")
    if report is None:
        st.info("填写单位、时段和要点后，点“生成提纲”或“起草全文”。")
        return
    try:
        brief = current_brief()
    except BriefError:
        brief = None
    outline_view(report, brief)
    section_editor(report)
    downloads(report)


main()

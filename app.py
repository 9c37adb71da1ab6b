"""Streamlit page: paste bullets, edit the outline, draft, edit section by section, export .docx.

Only widgets and session state live here; every rule is in the zongjie core. Long actions are
queued by button callbacks and run at the top of the next script run, before any widget whose
value they change is drawn (Streamlit forbids changing a drawn widget's state).
"""
from __future__ import annotations

import html
import os
from dataclasses import replace
from pathlib import Path

import streamlit as st

from zongjie import session
from zongjie.brief import BriefError, brief_warnings, make_brief
from zongjie.export_docx import export_docx
from zongjie.examples import ExampleError, ExampleLibrary
from zongjie.export_md import export_markdown
from zongjie.facts import GIVEN, mask_exemplar, report_ledger
from zongjie.errors import LLMError
from zongjie.events import DraftListener
from zongjie.grounding import allowed_terms
from zongjie.local_model import MODEL_NAME, LocalModelError, start_server
from zongjie.model import Brief, Report, numbered_heading
from zongjie.vocab import GENRES, ROLE_OPENING
from zongjie.outline import build_outline
from zongjie.proofread import ProofIssue, apply_fix, check_report, propose_parallel_headlines
from zongjie.settings import data_dir, disable_tracing, load_settings, save_settings
from zongjie.store import Store, StoreError

# zongjie.draft and zongjie.llm pull in LangChain (about a second to import on this machine), so
# they are imported where a model is first needed, not before the page's first paint.

SAMPLE = """五四期间组织基层团组织开展青年文化节主题团日活动30余场，覆盖4560名团员青年
“六一”期间组织学校开展“争做新时代好队员”主题宣传教育系列活动20余场，覆盖11560名少先队员
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
组织“青年大学习”网上主题团课学习，参学率达92%
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展“学雷锋”志愿服务活动15场，参与志愿者600余人次
问题：部分基层团组织理论学习形式单一，吸引力不强
下一步：下半年计划举办青年干部培训班2期"""

INPUT_KEYS = ("unit", "period", "genre", "title", "date", "bullets", "pinned")
FAKE = os.environ.get("ZONGJIE_FAKE_LLM") == "1"
AUTO_PIN = "（自动匹配）"
ACTIONS = ("扩写", "精简", "润色")


# ---- resources shared by all sessions (the app layer is the one place for global state) -----
@st.cache_resource
def _store(path: str) -> Store:
    return Store(Path(path) / "zongjie.sqlite3")


def get_store() -> Store:
    """One Store per data folder (keyed, so a changed ZONGJIE_HOME never writes into the old one)."""
    return _store(str(data_dir()))


@st.cache_resource(show_spinner="正在加载范文库…")
def get_base_index():
    from retrieval.index import default_index

    return default_index()


@st.cache_resource
def shipped_reports() -> list[tuple[str, str]]:
    from retrieval.ingest import load_corpus

    return [(r.id, r.title) for r in load_corpus()]


def style_reports() -> dict[str, str]:
    """Report ids and titles for the 风格范文 choice, read without building the index: jieba's
    dictionary load and tokenising would otherwise sit on the page's first paint."""
    return dict(shipped_reports() + [(r.id, r.title) for r in ExampleLibrary().list()])


def get_index():
    """The shipped corpus plus the user's own examples; rebuilt only when that list changes."""
    library = ExampleLibrary()
    signature = tuple(r.id for r in library.list())
    cached = st.session_state.get("_index")
    if cached is None or cached[0] != signature:
        index = library.index(get_base_index()) if signature else get_base_index()
        st.session_state._index = (signature, index)
    return st.session_state._index[1]


@st.cache_resource(show_spinner="正在启动内置模型（首次约需 10–60 秒）…")
def get_embedded_server():
    server = start_server()
    settings = load_settings()
    if settings.compact:
        # Prefill the shared prompt prefix now, under this spinner, so the first section drafted
        # pays only for its own lines (see zongjie.writers.compact.warm_up).
        from zongjie.writers.compact import warm_up
        from zongjie.llm import make_chat_model

        warm_up(make_chat_model(replace(settings, base_url=server.base_url, model=MODEL_NAME), local=True))
    return server


def chat_model(timeout: float | None = None):
    from zongjie.llm import attach_server, make_chat_model

    if FAKE:
        from zongjie.fake_llm import TemplateChatModel

        return TemplateChatModel(delay=float(os.environ.get("ZONGJIE_FAKE_DELAY", "0")))
    settings = load_settings()
    if timeout:
        settings = replace(settings, timeout=timeout, max_retries=0)
    if settings.embedded:
        server = get_embedded_server()
        if not server.alive():  # crashed since it was started: start a fresh one
            get_embedded_server.clear()
            server = get_embedded_server()
        chat = make_chat_model(replace(settings, base_url=server.base_url, model=MODEL_NAME), local=True)
        return attach_server(chat, server)  # a crash mid-draft restarts the server before the retry
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
    sync_widgets(record.report)
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


def sync_widgets(report: Report | None) -> None:
    """Push the report into the widgets that show it (after a load, a draft or an undo)."""
    if report is None:
        return
    for s in report.all_sections():
        st.session_state[f"head_{s.key}"] = s.heading
    for s in report.drafting_units():
        st.session_state[f"text_{s.key}"] = s.text
        st.session_state[f"lock_{s.key}"] = s.locked
        for b in s.bullet_ids:
            st.session_state[f"assign_{b}"] = s.key


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
            regenerate_outline(brief)
        elif action == "draft_all":
            draft_all(brief)
        elif action == "draft_one":
            draft_one(brief, key)
        elif action == "revise":
            instruction = arg or st.session_state.get(f"instr_{key}", "").strip()
            if not instruction:
                raise BriefError("请先在“重写要求”里写明怎么改，例如：更精炼、突出数据、增加一条。")
            revise(brief, key, instruction)
        elif action == "undo":
            if session.undo(get_store(), st.session_state.draft_id, st.session_state.report, brief, key):
                save_report()
                sync_widgets(st.session_state.report)
            else:
                set_error("没有更早的版本可以撤销。")
    except (BriefError, LLMError, LocalModelError, session.OutlineError, StoreError) as exc:
        set_error(str(exc))
    except KeyError:
        set_error("找不到该小节，可能已被删除，请刷新页面。")


def regenerate_outline(brief: Brief) -> None:
    """A new outline replaces the sections; with text already drafted, ask for a second click first,
    and keep every drafted section in its version history so nothing is lost."""
    report = st.session_state.get("report")
    drafted = [s for s in report.drafting_units() if s.text] if report else []
    if drafted and not st.session_state.pop("confirm_outline", False):
        st.session_state.confirm_outline = True
        set_error("已有起草的正文。再点一次“生成提纲”将按要点重新分配并清空正文（旧正文保留在各节的历史版本中）。")
        return
    for section in drafted:
        session.record(get_store(), st.session_state.draft_id, report, section.key, "重新生成提纲前")
    st.session_state.report = build_outline(brief)
    save_report()
    sync_widgets(st.session_state.report)


def compact_style() -> bool:
    return not FAKE and load_settings().compact


def drafter():
    from zongjie.draft import Drafter

    pinned = st.session_state.get("pinned") or None
    return Drafter(chat=chat_model(), index=get_index(), pinned_report=pinned,
                   compact=compact_style())


def ensure_report(brief: Brief) -> Report:
    if st.session_state.get("report") is None:
        st.session_state.report = build_outline(brief)
        sync_widgets(st.session_state.report)
    return st.session_state.report


def draft_all(brief: Brief) -> None:
    """Sections are saved one by one as they finish, so 停止 (any click reruns the page and ends
    this run) keeps them; with a remote endpoint and 并发 > 1 several are drafted at once."""
    report = ensure_report(brief)
    units = [s for s in report.drafting_units() if not s.locked]
    if not units:
        set_error("所有小节都已锁定，没有需要起草的内容。")
        return
    box = st.container(border=True)
    bar = box.progress(0.0, text="准备起草…")
    stop_slot = box.empty()
    stop_slot.button("■ 停止起草", key="stop", help="已完成的小节会保留")
    live = box.empty()
    progress = LiveProgress(report, len(units), bar, live)
    drafter().draft_report(brief, report, listener=progress, concurrency=concurrency())
    bar.progress(1.0, text="起草完成")
    stop_slot.empty()
    live.empty()


class LiveProgress(DraftListener):
    """Shows the section being drafted as it streams, and saves each one the moment it is done."""

    def __init__(self, report: Report, total: int, bar, live) -> None:
        self.report, self.total, self.bar, self.live = report, total, bar, live
        self.finished = 0
        self.buffers: dict[str, list[str]] = {}

    def section_started(self, key: str, heading: str) -> None:
        self.buffers[key] = []
        label = _label(self.report, key)
        self.bar.progress(self.finished / self.total, text=f"正在起草（{self.finished + 1}/{self.total}）：{label}")

    def token(self, key: str, piece: str) -> None:
        self.buffers.setdefault(key, []).append(piece)
        self.live.info("".join(self.buffers[key])[-400:])

    def repairing(self, key: str) -> None:
        self.buffers[key] = []
        self.live.warning("核对事实后正在重写本节…")

    def retrying(self, key: str, reason: str) -> None:
        self.buffers[key] = []
        self.live.warning(f"{reason}，正在自动重试…")

    def section_done(self, key: str, text: str) -> None:
        self.finished += 1
        session.record(get_store(), st.session_state.draft_id, self.report, key, "生成")
        save_report()
        st.session_state[f"text_{key}"] = self.report.find(key).text
        self.bar.progress(self.finished / self.total, text=f"已完成 {self.finished}/{self.total}")


def concurrency() -> int:
    """The embedded llama.cpp server decodes one request at a time; parallel calls only help remotely."""
    settings = load_settings()
    return 1 if FAKE or settings.embedded else max(1, settings.concurrency)


def draft_one(brief: Brief, key: str) -> None:
    report = ensure_report(brief)
    with st.spinner("正在重新生成本节…"):
        drafter().draft_section(report, brief, key)
    finish_section(key, "重新生成")


def revise(brief: Brief, key: str, instruction: str) -> None:
    report = ensure_report(brief)
    with st.spinner(f"正在按要求修改：{instruction[:20]}…"):
        drafter().revise_section(report, brief, key, instruction)
    finish_section(key, instruction[:20])


def finish_section(key: str, note: str) -> None:
    report = st.session_state.report
    session.record(get_store(), st.session_state.draft_id, report, key, note)
    save_report()
    st.session_state[f"text_{key}"] = report.find(key).text


# ---- widget callbacks ----------------------------------------------------------------------
def on_section_edit(key: str, note: str = "手动编辑") -> None:
    report = st.session_state.report
    try:
        brief = current_brief()
    except BriefError as exc:
        set_error(str(exc))
        return
    if session.apply_edit(report, brief, key, st.session_state[f"text_{key}"]):
        session.record(get_store(), st.session_state.draft_id, report, key, note)
        save_report()


def on_lock(key: str) -> None:
    st.session_state.report.find(key).locked = st.session_state[f"lock_{key}"]
    save_report()


def outline_edit(fn, *args) -> None:
    """Apply an outline edit, save, and refresh the widgets; errors become a message."""
    try:
        fn(st.session_state.report, *args)
    except session.OutlineError as exc:
        set_error(str(exc))
    save_report()
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


def on_proof_fix(key: str, issue: ProofIssue) -> None:
    """One-click fix: the corrected text goes through the same path as a manual edit."""
    report = st.session_state.report
    section = report.find(key)
    if section is None:
        return
    st.session_state[f"text_{key}"] = apply_fix(section.text, issue)
    on_section_edit(key, note=f"校对修正：{issue.check}")


def on_parallel(parent_key: str) -> None:
    parent = st.session_state.report.find(parent_key)
    proposals = propose_parallel_headlines([s.heading for s in parent.subsections])
    for sub, heading in zip(parent.subsections, proposals):
        sub.heading = heading
    save_report()
    sync_widgets(st.session_state.report)


def on_upload() -> None:
    upload = st.session_state.get("upload")
    if upload is None:
        return
    try:
        report = ExampleLibrary().add(upload.name, upload.getvalue())
        st.session_state.upload_msg = ("success", f"已加入范文库：《{report.title}》，识别出 {len(report.sections)} 个一级标题。")
    except ExampleError as exc:
        st.session_state.upload_msg = ("error", str(exc))


def on_remove_example(report_id: str) -> None:
    ExampleLibrary().remove(report_id)
    if st.session_state.get("pinned") == report_id:
        st.session_state.pinned = ""
        save_inputs()


def on_open(draft_id: str) -> None:
    load_draft(draft_id)


def on_delete(draft_id: str) -> None:
    get_store().delete(draft_id)
    if draft_id == st.session_state.get("draft_id"):
        new_draft()


def on_save_settings() -> None:
    s = load_settings()
    save_settings(replace(s, base_url=st.session_state.cfg_base_url.strip(), model=st.session_state.cfg_model.strip(),
                          api_key=st.session_state.cfg_api_key.strip() or s.api_key,
                          concurrency=int(st.session_state.cfg_concurrency), style=st.session_state.cfg_style))
    st.session_state.settings_msg = ("success", "已保存设置。")


def on_test_connection() -> None:
    from langchain_core.messages import HumanMessage

    from zongjie.llm import describe_error

    try:
        reply = chat_model(timeout=30).invoke([HumanMessage(content="请只回复：好")])
        st.session_state.settings_msg = ("success", f"连接成功，模型回复：{str(reply.content)[:30]}")
    except (LLMError, LocalModelError) as exc:
        st.session_state.settings_msg = ("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - any client error is reported, never raised into the page
        st.session_state.settings_msg = ("error", describe_error(exc))


# ---- page ------------------------------------------------------------------------------------
def sidebar() -> None:
    with st.sidebar:
        st.header("草稿")
        st.button("＋ 新建草稿", on_click=new_draft, use_container_width=True)
        for draft_id, title, _updated in get_store().list()[:30]:
            mark = "▶ " if draft_id == st.session_state.draft_id else ""
            c1, c2 = st.columns([4, 1])
            c1.button(mark + title[:16], key=f"open_{draft_id}", on_click=on_open, args=(draft_id,),
                      use_container_width=True, help=title)
            c2.button("✕", key=f"del_{draft_id}", on_click=on_delete, args=(draft_id,), help="删除该草稿")
        examples_panel()
        settings_panel()


def examples_panel() -> None:
    with st.expander("我的范文"):
        st.caption("上传本单位以往的总结或汇报（.docx / .txt / .md，5 MB 以内），作为语气和结构的参照。")
        st.file_uploader("上传范文", type=["docx", "txt", "md"], key="upload", on_change=on_upload,
                         label_visibility="collapsed")
        msg = st.session_state.pop("upload_msg", None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(msg[1])
        for report in ExampleLibrary().list():
            c1, c2 = st.columns([5, 1])
            c1.caption(f"《{report.title[:24]}》")
            c2.button("✕", key=f"rmex_{report.id}", on_click=on_remove_example, args=(report.id,), help="移出范文库")


def settings_panel() -> None:
    with st.expander("模型设置"):
        if FAKE:
            st.caption("演示模式：使用确定性模板，不调用任何模型。")
            return
        s = load_settings()
        st.caption("服务地址留空即使用内置模型（本机 llama.cpp，无需密钥，不联网）。")
        st.text_input("服务地址（OpenAI 兼容）", value=s.base_url, key="cfg_base_url",
                      placeholder="https://api.deepseek.com/v1")
        st.text_input("模型名称", value=s.model, key="cfg_model", placeholder="deepseek-chat")
        # The saved key is never sent back to the browser; an empty field keeps it.
        st.text_input("API 密钥", key="cfg_api_key", type="password",
                      placeholder="已保存（留空则不变）" if s.api_key else "sk-…")
        st.number_input("并发小节数（远程服务）", min_value=1, max_value=16, value=max(1, s.concurrency),
                        key="cfg_concurrency", help="远程服务可同时起草多个小节；内置模型总是逐节起草。")
        styles = {"auto": "自动", "compact": "逐条扩写（适合小模型）", "full": "整节生成并参照范文"}
        st.selectbox("起草方式", list(styles), index=list(styles).index(s.style if s.style in styles else "auto"),
                     format_func=styles.get, key="cfg_style")
        c1, c2 = st.columns(2)
        c1.button("保存设置", on_click=on_save_settings, use_container_width=True)
        c2.button("测试连接", on_click=on_test_connection, use_container_width=True)
        msg = st.session_state.pop("settings_msg", None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(msg[1])


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


def outline_editor(report: Report, brief: Brief | None, proof: dict[str, list[ProofIssue]]) -> None:
    drafted = any(s.text for s in report.drafting_units())
    with st.expander("提纲（可改标题、调整要点归属、增删小节）", expanded=not drafted):
        leaves = report.drafting_units()
        labels = {s.key: _label(report, s.key) for s in leaves}
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
                if issue.check == "标题" and sec.subsections:
                    st.info(f"校对［标题］{issue.message}")
                    st.button("采用建议的并列标题", key=f"parallel_{sec.key}", on_click=on_parallel, args=(sec.key,))
            if sec.subsections:
                c1, c2 = st.columns([12, 1])
                c1.text_input("新增小节标题", key=f"new_{sec.key}", placeholder="如：加强阵地建设，拓展青年活动空间",
                              label_visibility="collapsed")
                c2.button("＋", key=f"add_{sec.key}", on_click=on_add_subsection, args=(sec.key,), help="新增小节")
        if brief:
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


def ledger_html(rows: list[tuple[str, str | None]], brief: Brief | None) -> str:
    """Each fact as a chip: green with its source bullet on hover, red when no bullet backs it."""
    chips = []
    for raw, source in rows:
        if source is None:
            chips.append(f'<span class="zj-bad" title="没有任何要点支持这个数字或名称">{html.escape(raw)} · 来源不明</span>')
        else:
            bullet = brief.bullet(source) if brief and source != GIVEN else None
            tip = bullet.text if bullet else "来自单位、时段或标题"
            chips.append(f'<span class="zj-ok" title="{html.escape(tip)}">{html.escape(raw)} ← {html.escape(source if bullet else "已知")}</span>')
    return " ".join(chips)


CSS = """<style>
.zj-ok{background:#e8f5e9;color:#1b5e20;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;display:inline-block}
.zj-bad{background:#ffebee;color:#b71c1c;border-radius:4px;padding:1px 6px;margin:2px;font-size:0.85em;display:inline-block;font-weight:600}
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
    compact = compact_style()  # read the settings once per render, not once per section
    for unit in report.drafting_units():
        section_card(report, brief, unit, ledger.sections.get(unit.key, []) if ledger else [], compact,
                     proof.get(unit.key, []))


def section_card(report: Report, brief: Brief | None, unit, ledger_rows, compact: bool, proof_issues) -> None:
    label = "开头" if unit.role == ROLE_OPENING else _label(report, unit.key)
    with st.container(border=True, key=f"card_{unit.key}"):
        st.markdown(f"**{label}**" + ("　🔒" if unit.locked else ""))
        st.text_area(label, key=f"text_{unit.key}", height=160, label_visibility="collapsed",
                     on_change=on_section_edit, args=(unit.key,), disabled=unit.locked)
        if ledger_rows:
            st.markdown(ledger_html(ledger_rows, brief), unsafe_allow_html=True)
        for issue in unit.issues:
            if issue.kind == "来源不明":
                st.warning(f"来源不明的数字或名称：{issue.text}（要点中没有，请核实或删改）")
            else:
                st.warning(f"未采用的要点（{issue.bullet_id}）：{issue.text}")
        for n, issue in enumerate(proof_issues):
            c1, c2 = st.columns([8, 1])
            c1.caption(f"校对［{issue.check}］{issue.message}")
            if issue.fix is not None and not unit.locked:
                c2.button("修正", key=f"fix_{unit.key}_{n}", on_click=on_proof_fix, args=(unit.key, issue),
                          help=f"改为：{issue.fix or '（删除）'}")
        cols = st.columns([1.2, 1, 1, 1, 1, 1])
        cols[0].button("重新生成", key=f"regen_{unit.key}", on_click=queue, args=("draft_one", unit.key),
                       disabled=unit.locked)
        for col, action in zip(cols[1:4], ACTIONS):
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
        history_and_exemplars(unit, compact)


def history_and_exemplars(unit, compact: bool) -> None:
    with st.expander("历史版本与参考范文"):
        versions = get_store().versions(st.session_state.draft_id, unit.key)
        if versions:
            st.caption("　".join(f"第{v.seq}版·{v.note}" for v in versions[-8:]))
            diff = session.last_diff(get_store(), st.session_state.draft_id, unit.key)
            if diff:
                st.code(diff, language="diff")
        else:
            st.caption("暂无历史版本。")
        for pid in unit.exemplar_ids:
            passage = get_index().get(pid)
            if passage:
                use = "逐条扩写方式不放入提示词，供您参考" if compact else "仅学习语气，数字和名称已隐去"
                st.caption(f"参考范文：《{passage.report_title}》· {passage.heading or '开头'}（{use}）")
                st.text(mask_exemplar(passage.text)[:300])


def _label(report: Report, key: str) -> str:
    if key == report.opening.key:
        return "开头"
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
    disable_tracing()
    try:
        page()
    except StoreError as exc:
        # Autosave failed (disk full, folder not writable, locked): say so; the page state is kept.
        st.error(f"{exc}（本页内容仍在，可先下载 Word 保存。）")


def page() -> None:
    if get_store().notice and not st.session_state.get("notice_shown"):
        st.session_state.notice_shown = True
        st.warning(get_store().notice)
    if "draft_id" not in st.session_state:
        # The URL names the draft (a refresh keeps it); a bare visit reopens the latest draft, so a
        # restart or a lost bookmark never looks like lost work. 新建草稿 starts a fresh one.
        wanted = st.query_params.get("d")
        latest = next(iter(get_store().list()), None)
        if not (wanted and load_draft(wanted)) and not (latest and load_draft(latest[0])):
            new_draft()
    st.title("总结 · 工作总结起草")
    sidebar()
    inputs_form()
    run_pending()
    if st.session_state.get("error"):
        st.error(st.session_state.pop("error"))
    report = st.session_state.get("report")
    if report is None:
        st.info("填写单位、时段和要点后，点“生成提纲”先调整结构，或直接点“起草全文”。")
        return
    try:
        brief = current_brief()
    except BriefError:
        brief = None
    for warning in brief_warnings(brief) if brief else []:
        st.caption(f"提示：{warning}")
    proof = check_report(report)
    outline_editor(report, brief, proof)
    section_editor(report, brief, proof)
    downloads(report)


main()

"""What every part of the page shares: resources cached for all sessions (the draft store, the example
index), the runtime, and helpers over st.session_state (inputs, the open draft, queued actions)."""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from zongjie.brief import make_brief
from zongjie.examples import ExampleLibrary
from zongjie.model import Brief, Report, numbered_heading
from zongjie.runtime import Runtime
from zongjie.session import DraftSession
from zongjie.settings import data_dir, load_settings
from zongjie.store import Store
from zongjie.vocab import GENRES

SAMPLE = """五四期间组织基层团组织开展青年文化节主题团日活动30余场，覆盖4560名团员青年
“六一”期间组织学校开展“争做新时代好队员”主题宣传教育系列活动20余场，覆盖11560名少先队员
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
组织“青年大学习”网上主题团课学习，参学率达92%
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展“学雷锋”志愿服务活动15场，参与志愿者600余人次
问题：部分基层团组织理论学习形式单一，吸引力不强
下一步：下半年计划举办青年干部培训班2期"""

INPUT_KEYS = ("unit", "period", "genre", "title", "date", "bullets", "pinned")
AUTO_PIN = "（自动匹配）"


# ---- resources shared by all sessions (the page is the one place for global state) ---------------
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


def runtime() -> Runtime:
    """The model, style and concurrency for the settings as saved now (the panel may have changed them)."""
    return Runtime(load_settings())


# ---- the open draft -----------------------------------------------------------------------------
def draft() -> DraftSession:
    return DraftSession(get_store(), st.session_state.draft_id, st.session_state.get("report"))


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
    draft().save_inputs(inputs_from_state(), st.session_state.get("title") or draft_title())


def draft_title() -> str:
    return f"{st.session_state.get('unit', '')}{st.session_state.get('period', '')}".strip() or "未命名草稿"


def current_brief() -> Brief:
    i = inputs_from_state()
    return make_brief(i["bullets"], i["unit"], i["period"], i["genre"], i["title"])


def queue(action: str, key: str = "", arg: str = "") -> None:
    """Run `action` at the top of the next script run (see ui.actions)."""
    st.session_state.pending = (action, key, arg)


def set_error(message: str) -> None:
    st.session_state.error = message


def label(report: Report, key: str) -> str:
    """How the page names a section: 开头, 一、… or 一、… · （一）…."""
    if key == report.opening.key:
        return "开头"
    for i, sec in enumerate(report.sections, start=1):
        if sec.key == key:
            return numbered_heading(sec, i)
        for j, sub in enumerate(sec.subsections, start=1):
            if sub.key == key:
                return f"{numbered_heading(sec, i)} · {numbered_heading(sub, j)}"
    return key

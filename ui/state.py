"""What every part of the page shares: resources cached for all sessions (the draft store, the example
index), the runtime, and helpers over st.session_state (inputs, the open draft, queued actions)."""
from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

import streamlit as st

from zongjie.brief import make_brief
from zongjie.errors import UserError
from zongjie.examples import ExampleLibrary
from zongjie.gate import team_gate
from zongjie.model import Brief, Report, numbered_heading
from zongjie.proofread import ProofIssue, check_report
from zongjie.runtime import Runtime
from zongjie.session import DraftSession, record
from zongjie.settings import data_dir, load_settings
from zongjie.store import DraftDeleted, DraftRecord, SaveConflict, Store
from zongjie.team import TeamConfig, load_team_config, user_examples_dir
from zongjie.vocab import GENRES

SAMPLE = """五四期间组织基层团组织开展青年文化节主题团日活动30余场，覆盖4560名团员青年
“六一”期间组织学校开展“争做新时代好队员”主题宣传教育系列活动20余场，覆盖11560名少先队员
团区委微信公众号上半年发布推文120篇，总阅读量达8.6万人次
组织“青年大学习”网上主题团课学习，参学率达92%
上半年发展新团员35名，完成12个基层团支部换届
组织青年志愿者开展“学雷锋”志愿服务活动15场，参与志愿者600余人次
问题：部分基层团组织理论学习形式单一，吸引力不强
下一步：下半年计划举办青年干部培训班2期"""

INPUT_KEYS = ("unit", "period", "genre", "title", "date", "bullets", "pinned", "target")
AUTO_PIN = "（自动匹配）"


# ---- resources shared by all sessions (the page is the one place for global state) ---------------
@st.cache_resource
def _store(path: str) -> Store:
    return Store(Path(path) / "zongjie.sqlite3")


def shared_store() -> Store:
    """One Store per data folder (keyed, so a changed ZONGJIE_HOME never writes into the old one), as
    the local owner's; the accounts and the audit record are read through it."""
    return _store(str(data_dir()))


def get_store() -> Store:
    """The drafts this page may see: in team mode only the signed-in account's (ui.signin), and none
    before a sign-in; in single-user mode the local owner's, as ever."""
    if not team().team:
        return shared_store()
    signed = st.session_state.get("signed_in")
    if signed is None:
        raise UserError("请先登录。")
    return shared_store().as_owner(signed.name)


def team() -> TeamConfig:
    return load_team_config()


def signed_in_admin() -> bool:
    """May change the model settings and the shared examples: anyone in single-user mode."""
    if not team().team:
        return True
    signed = st.session_state.get("signed_in")
    return bool(signed and signed.admin)


def libraries() -> tuple[ExampleLibrary, ExampleLibrary | None]:
    """(this user's own examples, the shared 范文库 or None). Single-user mode has one library, the
    data folder's; in team mode that one is the shared library, which admins manage."""
    signed = st.session_state.get("signed_in")
    if not team().team or signed is None:
        return ExampleLibrary(), None
    return ExampleLibrary(user_examples_dir(signed.name)), ExampleLibrary()


def example_reports() -> list:
    """The examples this user drafts from: the shared ones, then their own (one copy of each)."""
    mine, shared = libraries()
    reports = {r.id: r for r in (shared.list() if shared else [])}
    reports.update((r.id, r) for r in mine.list())
    return list(reports.values())


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
    return dict(shipped_reports() + [(r.id, r.title) for r in example_reports()])


def get_index():
    """The shipped corpus plus the user's examples (and the shared ones); rebuilt only when that list
    changes. A copy: the shared index is never changed."""
    reports = example_reports()
    signature = tuple(r.id for r in reports)
    cached = st.session_state.get("_index")
    if cached is None or cached[0] != signature:
        index = get_base_index()
        if reports:
            index = index.copy()
            index.add_reports(reports)
        st.session_state._index = (signature, index)
    return st.session_state._index[1]


def runtime() -> Runtime:
    """The model, style and concurrency for the settings as saved now (the panel may have changed them).
    In team mode every model call waits its turn at the one gate of this process (zongjie.gate)."""
    config = team()
    signed = st.session_state.get("signed_in")
    if not config.team or signed is None:
        return Runtime(load_settings())
    return Runtime(load_settings(), user=signed.name, gate=team_gate(config.concurrency))


# ---- the open draft -----------------------------------------------------------------------------
class PageDraft(DraftSession):
    """The open draft as this tab edits it. Saves are merged with what other tabs saved since this tab
    last synced (its base is st.session_state.synced, a snapshot), and what the merge brought in is
    put into the widgets. A save that fails never raises into a widget callback, where Streamlit
    would replace the page with a traceback: the failure is kept in st.session_state.problem for
    ui.problems to show, the page keeps its text, and the next save (or 重试保存) tries again."""

    def save(self) -> None:
        guarded("report", self._save)

    def _save(self) -> None:
        self._ensure_created()
        before = copy.deepcopy(self.report)
        DraftSession.save(self)
        if self.base is not None:
            st.session_state.synced = self.base
        if self.report is not st.session_state.get("report"):
            st.session_state.report = self.report
        sync_widgets(self.report, before)  # another tab's sections, merged in

    def save_inputs(self, inputs: dict, title: str) -> None:
        guarded("inputs", lambda: self._save_inputs(inputs, title))

    def _save_inputs(self, inputs: dict, title: str) -> None:
        self._ensure_created()
        DraftSession.save_inputs(self, inputs, title)
        if self.base is None:
            return
        merged = self.adopt_inputs()  # another tab's fields, merged in
        st.session_state.synced = self.base
        for k in INPUT_KEYS:
            if k in merged and st.session_state.get(k) != merged[k]:
                st.session_state[k] = merged[k]

    def commit(self, key: str, note: str) -> None:
        if guarded("report", lambda: self._ensure_created() or record(self.store, self.draft_id, self.report,
                                                                        key, note)):
            self.save()

    def _ensure_created(self) -> None:
        """A page opened while no draft could be created (full or read-only disk) creates it on its
        first save."""
        if self.draft_id:
            return
        self.draft_id = self.store.create(inputs_from_state(), draft_title())
        self.base = copy.deepcopy(self.store.load(self.draft_id))
        st.session_state.draft_id, st.session_state.synced = self.draft_id, self.base
        st.query_params["d"] = self.draft_id


def guarded(part: str, action) -> bool:
    """Run a save; on failure record what was not saved (`part`: "inputs" or "report") and why."""
    problem = st.session_state.get("problem") or {"kind": "", "text": "", "parts": set()}
    try:
        action()
    except SaveConflict as exc:
        st.session_state.problem = {"kind": "conflict", "text": str(exc), "items": exc.items,
                                    "parts": problem["parts"] | {part}}
        return False
    except DraftDeleted as exc:
        st.session_state.problem = {"kind": "deleted", "text": str(exc), "parts": problem["parts"] | {part}}
        return False
    except UserError as exc:  # StoreError: disk full, read-only, locked; SettingsError: no data folder
        st.session_state.problem = {"kind": "failed", "text": str(exc), "parts": problem["parts"] | {part}}
        return False
    if st.session_state.get("problem"):
        problem["parts"].discard(part)
        if not problem["parts"]:
            del st.session_state["problem"]
    return True


def draft() -> PageDraft:
    return PageDraft(get_store(), st.session_state.get("draft_id"), st.session_state.get("report"),
                     base=st.session_state.get("synced"))


def inputs_from_state() -> dict:
    return {k: st.session_state.get(k, "") for k in INPUT_KEYS}


def notice(text: str, kind: str = "warning") -> None:
    """A message shown once at the top of the next render (ui.problems), which shows it as text: pass
    plain text, not Markdown (it is escaped there)."""
    st.session_state.setdefault("notices", []).append((kind, text))


def load_draft(draft_id: str) -> bool:
    """Open a draft; False (with a notice when it is damaged or unreadable) if it cannot be."""
    try:
        found = get_store().load(draft_id)
    except UserError as exc:  # DraftDamaged: this row; StoreError: the database
        notice(str(exc), "error")
        return False
    if found is None:
        if team().team:  # an id of another account's draft reads exactly like one that never existed
            notice("未找到该草稿。", "error")
        return False
    show_record(found)
    return True


def show_record(found: DraftRecord) -> None:
    """Show a stored draft: its inputs and report become this tab's state, and a snapshot of it the
    base its next save is merged against (a copy: the base must not change with the edits). What
    was said about another draft's saves (failed, conflict, deleted) no longer applies."""
    if found.id != st.session_state.get("draft_id"):
        st.session_state.pop("problem", None)
    st.session_state.draft_id = found.id
    st.session_state.synced = copy.deepcopy(found)
    for k in INPUT_KEYS:
        st.session_state[k] = found.inputs.get(k, "")
    if st.session_state.get("genre") not in GENRES:
        st.session_state.genre = GENRES[0]
    st.session_state.report = found.report
    sync_widgets(found.report)
    st.query_params["d"] = found.id
    for text in found.notices:
        notice(text)


def new_draft() -> None:
    """Start a fresh draft. If the database refuses it, the open draft stays open (and a page that has
    none keeps an unsaved one, created on its first save that works)."""
    blank = {k: "" for k in INPUT_KEYS} | {"genre": GENRES[0]}  # bullets empty: the example is grey (15.7)
    try:
        store = get_store()
        draft_id = store.create(blank)
        created = store.load(draft_id)
    except UserError as exc:
        unsaved = (st.session_state.get("problem") or {}).get("parts", set())
        if not st.session_state.get("draft_id"):
            show_record(DraftRecord("", "未命名草稿", 0.0, 0.0, blank, None))
            st.session_state.draft_id, st.session_state.synced = None, None
            st.query_params.pop("d", None)
            unsaved = {"inputs"}
        st.session_state.problem = {"kind": "failed", "text": str(exc), "parts": unsaved}
        return
    show_record(created)


def delete_draft(draft_id: str) -> None:
    """Delete a draft; the open one is replaced by a new draft. A refused delete is reported."""
    if not guarded("delete", lambda: get_store().delete(draft_id)):
        st.session_state.problem["parts"].discard("delete")
        return
    if draft_id == st.session_state.get("draft_id"):
        new_draft()


def sync_widgets(report: Report | None, before: Report | None = None) -> None:
    """Push the report into the widgets that show it (after a load, a draft or an undo). With
    `before` (the report as the tab had it), only what changed since: a widget whose own change is
    still waiting for its callback in this run keeps it."""
    if report is None:
        return

    def changed(key: str, attr: str) -> bool:
        old = before.find(key) if before is not None else None
        return old is None or getattr(old, attr) != getattr(report.find(key), attr)

    for s in report.all_sections():
        if changed(s.key, "heading"):
            st.session_state[f"head_{s.key}"] = s.heading
    for s in report.drafting_units():
        if changed(s.key, "paragraphs"):
            st.session_state[f"text_{s.key}"] = s.text
        if changed(s.key, "locked"):
            st.session_state[f"lock_{s.key}"] = s.locked
        if changed(s.key, "bullet_ids"):
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


# ---- proofreading, once per report text ------------------------------------------------------------
def proofread(report: Report) -> dict[str, list[ProofIssue]]:
    """check_report, cached on the report's content: a rerun that changed nothing in the report (any
    click elsewhere) proofreads nothing."""
    return copy.deepcopy(_proofread(json.dumps(report.to_dict(), ensure_ascii=False, sort_keys=True)))


@functools.lru_cache(maxsize=32)
def _proofread(report_json: str) -> dict[str, list[ProofIssue]]:
    return check_report(Report.from_dict(json.loads(report_json)))

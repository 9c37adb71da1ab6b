"""The 模型设置 panel: the endpoint, model, key, concurrency and drafting style, saved to the settings
file, and a one-line connection test through the same runtime the drafts use. In team mode only an
admin sees and changes them; other accounts are told who does (nothing of the endpoint is shown)."""
from __future__ import annotations

from dataclasses import replace

import streamlit as st

from zongjie.errors import UserError
from zongjie.local_model import LocalModelError
from zongjie.runtime import fake_requested
from zongjie.settings import MAX_CONCURRENCY, SettingsError, endpoint_warnings, load_settings, safe_url, save_settings

from .safe import md
from .state import notice, runtime, signed_in_admin

STYLES = {"auto": "自动", "compact": "逐条扩写（适合小模型）", "full": "整节生成并参照范文"}


def settings_panel() -> None:
    with st.expander("模型设置"):
        if not signed_in_admin():
            st.caption("模型服务由管理员统一设置。")
            return
        if fake_requested():
            st.caption("演示模式：使用确定性模板，不调用任何模型。")
            return
        s = load_settings(notices=(notes := []))
        if notes and st.session_state.get("settings_notes") != notes:  # each repair is told once
            st.session_state.settings_notes = notes
            for note in notes:
                notice(f"模型设置：{note}")
        st.caption("服务地址留空即使用内置模型（本机 llama.cpp，无需密钥，不联网）。")
        # user:password@ in the URL is never sent back to the browser (shown as ***@; kept on save)
        st.text_input("服务地址（OpenAI 兼容）", value=safe_url(s.base_url), key="cfg_base_url",
                      placeholder="https://api.deepseek.com/v1")
        for warning in endpoint_warnings(s):
            st.warning(md(warning))
        st.text_input("模型名称", value=s.model, key="cfg_model", placeholder="deepseek-chat")
        # The saved key is never sent back to the browser; an empty field keeps it.
        st.text_input("API 密钥", key="cfg_api_key", type="password",
                      placeholder="已保存（留空则不变）" if s.api_key else "sk-…")
        if s.embedded:
            st.caption(f"内置模型同时起草 {runtime().concurrency} 节（按本机 CPU 和内存自动选择）。")
        else:
            st.number_input("并发小节数（远程服务）", min_value=1, max_value=MAX_CONCURRENCY,
                            value=min(max(1, s.concurrency), MAX_CONCURRENCY), key="cfg_concurrency",
                            help="远程服务可同时起草多个小节。")
        st.selectbox("起草方式", list(STYLES), index=list(STYLES).index(s.style if s.style in STYLES else "auto"),
                     format_func=STYLES.get, key="cfg_style")
        c1, c2 = st.columns(2)
        c1.button("保存设置", on_click=on_save_settings, width="stretch")
        c2.button("测试连接", on_click=on_test_connection, width="stretch")
        msg = st.session_state.pop("settings_msg", None)
        if msg:
            (st.success if msg[0] == "success" else st.error)(md(msg[1]))  # may quote the model's reply


def on_save_settings() -> None:
    if not signed_in_admin():  # the button is drawn for admins only; a callback checks again anyway
        return
    s = load_settings()
    url = st.session_state.cfg_base_url.strip()
    if url == safe_url(s.base_url):  # the masked form of the saved URL: keep the saved one
        url = s.base_url
    concurrency = st.session_state.get("cfg_concurrency", s.concurrency)
    try:
        save_settings(replace(s, base_url=url, model=st.session_state.cfg_model.strip(),
                              api_key=st.session_state.cfg_api_key.strip() or s.api_key,
                              concurrency=int(concurrency), style=st.session_state.cfg_style))
    except SettingsError as exc:  # full or read-only disk: the old settings stay as they were
        st.session_state.settings_msg = ("error", str(exc))
        return
    st.session_state.settings_msg = ("success", "已保存设置。")


def on_test_connection() -> None:
    if not signed_in_admin():
        return
    from langchain_core.messages import HumanMessage

    from zongjie.llm import describe_error

    try:
        reply = runtime().chat(timeout=30).invoke([HumanMessage(content="请只回复：好")])
        st.session_state.settings_msg = ("success", f"连接成功，模型回复：{str(reply.content)[:30]}")
    except (UserError, LocalModelError) as exc:
        st.session_state.settings_msg = ("error", str(exc))
    except Exception as exc:  # noqa: BLE001 - any client error is reported, never raised into the page
        st.session_state.settings_msg = ("error", describe_error(exc))

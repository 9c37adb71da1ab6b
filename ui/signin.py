"""Team mode's sign-in: a small form over our own account store (zongjie.accounts), checked before
anything of a draft is read. A sign-in lasts as long as the browser tab's session and ends after the
idle time (ZONGJIE_SESSION_HOURS), on 退出登录, or when an admin removes the account or resets its
password.

Our own form rather than streamlit-authenticator: that package keeps its users and hashes in a YAML
file beside the app (a second store to secure and back up, written by the page), puts its session in
a JavaScript-readable cookie, and has no lockout of its own; here the accounts sit in the drafts
database with their argon2 hashes and lockout counters, and every rule is a plain function with unit
tests (tests/test_accounts.py). What the form costs: a browser refresh starts a new Streamlit session,
which asks for the password again.
"""
from __future__ import annotations

import streamlit as st

from zongjie.accounts import Accounts, SignedIn, SignInError
from zongjie.team import TeamConfig

from .state import shared_store


def accounts() -> Accounts:
    return Accounts(shared_store())


def require_sign_in(config: TeamConfig) -> SignedIn:
    """The signed-in account of this page; otherwise the sign-in form, and the script run ends."""
    store_accounts = accounts()
    if store_accounts.count() == 0:
        st.error("团队模式尚未建立任何账户，页面不能使用。请管理员在服务器上运行："
                 "python -m zongjie user add 账户名 --admin")
        st.stop()
    signed: SignedIn | None = st.session_state.get("signed_in")
    if signed is not None:
        why = store_accounts.still_signed_in(signed, config.idle_seconds)
        if not why:
            return signed
        sign_out(why)
    sign_in_form(config)
    st.stop()
    raise AssertionError("st.stop() returned")  # for the type checker: the run has ended


def sign_in_form(config: TeamConfig) -> None:
    st.title("总结 · 登录")
    st.caption(config.label)
    message = st.session_state.pop("signin_message", None)
    if message:
        st.info(message)
    with st.form("signin"):
        st.text_input("账户名", key="signin_name")
        st.text_input("密码", type="password", key="signin_password")
        submitted = st.form_submit_button("登录", type="primary")
    if submitted:
        name, password = st.session_state.get("signin_name", ""), st.session_state.get("signin_password", "")
        try:
            signed = accounts().sign_in(name, password)
        except SignInError as exc:
            st.error(str(exc))
            return
        for key in ("signin_name", "signin_password"):
            st.session_state.pop(key, None)
        st.session_state.signed_in = signed
        st.rerun()


def sign_out(message: str = "已退出登录。") -> None:
    """Forget everything this tab held (the open draft, the inputs, the index of the user's examples):
    the next person at this browser starts from the sign-in form and sees nothing of the last one."""
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    st.query_params.clear()
    st.session_state.signin_message = message

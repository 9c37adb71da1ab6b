"""In single-user mode zongjie is a tool on this machine: the page is served on a loopback address only,
and only to a browser that asked for it by a loopback name. Both checks run first in every script run,
before anything of a draft is read or sent. Team mode (ZONGJIE_MODE=team, zongjie/team.py), where every
page asks for a sign-in first, may bind any address and also answers to the names in
ZONGJIE_ALLOWED_HOSTS (the name the office uses, as nginx passes it on); every other name is refused
just the same, so DNS rebinding is stopped in both modes.

- DNS rebinding (issue 16, 5): a web page on `http://evil.example:8501`, whose name the attacker
  then points at 127.0.0.1, is same-origin with the page it loads; binding to loopback does not stop
  it. Its requests carry `Host: evil.example:8501`, so any Host but 127.0.0.1, localhost or [::1]
  (any port) gets a refusal and nothing else. The HTML and JavaScript of the page shell hold no user
  data; every draft reaches the browser through a script run over the websocket, which this stops.
- A bare `streamlit run app.py` obeys `STREAMLIT_SERVER_ADDRESS=0.0.0.0` (or a config without an
  address binds every interface): the page refuses to show anything then (issue 16, 9).
"""
from __future__ import annotations

import streamlit as st

from zongjie.team import TeamConfig

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def host_name(host_header: str) -> str:
    """The name in a Host header, without its port: "[::1]:8501" → "::1", "localhost:80" → "localhost"."""
    host = host_header.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rpartition(":")[0] if ":" in host else host


def is_loopback_host(host_header: str) -> bool:
    return host_name(host_header) in LOOPBACK_HOSTS


def is_loopback_address(address: str | None) -> bool:
    """The address Streamlit binds: empty (every interface), 0.0.0.0 and :: are not loopback."""
    address = (address or "").strip().strip("[]").lower()
    return address in ("localhost", "::1") or address.startswith("127.")


def host_allowed(host_header: str, config: TeamConfig) -> bool:
    """Loopback names always; in team mode also the names the operator listed (any port)."""
    if is_loopback_host(host_header):
        return True
    return config.team and bool(host_header.strip()) and host_name(host_header) in {
        host_name(h) for h in config.allowed_hosts}


def address_allowed(address: str | None, config: TeamConfig) -> bool:
    """Only team mode, where nothing is shown before a sign-in, may be served beyond this machine."""
    return config.team or is_loopback_address(address)


def refuse_public_address(config: TeamConfig) -> None:
    address = st.get_option("server.address")
    if not address and not st.context.headers.get("Host"):
        return  # no server (AppTest run from a folder without .streamlit/config.toml): nothing is served
    if not address_allowed(address, config):
        st.error(f"本工具只在本机使用，不能在地址“{address or '所有网络接口'}”上提供页面（其他电脑可能读到您的草稿）。"
                 "请用 bash scripts/start.sh 启动，或在启动命令中加上 --server.address 127.0.0.1，"
                 "并删去环境变量 STREAMLIT_SERVER_ADDRESS。多人共用请改用团队模式（见 README“团队模式”）。")
        st.stop()


def refuse_foreign_host(config: TeamConfig) -> None:
    host = st.context.headers.get("Host")
    if host is not None and not host_allowed(host, config):
        if config.team:
            st.error("本页不接受通过这个网址的访问。请使用管理员告知的网址；"
                     "管理员可在环境变量 ZONGJIE_ALLOWED_HOSTS 中列出允许的域名。")
            st.stop()
        st.error("本页只接受通过 http://127.0.0.1 或 http://localhost 的访问。"
                 "您访问时使用的网址不是本机地址，为防止其他网站读取草稿，页面没有显示任何内容。")
        st.stop()

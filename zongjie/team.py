"""Single-user or team mode, and team mode's settings, from the environment: the server operator sets
them when starting the service; nothing on the page can change them (a settings-file key could be
written by the 设置 panel, an environment variable cannot).

    ZONGJIE_MODE=team                 sign-in, per-user drafts, may serve a non-loopback address
    ZONGJIE_ALLOWED_HOSTS=a.b,c.d     Host names (besides loopback) the page answers to
    ZONGJIE_SESSION_HOURS=8           idle time after which a signed-in page signs out
    ZONGJIE_TEAM_CONCURRENCY=4        model calls in flight at once, for all users together
"""
from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .settings import data_dir
from .vocab import Kind

log = logging.getLogger(__name__)

# The owner of every draft in single-user mode (and of every draft made before accounts existed).
LOCAL_OWNER = "local"
DEFAULT_SESSION_HOURS = 8.0
DEFAULT_TEAM_CONCURRENCY = 4
MAX_TEAM_CONCURRENCY = 64


class Mode(Kind):
    SINGLE = "single"
    TEAM = "team"


@dataclass(frozen=True)
class TeamConfig:
    mode: Mode = Mode.SINGLE
    allowed_hosts: tuple[str, ...] = ()
    session_hours: float = DEFAULT_SESSION_HOURS
    concurrency: int = DEFAULT_TEAM_CONCURRENCY

    @property
    def team(self) -> bool:
        return self.mode == Mode.TEAM

    @property
    def idle_seconds(self) -> float:
        return self.session_hours * 3600

    @property
    def label(self) -> str:
        """What the sidebar says about the mode."""
        return "团队模式（需登录，草稿按账户隔离）" if self.team else "单机模式（仅本机访问，无需登录）"


def _number(var: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(var, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        log.warning("%s=%r is not a number; using %s", var, raw, default)
        return default
    if value != value or not low <= value <= high:  # NaN, or out of range
        log.warning("%s=%r is outside %s–%s; using %s", var, raw, low, high, default)
        return default
    return value


def load_team_config() -> TeamConfig:
    """The mode and its settings as the environment says now. Anything but `team` is single-user:
    a typo must never open the page to the network."""
    mode = Mode.TEAM if os.environ.get("ZONGJIE_MODE", "").strip().lower() == "team" else Mode.SINGLE
    hosts = tuple(h.strip().lower() for h in os.environ.get("ZONGJIE_ALLOWED_HOSTS", "").split(",") if h.strip())
    hours = _number("ZONGJIE_SESSION_HOURS", DEFAULT_SESSION_HOURS, 0.05, 24 * 30)
    slots = int(_number("ZONGJIE_TEAM_CONCURRENCY", DEFAULT_TEAM_CONCURRENCY, 1, MAX_TEAM_CONCURRENCY))
    return TeamConfig(mode, hosts, hours, slots)


def user_examples_dir(name: str) -> Path:
    """Where one account's own example reports live in team mode. data_dir()/examples (single-user
    mode's library) is the shared 范文库 then. Account names are checked (zongjie.accounts.NAME), but
    this path is a file-system boundary, so it refuses anything but a plain folder name itself."""
    if not name or name in (".", "..") or re.search(r"[/\\\x00]", name):
        raise ValueError(f"not a folder name: {name!r}")
    return data_dir(create=False) / "user-examples" / name

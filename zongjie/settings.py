"""Where zongjie keeps its files, and which chat endpoint it talks to (environment or settings file)."""
from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .errors import UserError

log = logging.getLogger(__name__)

ENV_PREFIX = "ZONGJIE_"
# Sections drafted at once: the page offers 1–16, and more buys nothing from any real endpoint.
MAX_CONCURRENCY = 16
MAX_RETRIES = 10
STYLES = ("auto", "compact", "full")


class SettingsError(UserError, RuntimeError):
    """The data directory or the settings file cannot be used; the message is a Chinese sentence."""


def disable_tracing() -> None:
    """LangSmith tracing, if switched on in the user's environment, would copy every prompt (the
    unit's bullets) to a third party; zongjie talks to the configured endpoint only."""
    for var in ("LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "LANGSMITH_TRACING"):
        os.environ[var] = "false"


def data_dir(create: bool = True) -> Path:
    """Drafts, user examples and settings live here; override with ZONGJIE_HOME (tests do).

    create=False only names it, for readers: a missing directory then simply holds nothing."""
    root = os.environ.get("ZONGJIE_HOME") or Path.home() / ".local" / "share" / "zongjie"
    path = Path(root)
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SettingsError(_dir_problem(path, exc)) from exc
    return path


def _dir_problem(path: Path, exc: OSError) -> str:
    """Why a data directory cannot be made, in words that point at the fix."""
    where = "（由环境变量 ZONGJIE_HOME 指定）" if os.environ.get("ZONGJIE_HOME") else ""
    blocker = next((p for p in [path, *path.parents] if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        return (f"无法使用数据目录 {path}{where}：{blocker} 是一个文件而不是文件夹。"
                "请修改 ZONGJIE_HOME，或移走该文件。")
    return f"无法创建数据目录 {path}{where}：{_os_reason(exc)}。请检查 ZONGJIE_HOME 设置和该位置的权限。"


def _os_reason(exc: OSError) -> str:
    import errno

    return {errno.ENOSPC: "磁盘空间已满", errno.EDQUOT: "磁盘配额已用完", errno.EROFS: "磁盘是只读的",
            errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限"}.get(exc.errno, "系统拒绝写入")


def cache_dir() -> Path:
    """The assembled model is large and reproducible, so it goes to a cache, not the data dir."""
    root = os.environ.get("ZONGJIE_CACHE") or Path.home() / ".cache" / "zongjie"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class Settings:
    """An OpenAI-compatible chat endpoint. Empty base_url means: start the embedded local model."""

    base_url: str = ""
    model: str = ""
    api_key: str = field(default="", repr=False)  # never in a repr, a log line or an exception
    timeout: float = 120.0
    max_retries: int = 2
    temperature: float = 0.3
    max_tokens: int = 600
    concurrency: int = 1
    style: str = "auto"  # auto | compact | full (see `compact`)

    @property
    def embedded(self) -> bool:
        return not self.base_url

    @property
    def compact(self) -> bool:
        """One short task per call (compact) suits small models; whole sections with an exemplar
        (full) suit capable remote ones. auto: compact exactly when the embedded model is used."""
        return self.style == "compact" or (self.style == "auto" and self.embedded)

    def redacted(self) -> dict:
        """For logs and the settings panel: the key, and a password in the URL, never leave this
        object in clear."""
        d = asdict(self)
        d["api_key"] = "***" if self.api_key else ""
        d["base_url"] = safe_url(self.base_url)
        return d

    def __repr__(self) -> str:
        # The dataclass repr would print base_url as typed, user:password@ included.
        shown = ", ".join(f"{k}={v!r}" for k, v in self.redacted().items() if k != "api_key")
        return f"Settings({shown})"


def split_userinfo(url: str) -> tuple[str, tuple[str, str] | None]:
    """The URL without user:password@, and that pair (None when the URL has none)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    from urllib.parse import unquote

    return urlunsplit(parts._replace(netloc=host)), (unquote(user), unquote(password))


def is_loopback(url_or_host: str) -> bool:
    """Is this endpoint (a URL, or a bare host) on this machine: localhost, 127.x or ::1?"""
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host.strip("[]")
    host = (host or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


def safe_url(url: str) -> str:
    """For display and logs: user:password@ in the endpoint URL becomes ***@."""
    bare, userinfo = split_userinfo(url)
    if userinfo is None:
        return url
    parts = urlsplit(bare)
    return urlunsplit(parts._replace(netloc="***@" + parts.netloc))


def endpoint_warnings(settings: Settings) -> list[str]:
    """What the user should know about the endpoint as configured (shown next to the settings)."""
    if split_userinfo(settings.base_url)[1] is None:
        return []
    return ["服务地址中含有用户名和密码（“用户名:密码@”）：请求将以 Basic 认证发送它们，"
            "API 密钥不会被使用。若服务要求的是 API 密钥，请从地址中删去这一段，把密钥填在“API 密钥”一栏。"]


def settings_path() -> Path:
    return Path(os.environ.get("ZONGJIE_SETTINGS") or data_dir(create=False) / "settings.json")


_LABELS = {"base_url": "服务地址", "model": "模型名称", "api_key": "API 密钥", "timeout": "超时时间",
           "max_retries": "重试次数", "temperature": "温度", "max_tokens": "输出上限", "concurrency": "并发小节数",
           "style": "起草方式"}


def _coerce(name: str, raw: object):
    """The value as the field's type; ValueError (or TypeError) for what no reading makes sense of.
    Strings are read as numbers, whole floats as ints; bools, lists, objects and null are refused
    (True would otherwise count as 1)."""
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if raw is None or isinstance(raw, (bool, list, dict)):
        raise TypeError(name)
    if kind == "str":
        if not isinstance(raw, str):
            raise TypeError(name)
        value = raw.strip() if name != "api_key" else raw
        if name == "style" and value not in STYLES:
            raise ValueError(value)
        if name == "base_url" and value and urlsplit(value).scheme not in ("http", "https"):
            raise ValueError(value)
        return value
    if kind == "float":
        value = float(raw)
        if not math.isfinite(value):
            raise ValueError(raw)
        if name == "timeout" and value <= 0:
            raise ValueError(raw)
        return value
    if isinstance(raw, float):
        if not raw.is_integer():
            raise ValueError(raw)
        raw = int(raw)
    value = int(raw)
    if name == "max_tokens" and value < 1:
        raise ValueError(raw)
    return value


def _bounded(name: str, value, source: str, notices: list[str]):
    """Values of the right type but out of range are brought into range, with a notice."""
    bounds = {"concurrency": (1, MAX_CONCURRENCY), "max_retries": (0, MAX_RETRIES), "temperature": (0.0, 2.0)}
    if name not in bounds:
        return value
    low, high = bounds[name]
    bounded = min(max(value, low), high)
    if bounded != value:
        notices.append(f"{source}中{_LABELS[name]}（{name}）为 {value}，超出 {low}–{high} 的范围，"
                       f"已按 {bounded} 处理。")
    return bounded


def _shown(name: str, raw: object) -> str:
    if name == "api_key":
        return "（已隐藏）"  # a key, even a malformed one, is never echoed
    if name == "base_url" and isinstance(raw, str):
        raw = safe_url(raw)
    text = json.dumps(raw, ensure_ascii=False) if not isinstance(raw, str) else f"“{raw}”"
    return text if len(text) <= 40 else text[:37] + "…"


def _read_file(path: Path, notices: list[str]) -> dict:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        if path.exists() or not isinstance(exc, NotADirectoryError):
            notices.append(f"设置文件 {path} 无法读取，已忽略，使用默认设置。")
        return {}
    try:
        stored = json.loads(text)
    except ValueError:
        notices.append(f"设置文件 {path} 不是有效的 JSON，已忽略，使用默认设置；在“模型设置”中保存一次即可重写。")
        return {}
    if not isinstance(stored, dict):
        notices.append(f"设置文件 {path} 的内容不是一组设置（应为 {{…}} 形式的 JSON 对象），已忽略，使用默认设置。")
        return {}
    return stored


def load_settings(path: Path | None = None, notices: list[str] | None = None) -> Settings:
    """File first, environment on top: an exported variable wins over a stale file.

    Nothing in either makes this fail: a file that is not a JSON object, a value of the wrong type
    and an environment variable that does not parse are ignored (the default stays), values out of
    range are clamped. Each such repair appends a Chinese sentence to `notices` (and the log), for
    the page or the CLI to show."""
    notes: list[str] = []
    path = path or settings_path()
    values: dict = {}
    names = [f.name for f in fields(Settings)]
    stored = _read_file(path, notes)
    for name in names:
        if name not in stored:
            continue
        try:
            values[name] = _bounded(name, _coerce(name, stored[name]), "设置文件", notes)
        except (TypeError, ValueError, OverflowError):
            notes.append(f"设置文件中{_LABELS[name]}（{name}）的值 {_shown(name, stored[name])} 无效，已忽略，"
                         f"使用默认值{'' if name == 'api_key' else ' ' + _shown(name, getattr(Settings(), name))}。")
    for name in names:
        var = ENV_PREFIX + name.upper()
        raw = os.environ.get(var)
        if raw is None or raw == "":
            continue
        try:
            values[name] = _bounded(name, _coerce(name, raw), f"环境变量 {var} ", notes)
        except (TypeError, ValueError, OverflowError):
            notes.append(f"环境变量 {var} 的值 {_shown(name, raw)} 无效，已忽略。")
    if not values.get("api_key") and values.get("base_url"):
        values["api_key"] = os.environ.get("OPENAI_API_KEY", "")
    settings = replace(Settings(), **values)
    notes.extend(endpoint_warnings(settings))
    for note in notes:
        log.warning("settings: %s", note)
    if notices is not None:
        notices.extend(notes)
    return settings


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Atomic write with owner-only permissions, since the file may hold an API key. A refused
    write (full or read-only disk) is a SettingsError with a Chinese message; the old file is
    left as it was and no temporary file stays behind."""
    path = path or settings_path()
    if path == data_dir(create=False) / "settings.json":
        data_dir()  # makes the directory, or says in Chinese why it cannot
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(asdict(settings), fh, ensure_ascii=False, indent=2)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise SettingsError(f"设置未能保存到 {path}：{_os_reason(exc)}。"
                            "原有设置保持不变；请清理磁盘或检查该目录的权限后再保存。") from exc
    return path

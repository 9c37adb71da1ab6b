"""Where zongjie keeps its files, and which chat endpoint it talks to (environment or settings file)."""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

ENV_PREFIX = "ZONGJIE_"


def disable_tracing() -> None:
    """LangSmith tracing, if switched on in the user's environment, would copy every prompt (the
    unit's bullets) to a third party; zongjie talks to the configured endpoint only."""
    for var in ("LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING", "LANGSMITH_TRACING"):
        os.environ[var] = "false"


def data_dir() -> Path:
    """Drafts, user examples and settings live here; override with ZONGJIE_HOME (tests do)."""
    root = os.environ.get("ZONGJIE_HOME") or Path.home() / ".local" / "share" / "zongjie"
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


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
        """For logs and the settings panel: the key never leaves this object in clear."""
        d = asdict(self)
        d["api_key"] = "***" if self.api_key else ""
        return d


def settings_path() -> Path:
    return Path(os.environ.get("ZONGJIE_SETTINGS") or data_dir() / "settings.json")


def _coerce(name: str, raw: str):
    kind = {f.name: f.type for f in fields(Settings)}[name]
    if kind == "float":
        return float(raw)
    if kind == "int":
        return int(raw)
    return raw


def load_settings(path: Path | None = None) -> Settings:
    """File first, environment on top: an exported variable wins over a stale file."""
    path = path or settings_path()
    values: dict = {}
    if path.exists():
        try:
            stored = json.loads(path.read_text(encoding="utf-8"))
            values.update({k: v for k, v in stored.items() if k in Settings.__dataclass_fields__})
        except (OSError, ValueError):
            pass  # a broken settings file must not stop the app; the panel can rewrite it
    for f in fields(Settings):
        raw = os.environ.get(ENV_PREFIX + f.name.upper())
        if raw is not None and raw != "":
            try:
                values[f.name] = _coerce(f.name, raw)
            except ValueError:
                pass
    if not values.get("api_key") and values.get("base_url"):
        values["api_key"] = os.environ.get("OPENAI_API_KEY", "")
    return replace(Settings(), **values)


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Atomic write with owner-only permissions, since the file may hold an API key."""
    path = path or settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".settings-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(asdict(settings), fh, ensure_ascii=False, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
    return path

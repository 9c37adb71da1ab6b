"""Every test gets its own data dir, so autosave and settings never touch the developer's files."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ZONGJIE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("ZONGJIE_SETTINGS", raising=False)
    for var in ("ZONGJIE_BASE_URL", "ZONGJIE_MODEL", "ZONGJIE_API_KEY", "OPENAI_API_KEY", "ZONGJIE_FAKE_LLM",
                "ZONGJIE_MODE", "ZONGJIE_ALLOWED_HOSTS", "ZONGJIE_SESSION_HOURS", "ZONGJIE_TEAM_CONCURRENCY"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path / "home"


@pytest.fixture
def bullets_text() -> str:
    return (FIXTURES / "bullets.txt").read_text(encoding="utf-8")

"""Issue 16, settings and paths: malformed settings.json (#11), concurrency above the page's maximum
(#10), credentials in the endpoint URL (#8), and odd or failing paths (#18)."""
from __future__ import annotations

import errno
import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zongjie import settings as settings_module
from zongjie.cli import main
from zongjie.settings import (
    MAX_CONCURRENCY,
    Settings,
    SettingsError,
    data_dir,
    endpoint_warnings,
    load_settings,
    safe_url,
    save_settings,
    settings_path,
)

ROOT = Path(__file__).resolve().parent.parent
UNIT = ["--unit", "共青团某某区委员会", "--period", "2023年上半年"]


def write_settings(value) -> Path:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
    return path


def run_cli(tmp_path, bullets_text, *extra) -> int:
    src = tmp_path / "要点.txt"
    src.write_text(bullets_text, encoding="utf-8")
    return main(["draft", str(src), *UNIT, "--fake", "--no-examples", "-o", str(tmp_path / "out" / "r.docx"), *extra])


# ---- #11: a settings file that is JSON but not settings ------------------------------------------
@pytest.mark.parametrize("content", ["[]", "null", "42", '"text"', "true", "[1, 2]", "{not json", "\ufeff{}"])
def test_11_a_settings_file_that_is_not_an_object_is_ignored_with_a_notice(content):
    write_settings(content)
    notices: list[str] = []
    assert load_settings(notices=notices) == Settings()
    if content != "\ufeff{}":
        assert notices and "设置文件" in notices[0] and "已忽略" in notices[0], notices


@pytest.mark.parametrize("content", ["[]", "null", "42"])
def test_11_the_cli_still_drafts_with_a_non_object_settings_file(content, tmp_path, bullets_text, capsys):
    write_settings(content)
    assert run_cli(tmp_path, bullets_text) == 0
    assert "设置文件" in capsys.readouterr().err


BAD_VALUES = {
    "concurrency": ["x", [3], {"n": 1}, None, True, 2.5, "nan"],
    "style": [["full"], 1, "fast", None],
    "temperature": ["hot", [0.3], float("nan"), "inf", -1, True],
    "timeout": ["soon", 0, -5, "inf", None],
    "max_retries": ["many", -1, 1.5],
    "max_tokens": ["lots", 0, -10, [600]],
    "base_url": [["http://x/v1"], 5, {"u": 1}, "ftp://example.com/v1"],
    "model": [["m"], {"m": 1}],
    "api_key": [["k"], 12345],
}


@pytest.mark.parametrize("field,value", [(f, v) for f, vs in BAD_VALUES.items() for v in vs],
                         ids=[f"{f}={v!r}" for f, vs in BAD_VALUES.items() for v in vs])
def test_11_a_wrong_value_falls_back_to_the_default_with_a_notice(field, value):
    write_settings({field: value, "model": "kept-model"} if field != "model" else {field: value})
    notices: list[str] = []
    loaded = load_settings(notices=notices)
    default = getattr(Settings(), field)
    if value == -1 and field in ("temperature", "max_retries"):
        assert getattr(loaded, field) == 0  # out of range: clamped, not dropped
    else:
        assert getattr(loaded, field) == default, (field, value)
    if field != "model":
        assert loaded.model == "kept-model", "one bad field does not cost the others"
    assert len(notices) == 1 and field in notices[0], notices
    if field == "api_key":
        assert "12345" not in notices[0], "a key, even a bad one, is never echoed"


def test_11_reasonable_spellings_are_coerced_quietly():
    write_settings({"concurrency": "4", "timeout": "30", "temperature": 1, "max_tokens": 800.0,
                    "max_retries": "1", "style": " full "})
    notices: list[str] = []
    s = load_settings(notices=notices)
    assert (s.concurrency, s.timeout, s.temperature, s.max_tokens, s.max_retries, s.style) == \
        (4, 30.0, 1.0, 800, 1, "full")
    assert notices == []


def test_11_bad_environment_values_get_a_notice_too(monkeypatch):
    monkeypatch.setenv("ZONGJIE_CONCURRENCY", "many")
    monkeypatch.setenv("ZONGJIE_STYLE", "fast")
    notices: list[str] = []
    s = load_settings(notices=notices)
    assert s.concurrency == 1 and s.style == "auto"
    assert any("ZONGJIE_CONCURRENCY" in n for n in notices) and any("ZONGJIE_STYLE" in n for n in notices)


def test_11_draft_starts_with_the_coerced_settings(tmp_path, bullets_text):
    write_settings({"concurrency": "x", "style": ["full"], "temperature": "hot"})
    assert run_cli(tmp_path, bullets_text) == 0


# ---- #10: concurrency above the maximum the page offers -----------------------------------------
def test_10_concurrency_above_the_maximum_is_clamped_with_a_notice(monkeypatch):
    write_settings({"concurrency": 20})
    notices: list[str] = []
    assert load_settings(notices=notices).concurrency == MAX_CONCURRENCY == 16
    assert len(notices) == 1 and "16" in notices[0] and "20" in notices[0]
    monkeypatch.setenv("ZONGJIE_CONCURRENCY", "32")
    notices.clear()
    assert load_settings(notices=notices).concurrency == 16 and any("32" in n for n in notices)
    monkeypatch.setenv("ZONGJIE_CONCURRENCY", "0")
    assert load_settings().concurrency == 1


# ---- #8: user:password@ in the endpoint URL ------------------------------------------------------
URL = "http://alice:s3cr3t-pw@127.0.0.1:9/v1"


def test_8_userinfo_is_masked_in_repr_redacted_and_display():
    s = Settings(base_url=URL, api_key="sk-KEY-123")
    for shown in (repr(s), str(s), json.dumps(s.redacted()), safe_url(URL)):
        assert "s3cr3t-pw" not in shown and "alice" not in shown, shown
    assert safe_url(URL) == "http://***@127.0.0.1:9/v1"
    assert safe_url("https://api.deepseek.com/v1") == "https://api.deepseek.com/v1"
    assert s.base_url == URL, "the setting itself keeps what the user typed"


def test_8_userinfo_gets_a_warning_that_it_replaces_the_key():
    (warning,) = endpoint_warnings(Settings(base_url=URL, api_key="sk-KEY"))
    assert "用户名" in warning and "密钥" in warning and "s3cr3t-pw" not in warning
    assert endpoint_warnings(Settings(base_url="http://127.0.0.1:9/v1")) == []


def test_8_load_settings_reports_the_userinfo_warning(monkeypatch):
    monkeypatch.setenv("ZONGJIE_BASE_URL", URL)
    notices: list[str] = []
    load_settings(notices=notices)
    assert any("用户名" in n for n in notices) and not any("s3cr3t-pw" in n for n in notices)


# ---- #18: odd and failing paths ------------------------------------------------------------------
def test_18_home_below_a_regular_file(tmp_path, monkeypatch, bullets_text, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("ZONGJIE_HOME", str(blocker / "home"))
    notices: list[str] = []
    assert load_settings(notices=notices) == Settings()  # reading needs no directory
    with pytest.raises(SettingsError) as info:
        data_dir()
    assert "ZONGJIE_HOME" in str(info.value) and str(blocker) in str(info.value)
    assert "Errno" not in str(info.value)
    from zongjie.examples import ExampleLibrary
    from zongjie.store import Store, StoreError

    assert ExampleLibrary().list() == []
    with pytest.raises(StoreError, match="ZONGJIE_HOME"):
        Store()
    with pytest.raises(SettingsError, match="ZONGJIE_HOME"):
        save_settings(Settings(model="m"))
    assert run_cli(tmp_path, bullets_text) == 0  # the CLI needs no data directory


def no_temp_files(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.startswith(".settings-")]


@pytest.mark.parametrize("fail_at", ["write", "chmod", "replace"])
def test_18_a_settings_save_on_a_full_disk_is_a_chinese_error_and_leaves_no_temp_file(fail_at, monkeypatch):
    path = save_settings(Settings(model="old"))
    full = OSError(errno.ENOSPC, "No space left on device")

    def refuse(*args, **kwargs):
        raise full

    with monkeypatch.context() as m, pytest.raises(SettingsError) as info:
        if fail_at == "write":
            m.setattr(settings_module.json, "dump", refuse)
        else:
            m.setattr(settings_module.os, fail_at, refuse)
        save_settings(Settings(model="new"))
    assert "磁盘" in str(info.value) and "设置" in str(info.value)
    assert no_temp_files(path.parent)
    assert load_settings().model == "old", "the old file is intact"


def without_dac_override() -> list[str] | None:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"] if setpriv else None


SAVE_READ_ONLY = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from zongjie.settings import Settings, SettingsError, save_settings
try:
    save_settings(Settings(model="new"), Path(sys.argv[1]))
except SettingsError as exc:
    print("SettingsError", exc)
"""


def test_18_a_settings_save_in_a_read_only_directory_is_a_chinese_error(tmp_path):
    prefix = without_dac_override()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot be enforced")
    folder = tmp_path / "ro"
    path = save_settings(Settings(model="old"), folder / "settings.json")
    os.chmod(folder, 0o555)
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", SAVE_READ_ONLY, str(path)], capture_output=True,
                              text=True, timeout=30)
    finally:
        os.chmod(folder, 0o755)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("SettingsError") and ("只读" in done.stdout or "权限" in done.stdout), done.stdout
    assert no_temp_files(folder)
    assert load_settings(path).model == "old"


def test_8_logged_endpoint_hides_userinfo(caplog, monkeypatch):
    from zongjie.llm import connect

    caplog.set_level(logging.DEBUG)
    connect(Settings(base_url=URL, api_key="sk-KEY-123"))
    assert "s3cr3t-pw" not in caplog.text and "chat endpoint" in caplog.text

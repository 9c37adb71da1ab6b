import json
import os

import pytest

from zongjie.llm import LLMError, describe_error, make_chat_model
from zongjie.settings import Settings, load_settings, save_settings, settings_path


def test_defaults_mean_embedded_model():
    s = load_settings()
    assert s.embedded and s.base_url == "" and s.api_key == ""


def test_file_then_environment_wins(monkeypatch):
    save_settings(Settings(base_url="http://file/v1", model="file-model", api_key="k-file"))
    assert load_settings().model == "file-model"
    monkeypatch.setenv("ZONGJIE_MODEL", "env-model")
    monkeypatch.setenv("ZONGJIE_TIMEOUT", "30")
    s = load_settings()
    assert (s.base_url, s.model, s.api_key, s.timeout) == ("http://file/v1", "env-model", "k-file", 30.0)


def test_settings_file_is_private_and_redacted():
    path = save_settings(Settings(base_url="http://x/v1", api_key="sk-secret"))
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"
    assert "sk-secret" not in json.dumps(Settings(api_key="sk-secret").redacted())


def test_broken_settings_file_falls_back_to_defaults():
    settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings_path().write_text("{not json", encoding="utf-8")
    assert load_settings() == Settings()


def test_openai_key_used_for_remote_endpoint(monkeypatch):
    monkeypatch.setenv("ZONGJIE_BASE_URL", "https://api.example.com/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    assert load_settings().api_key == "sk-env"


def test_chat_model_points_at_configured_endpoint():
    chat = make_chat_model(Settings(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", timeout=5, max_retries=1))
    assert str(chat.openai_api_base) == "http://127.0.0.1:9/v1"
    assert chat.model_name == "m" and chat.max_retries == 1 and chat.streaming
    assert chat.extra_body == {"max_tokens": 600}, "llama.cpp ignores max_completion_tokens"


def test_no_endpoint_is_an_error():
    with pytest.raises(LLMError):
        make_chat_model(Settings())


@pytest.mark.parametrize("exc,needle", [
    (TimeoutError("timed out"), "超时"),
    (RuntimeError("Error code: 429 rate limit"), "繁忙"),
    (RuntimeError("Error code: 401"), "密钥"),
    (ConnectionError("connect failed"), "无法连接"),
    (ValueError("weird"), "模型调用失败"),
])
def test_errors_become_chinese_sentences(exc, needle):
    assert needle in describe_error(exc)

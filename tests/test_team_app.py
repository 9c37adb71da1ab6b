"""Team mode in the page (AppTest): the sign-in form before anything else, a wrong password refused,
sign-out, the idle timeout, the mode label, another account's ?d= ("未找到该草稿" and nothing of it),
the settings panel for admins only, the shared examples; and the guard's host and address rules.
Headers cannot be set in AppTest, so the guard is tested through its functions (as test_host_guard)."""
from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from tests.test_app import button, fill, start
from ui.guard import address_allowed, host_allowed
from zongjie import accounts as accounts_module
from zongjie.accounts import Accounts
from zongjie.store import Store
from zongjie.team import Mode, TeamConfig, load_team_config

PASSWORD = "团委-密码-2024"
SECRET = "甲的绝密要点9527"


@pytest.fixture
def team(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")
    monkeypatch.setenv("ZONGJIE_MODE", "team")
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))
    accts = Accounts(Store())
    accts.add("admin", PASSWORD, admin=True)
    accts.add("xiaoli", PASSWORD)
    return accts


def sign_in(at, name: str, password: str = PASSWORD):
    at.text_input(key="signin_name").set_value(name)
    at.text_input(key="signin_password").set_value(password)
    button(at, "登录").click()
    return at.run()


def shown(at) -> str:
    """Every text the page shows, widget values included."""
    parts = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "title", "header")
             for e in at.get(kind)]
    parts += [str(w.value) for w in [*at.text_input, *at.text_area]]
    return "\n".join(str(p) for p in parts)


def test_nothing_but_the_form_before_a_sign_in_and_a_wrong_password_is_refused(team):
    at = start()
    assert not at.exception
    assert [t.value for t in at.title] == ["总结 · 登录"]
    assert not [w for w in at.text_area if w.key == "bullets"] and not at.sidebar.button
    at = sign_in(at, "xiaoli", "wrong-password")
    assert any("账户名或密码不正确" in e.value for e in at.error)
    assert "signed_in" not in at.session_state
    at = sign_in(at, "xiaoli")
    assert not at.exception
    assert at.text_area(key="bullets") is not None
    sidebar = "\n".join(c.value for c in at.sidebar.caption) + "\n".join(m.value for m in at.sidebar.markdown)
    assert "团队模式" in sidebar and "xiaoli" in sidebar


def test_sign_out_forgets_the_open_draft(team):
    at = sign_in(start(), "xiaoli")
    at.text_input(key="unit").set_value("共青团某某区委员会")
    at.text_area(key="bullets").set_value(SECRET)
    at.run()
    at.button(key="sign_out").click()
    at.run()
    assert [t.value for t in at.title] == ["总结 · 登录"]
    assert any("已退出登录" in i.value for i in at.info)
    assert SECRET not in shown(at) and "report" not in at.session_state and "draft_id" not in at.session_state
    at = sign_in(at, "xiaoli")  # and the draft is still there for its owner
    assert at.text_area(key="bullets").value == SECRET


def test_drafting_in_team_mode_passes_the_gate_and_saves_to_the_account(team, bullets_text):
    at = fill(sign_in(start(), "xiaoli"), bullets_text)
    button(at, "起草全文").click()
    at.run()
    assert not at.exception and not at.error
    assert at.text_area(key="text_opening").value.startswith("2023年上半年，共青团某某区委员会")
    draft_id = at.session_state["draft_id"]
    assert Store().as_owner("xiaoli").load(draft_id).report.opening.text
    assert Store().as_owner("admin").load(draft_id) is None and Store().load(draft_id) is None


def test_an_idle_page_signs_out(team):
    at = sign_in(start(), "xiaoli")
    at.session_state["signed_in"].last_seen -= load_team_config().idle_seconds + 1
    at.run()
    assert [t.value for t in at.title] == ["总结 · 登录"]
    assert any("已自动退出" in i.value for i in at.info)


def test_a_reset_password_signs_the_open_page_out(team):
    at = sign_in(start(), "xiaoli")
    team.reset("xiaoli", "新的密码-2024")
    at.run()
    assert [t.value for t in at.title] == ["总结 · 登录"]


def test_another_accounts_draft_id_is_not_found(team):
    theirs = Store().as_owner("admin").create({"unit": "甲单位", "bullets": SECRET}, title="甲单位的草稿")
    at = sign_in(start({"d": theirs}), "xiaoli")
    assert not at.exception
    assert any("未找到该草稿" in e.value for e in at.error)
    assert SECRET not in shown(at) and "甲单位" not in shown(at)
    assert at.session_state["draft_id"] != theirs
    assert all(b.label.find("甲单位") < 0 for b in at.sidebar.button)
    mine = sign_in(start({"d": theirs}), "admin")  # its owner opens it
    assert mine.text_area(key="bullets").value == SECRET


def test_only_an_admin_sees_the_model_settings(team):
    user = sign_in(start(), "xiaoli")
    assert any("由管理员统一设置" in c.value for c in user.sidebar.caption)
    assert not [b for b in user.button if b.label == "保存设置"]
    assert not [w for w in user.text_input if w.key == "cfg_api_key"]
    assert any(e.label == "操作记录" for e in user.sidebar.expander) is False
    admin = sign_in(start(), "admin")
    assert any(e.label == "操作记录" for e in admin.sidebar.expander)
    assert any(e.label == "共享范文库" for e in admin.sidebar.expander)


def test_personal_examples_are_private_and_the_shared_library_is_everyones(team, bullets_text):
    from tests.test_app import FIXTURE_EXAMPLE
    from zongjie.examples import ExampleLibrary
    from zongjie.team import user_examples_dir

    data = FIXTURE_EXAMPLE.read_text(encoding="utf-8").encode("utf-8")
    private = ExampleLibrary(user_examples_dir("xiaoli")).add("mine.txt", data)
    other = "一、主要工作\n" + "我们开展了大量工作，取得积极成效。" * 30 + "\n二、存在问题\n" + "问题仍然存在。" * 10
    other += "\n三、下一步打算\n" + "继续努力工作。" * 10
    shared = ExampleLibrary().add("shared.txt", ("共青团某区委员会2023年工作总结\n" + other).encode("utf-8"))
    user = fill(sign_in(start(), "xiaoli"), bullets_text)
    options = user.selectbox(key="pinned").options
    assert private.title in options and shared.title in options
    assert not [b for b in user.button if b.key == f"rmshared_{shared.id}"]  # listed, not removable
    admin = fill(sign_in(start(), "admin"), bullets_text)
    assert private.title not in admin.selectbox(key="pinned").options
    assert shared.title in admin.selectbox(key="pinned").options
    admin.button(key=f"rmshared_{shared.id}").click()  # only an admin can take it out
    admin.run()
    assert ExampleLibrary().list() == [] and ExampleLibrary(user_examples_dir("xiaoli")).list() != []


def test_no_account_no_page(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")
    monkeypatch.setenv("ZONGJIE_MODE", "team")
    at = start()
    assert any("尚未建立任何账户" in e.value for e in at.error)
    assert not at.text_input


def test_single_user_mode_says_so_and_asks_for_nothing(monkeypatch):
    monkeypatch.setenv("ZONGJIE_FAKE_LLM", "1")
    monkeypatch.delenv("ZONGJIE_MODE", raising=False)
    at = start()
    assert any("单机模式" in c.value for c in at.sidebar.caption)
    assert at.text_area(key="bullets") is not None and "signed_in" not in at.session_state


# ---- the guard's rules ------------------------------------------------------------------------------
TEAM = TeamConfig(Mode.TEAM, ("zongjie.tuanqu.cn", "10.0.0.5"))
SINGLE = TeamConfig(Mode.SINGLE, ("zongjie.tuanqu.cn",))


@pytest.mark.parametrize(("host", "single", "team"), [
    ("127.0.0.1:8501", True, True), ("localhost", True, True),
    ("zongjie.tuanqu.cn", False, True), ("ZONGJIE.TUANQU.CN:443", False, True), ("10.0.0.5:8501", False, True),
    ("evil.example", False, False), ("zongjie.tuanqu.cn.evil.example", False, False), ("", False, False),
])
def test_which_hosts_each_mode_serves(host, single, team):
    assert host_allowed(host, SINGLE) is single
    assert host_allowed(host, TEAM) is team


@pytest.mark.parametrize(("address", "single"), [("127.0.0.1", True), ("0.0.0.0", False), ("", False),
                                                 ("10.0.0.5", False)])
def test_only_team_mode_may_bind_beyond_loopback(address, single):
    assert address_allowed(address, SINGLE) is single
    assert address_allowed(address, TEAM) is True


@pytest.mark.parametrize(("value", "mode"), [("team", Mode.TEAM), ("TEAM ", Mode.TEAM), ("teams", Mode.SINGLE),
                                             ("", Mode.SINGLE), ("multi", Mode.SINGLE)])
def test_anything_but_team_is_single_user(monkeypatch, value, mode):
    monkeypatch.setenv("ZONGJIE_MODE", value)
    assert load_team_config().mode is mode


def test_team_settings_from_the_environment(monkeypatch):
    monkeypatch.setenv("ZONGJIE_ALLOWED_HOSTS", " Zongjie.Tuanqu.cn , 10.0.0.5,,")
    monkeypatch.setenv("ZONGJIE_SESSION_HOURS", "2")
    monkeypatch.setenv("ZONGJIE_TEAM_CONCURRENCY", "6")
    config = load_team_config()
    assert config.allowed_hosts == ("zongjie.tuanqu.cn", "10.0.0.5")
    assert config.idle_seconds == 7200 and config.concurrency == 6
    monkeypatch.setenv("ZONGJIE_SESSION_HOURS", "nan")
    monkeypatch.setenv("ZONGJIE_TEAM_CONCURRENCY", "0")
    assert load_team_config().session_hours == 8 and load_team_config().concurrency == 4


def test_a_real_team_server_answers_its_listed_name_with_the_form_and_refuses_others(tmp_path):
    """A real `streamlit run` in team mode, its own host list opened ("*") so the page's guard answers:
    the listed name gets the sign-in form and nothing of a draft; any other name gets the refusal."""
    from tests.test_host_guard import MARKER, script_run, serve

    proc, port, draft_id = serve(tmp_path, ZONGJIE_MODE="team", ZONGJIE_ALLOWED_HOSTS="zongjie.example",
                                 STREAMLIT_SERVER_ALLOWED_HOSTS="*")
    try:
        Accounts(Store(tmp_path / "home" / "zongjie.sqlite3")).add("xiaoli", PASSWORD)
        listed = script_run(port, f"zongjie.example:{port}", draft_id)
        assert "登录".encode() in listed and MARKER.encode() not in listed
        evil = script_run(port, f"evil.example:{port}", draft_id)
        assert "不接受".encode() in evil and MARKER.encode() not in evil and "登录".encode() not in evil
    finally:
        proc.terminate()
        proc.wait(timeout=10)

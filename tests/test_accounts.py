"""Team mode's accounts: argon2id hashes (never the password), lockout after 5 wrong passwords for 15
minutes, the idle timeout and the end of a sign-in on reset or removal, the audit of sign-ins, and the
`zongjie user|audit|team-check` commands."""
from __future__ import annotations

import io
import sqlite3

import pytest
from argon2 import PasswordHasher

from zongjie import accounts as accounts_module
from zongjie.accounts import LOCKOUT_SECONDS, MAX_FAILURES, AccountError, Accounts, SignInError
from zongjie.audit import AuditAction, entries
from zongjie.cli import main
from zongjie.store import Store

PASSWORD = "团委-密码-2024"


class Clock:
    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def cheap_hashes(monkeypatch):
    """The library's default cost (64 MiB, 3 passes) makes each hash take a noticeable time on a
    busy CI machine; the rules under test do not depend on it."""
    monkeypatch.setattr(accounts_module, "_HASHER", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "zongjie.sqlite3")


@pytest.fixture
def accts(store, clock, cheap_hashes) -> Accounts:
    return Accounts(store, clock=clock)


def test_only_an_argon2id_hash_is_stored_never_the_password(tmp_path, store, clock):
    Accounts(store, clock=clock).add("小王", PASSWORD, admin=True)  # the real, default-cost hasher
    (digest,) = sqlite3.connect(tmp_path / "zongjie.sqlite3").execute("SELECT hash FROM accounts").fetchone()
    assert digest.startswith("$argon2id$")
    for path in tmp_path.iterdir():  # the database and its WAL
        assert PASSWORD.encode() not in path.read_bytes(), path
    assert Accounts(store, clock=clock).verify("小王", PASSWORD).admin


def test_the_same_password_gets_a_different_salt(accts, store):
    accts.add("a1", PASSWORD)
    accts.add("b1", PASSWORD)
    hashes = store.read(lambda db: [r[0] for r in db.execute("SELECT hash FROM accounts")])
    assert hashes[0] != hashes[1]


@pytest.mark.parametrize("name", ["", "local", "..", ".hidden", "a/b", "a b", "x" * 33, "名\x00"])
def test_names_that_cannot_be_accounts(accts, name):
    with pytest.raises(AccountError):
        accts.add(name, PASSWORD)


def test_short_passwords_and_duplicates_are_refused(accts):
    with pytest.raises(AccountError, match="至少"):
        accts.add("xiaoli", "1234567")
    accts.add("xiaoli", PASSWORD)
    with pytest.raises(AccountError, match="已存在"):
        accts.add("xiaoli", PASSWORD)


def test_wrong_password_and_unknown_name_read_the_same(accts):
    accts.add("xiaoli", PASSWORD)
    with pytest.raises(SignInError) as wrong:
        accts.verify("xiaoli", PASSWORD + "x")
    with pytest.raises(SignInError) as unknown:
        accts.verify("nobody", PASSWORD)
    assert str(wrong.value) == str(unknown.value) == "账户名或密码不正确。"
    assert accts.verify("xiaoli", PASSWORD).name == "xiaoli"


def test_five_wrong_passwords_lock_the_account_for_15_minutes(accts, clock):
    accts.add("xiaoli", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError, match="不正确"):
            accts.verify("xiaoli", "wrong-password")
    assert accts.verify("xiaoli", PASSWORD)  # 4 wrong, then right: the count starts again
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError, match="不正确"):
            accts.verify("xiaoli", "wrong-password")
    with pytest.raises(SignInError, match="已锁定"):
        accts.verify("xiaoli", "wrong-password")  # the 5th in a row
    with pytest.raises(SignInError, match="已锁定.*15 分钟"):
        accts.verify("xiaoli", PASSWORD)  # even the right password
    clock.now += LOCKOUT_SECONDS - 60
    with pytest.raises(SignInError, match="1 分钟"):
        accts.verify("xiaoli", PASSWORD)
    clock.now += 61
    assert accts.verify("xiaoli", PASSWORD).name == "xiaoli"
    actions = [e.action for e in entries(accts.store, user="xiaoli")]
    assert actions.count(AuditAction.LOCKED) == 1 and actions.count(AuditAction.SIGN_IN_FAILED) == 8


def test_reset_lifts_the_lock_and_ends_open_sign_ins(accts, clock):
    accts.add("xiaoli", PASSWORD)
    signed = accts.sign_in("xiaoli", PASSWORD)
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInError):
            accts.verify("xiaoli", "wrong-password")
    accts.reset("xiaoli", "新的密码-2024")
    assert "重置" in accts.still_signed_in(signed, 3600)
    with pytest.raises(SignInError):
        accts.verify("xiaoli", PASSWORD)
    assert accts.verify("xiaoli", "新的密码-2024")


def test_the_idle_timeout(accts, clock):
    accts.add("xiaoli", PASSWORD)
    signed = accts.sign_in("xiaoli", PASSWORD)
    clock.now += 3000
    assert accts.still_signed_in(signed, 3600) == ""  # used: the idle clock starts again
    clock.now += 3000
    assert accts.still_signed_in(signed, 3600) == ""
    clock.now += 3601
    assert "已自动退出" in accts.still_signed_in(signed, 3600)


def test_a_removed_account_signs_out_and_a_new_one_of_that_name_is_not_it(accts):
    accts.add("xiaoli", PASSWORD)
    signed = accts.sign_in("xiaoli", PASSWORD)
    accts.remove("xiaoli")
    assert "删除" in accts.still_signed_in(signed, 3600)
    accts.add("xiaoli", PASSWORD)
    assert accts.still_signed_in(signed, 3600) != ""  # the old page does not come back to life
    with pytest.raises(AccountError):
        accts.remove("nobody")


def test_a_promotion_reaches_the_open_page(accts, store):
    accts.add("xiaoli", PASSWORD)
    signed = accts.sign_in("xiaoli", PASSWORD)
    store.read(lambda db: None)
    with store.transaction() as db:
        db.execute("UPDATE accounts SET admin=1 WHERE name='xiaoli'")
    assert accts.still_signed_in(signed, 3600) == "" and signed.admin


# ---- the commands ---------------------------------------------------------------------------------
def run(monkeypatch, capsys, argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_user_commands(monkeypatch, capsys, cheap_hashes):
    assert run(monkeypatch, capsys, ["team-check"])[0] == 1
    code, _, err = run(monkeypatch, capsys, ["user", "add", "小王", "--admin"], PASSWORD + "\n")
    assert code == 0 and "管理员" in err and PASSWORD not in err
    assert run(monkeypatch, capsys, ["user", "add", "xiaoli"], "short\n")[0] == 2
    assert run(monkeypatch, capsys, ["user", "add", "xiaoli"], PASSWORD + "\n")[0] == 0
    assert run(monkeypatch, capsys, ["team-check"])[0] == 0
    code, out, _ = run(monkeypatch, capsys, ["user", "list"])
    assert out.splitlines() == ["xiaoli\t用户", "小王\t管理员"]
    accts = Accounts(Store())
    assert accts.verify("xiaoli", PASSWORD)
    assert run(monkeypatch, capsys, ["user", "reset", "xiaoli"], "另一个密码-2024\n")[0] == 0
    assert accts.verify("xiaoli", "另一个密码-2024")
    assert run(monkeypatch, capsys, ["user", "reset", "nobody"], "另一个密码-2024\n")[0] == 2
    assert run(monkeypatch, capsys, ["user", "remove", "xiaoli"])[0] == 0
    assert accts.get("xiaoli") is None


def test_audit_command_lists_who_did_what_and_never_the_text(monkeypatch, capsys, cheap_hashes):
    store = Store()
    mine = store.as_owner("xiaoli")
    draft_id = mine.create({"bullets": "绝密要点甲乙丙"}, title="共青团某某区委员会2024年上半年")
    mine.audit(AuditAction.EXPORTED, draft_id, "docx")
    mine.delete(draft_id)
    code, out, _ = run(monkeypatch, capsys, ["audit"])
    lines = out.splitlines()
    assert code == 0 and [line.split("\t")[1:4] for line in lines] == [
        ["xiaoli", "删除草稿", draft_id], ["xiaoli", "导出", draft_id], ["xiaoli", "新建草稿", draft_id]]
    assert "绝密" not in out and "区委员会" not in out
    assert run(monkeypatch, capsys, ["audit", "--user", "nobody"])[1] == ""


def test_a_name_without_an_account_locks_like_one_so_the_lock_tells_nothing(accts):
    # Walkthrough finding: after 5 wrong passwords a real name said 已锁定 and an unknown one never did.
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError, match="不正确"):
            accts.verify("nobody", "wrong-password")
    with pytest.raises(SignInError, match="已锁定.*15 分钟"):
        accts.verify("nobody", "wrong-password")
    with pytest.raises(SignInError, match="已锁定"):
        accts.verify("nobody", "another-guess")

"""Team mode's accounts, in the drafts database: names, argon2id password hashes, the admin flag and
the lockout counters. Passwords are never stored, logged or returned; only their hashes are.

argon2id rather than bcrypt: it is the current OWASP first choice and memory-hard (a GPU or an ASIC
gains far less against it); argon2-cffi is maintained by the same people as the reference C code and
encodes salt and parameters in the hash, so raising the cost later only needs `check_needs_rehash`;
and bcrypt silently ignores everything after 72 bytes, which is only 24 Chinese characters.
"""
from __future__ import annotations

import re
import secrets
import sqlite3
import time
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from . import audit
from .audit import AuditAction
from .errors import UserError
from .store import Store
from .team import LOCAL_OWNER

MAX_FAILURES = 5  # wrong passwords in a row before a lockout
LOCKOUT_SECONDS = 15 * 60
MIN_PASSWORD = 8
MAX_PASSWORD = 256  # argon2 takes any length; a megabyte "password" would only cost CPU
# Letters, digits, Han characters and ._- ; starting with a letter, digit or Han character (no "." or
# ".." as a name: a user's name also names their examples folder).
NAME = re.compile(r"^[0-9A-Za-z\u4e00-\u9fff][0-9A-Za-z\u4e00-\u9fff._-]{0,31}$")

_HASHER = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# Checked against when the name is unknown, so a wrong name costs the same time as a wrong password
# and the response time does not tell which names exist.
_DUMMY_HASH = _HASHER.hash("zongjie-no-such-account")


class AccountError(UserError, ValueError):
    """An account operation that cannot be done; the message is a Chinese sentence."""


class SignInError(UserError, PermissionError):
    """A refused sign-in: the same words for an unknown name and a wrong password."""


@dataclass(frozen=True)
class Account:
    name: str
    admin: bool
    created: float
    failures: int
    locked_until: float
    generation: int  # a session remembers it; a reset or a re-created account changes it

    def locked(self, now: float) -> bool:
        return self.locked_until > now


@dataclass
class SignedIn:
    """A page's sign-in: who, and when the page was last used (for the idle timeout)."""

    name: str
    admin: bool
    generation: int
    last_seen: float


def check_name(name: str) -> str:
    name = name.strip()
    if name == LOCAL_OWNER or not NAME.match(name):
        raise AccountError("账户名须为 1–32 个字母、数字、汉字或 ._-，以字母、数字或汉字开头，且不能是 local。")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符。")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码不能超过 {MAX_PASSWORD} 个字符。")
    return password


class Accounts:
    """The account table of `store`'s database. Every method is one transaction."""

    def __init__(self, store: Store, clock=time.time):
        self.store = store
        self.clock = clock  # tests move time on instead of sleeping through a lockout

    # ---- administration (CLI) ------------------------------------------------------------
    def add(self, name: str, password: str, admin: bool = False) -> Account:
        name, password = check_name(name), check_password(password)
        digest = _HASHER.hash(password)
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM accounts WHERE name=?", (name,)).fetchone():
                raise AccountError(f"账户“{name}”已存在；要改密码请用 user reset。")
            # Random, not counted: a new account never takes over the open pages of a removed one of
            # the same name (a count would start again from the same number).
            db.execute("INSERT INTO accounts (name, hash, admin, created, generation) VALUES (?,?,?,?,?)",
                       (name, digest, int(admin), self.clock(), secrets.randbits(62)))
        return self.get(name)

    def remove(self, name: str) -> None:
        with self.store.transaction() as db:
            if not db.execute("DELETE FROM accounts WHERE name=?", (name,)).rowcount:
                raise AccountError(f"没有名为“{name}”的账户。")

    def reset(self, name: str, password: str) -> None:
        """A new password; the lockout is lifted and pages signed in with the old one sign out."""
        digest = _HASHER.hash(check_password(password))
        with self.store.transaction() as db:
            cursor = db.execute("UPDATE accounts SET hash=?, failures=0, locked_until=0, generation=? WHERE name=?",
                                (digest, secrets.randbits(62), name))
            if not cursor.rowcount:
                raise AccountError(f"没有名为“{name}”的账户。")

    def get(self, name: str) -> Account | None:
        row = self.store.read(lambda db: db.execute(
            "SELECT name, admin, created, failures, locked_until, generation FROM accounts WHERE name=?",
            (name,)).fetchone())
        return None if row is None else Account(row[0], bool(row[1]), row[2], row[3], row[4], row[5])

    def list(self) -> list[Account]:
        rows = self.store.read(lambda db: db.execute(
            "SELECT name, admin, created, failures, locked_until, generation FROM accounts ORDER BY name").fetchall())
        return [Account(r[0], bool(r[1]), r[2], r[3], r[4], r[5]) for r in rows]

    def count(self) -> int:
        try:
            return self.store.read(lambda db: db.execute("SELECT count(*) FROM accounts").fetchone()[0])
        except UserError as exc:  # a read-only database of a release before accounts: none yet
            if isinstance(exc.__cause__, sqlite3.OperationalError) and "no such table" in str(exc.__cause__):
                return 0
            raise

    # ---- sign-in (the page) ----------------------------------------------------------------
    def sign_in(self, name: str, password: str) -> SignedIn:
        account = self.verify(name, password)
        return SignedIn(account.name, account.admin, account.generation, self.clock())

    def still_signed_in(self, signed: SignedIn, idle_seconds: float) -> str:
        """Why this sign-in no longer holds ("" if it does, and then its clock and admin flag are
        brought up to date): idle too long, or the account was removed or its password reset."""
        now = self.clock()
        if now - signed.last_seen > idle_seconds:
            return f"超过 {idle_seconds / 3600:g} 小时未操作，已自动退出，请重新登录。"
        account = self.get(signed.name)
        if account is None or account.generation != signed.generation:
            return "该账户已被管理员删除或重置了密码，请重新登录。"
        signed.last_seen, signed.admin = now, account.admin
        return ""

    def verify(self, name: str, password: str) -> Account:
        """The account, if `password` is its password and it is not locked; else SignInError. The
        5th wrong password in a row locks the account for 15 minutes, during which even the right
        password is refused. Every outcome is in the audit record (never the password)."""
        name = name.strip()
        now = self.clock()
        refusal = ""
        with self.store.transaction(immediate=True) as db:  # two tabs guessing must not lose a failure
            row = db.execute("SELECT hash, failures, locked_until FROM accounts WHERE name=?", (name,)).fetchone()
            if row is None:
                _matches(_DUMMY_HASH, password)
                refusal = _unknown_failed(db, name[:64], now)
            elif row[2] > now:
                refusal = _locked_message(row[2] - now)
            elif not _matches(row[0], password):
                refusal = self._failed(db, name, row[1] + 1, now)
            else:
                if _HASHER.check_needs_rehash(row[0]):  # the library's cost parameters went up
                    db.execute("UPDATE accounts SET hash=? WHERE name=?", (_HASHER.hash(password), name))
                db.execute("UPDATE accounts SET failures=0, locked_until=0 WHERE name=?", (name,))
                audit.write(db, name, AuditAction.SIGNED_IN)
        # Raised after the transaction: raising inside it would roll back the failure count.
        if refusal:
            raise SignInError(refusal)
        return self.get(name)

    @staticmethod
    def _failed(db: sqlite3.Connection, name: str, failures: int, now: float) -> str:
        """Count a wrong password (the 5th locks the account); the refusal to show."""
        locked_until = now + LOCKOUT_SECONDS if failures >= MAX_FAILURES else 0
        db.execute("UPDATE accounts SET failures=?, locked_until=? WHERE name=?",
                   (0 if locked_until else failures, locked_until, name))
        audit.write(db, name, AuditAction.LOCKED if locked_until else AuditAction.SIGN_IN_FAILED)
        # No "N tries left": the same words as for an unknown name, so they do not tell which names exist.
        return _locked_message(LOCKOUT_SECONDS) if locked_until else "账户名或密码不正确。"


def _unknown_failed(db: sqlite3.Connection, name: str, now: float) -> str:
    """A wrong guess at a name that has no account answers exactly as one that has: the 5th in a row
    within the lockout time "locks" it too (counted from the audit record), or the lock message alone
    would tell which names exist."""
    now = time.time()  # the audit record's clock
    since = now - LOCKOUT_SECONDS
    recent = db.execute("SELECT action, at FROM audit WHERE user=? AND at>? AND action IN (?,?) ORDER BY at",
                        (name, since, str(AuditAction.SIGN_IN_FAILED), str(AuditAction.LOCKED))).fetchall()
    locks = [at for action, at in recent if action == str(AuditAction.LOCKED)]
    if locks:
        return _locked_message(locks[-1] + LOCKOUT_SECONDS - now)
    failures = sum(1 for action, _at in recent if action == str(AuditAction.SIGN_IN_FAILED)) + 1
    locked = failures >= MAX_FAILURES
    audit.write(db, name, AuditAction.LOCKED if locked else AuditAction.SIGN_IN_FAILED)
    return _locked_message(LOCKOUT_SECONDS) if locked else "账户名或密码不正确。"


def _matches(digest: str, password: str) -> bool:
    try:
        return _HASHER.verify(digest, password[:MAX_PASSWORD * 4])
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _locked_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"密码连续错误 {MAX_FAILURES} 次，账户已锁定，请 {minutes} 分钟后再试，或请管理员重置密码。"

"""Staff accounts and device API tokens, stored hashed only.

Passwords use werkzeug's ``generate_password_hash`` (scrypt); tokens are 256-bit random
strings, so a plain SHA-256 of the token is enough to store them safely and look them up.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from ult.clock import Clock, to_stamp, utc_now
from ult.errors import conflict, invalid, not_found
from ult.store import immediate

ROLES = ("receptionist", "front_office", "back_office", "unit", "supervisor", "technician")
"""Staff roles (SOP "Pelaksana" plus the supervisor and the technician)."""
MIN_PASSWORD_LENGTH = 8
_USERNAME = re.compile(r"[a-z0-9._-]{3,32}")


@dataclass(frozen=True)
class User:
    """A staff account (without its password hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: str


def _role(role: str) -> str:
    if role not in ROLES:
        raise invalid("role_invalid", role=role, roles=", ".join(ROLES))
    return role


def check_username(username: str) -> str:
    """``username`` stripped, or ``QueueError`` when it is not 3–32 of ``a-z 0-9 . _ -``."""
    name = username.strip() if isinstance(username, str) else ""
    if not _USERNAME.fullmatch(name):
        raise invalid("username_invalid")
    return name


def add_user(
    db: sqlite_utils.Database, username: str, password: str, role: str, *, clock: Clock = utc_now
) -> User:
    """Create a staff account. ``username``: 3–32 of ``a-z 0-9 . _ -``; ``role`` in
    :data:`ROLES`; ``password`` at least 8 characters. Raises ``QueueError`` otherwise,
    or when the name is taken."""
    name = check_username(username)
    _role(role)
    password_hash = _password_hash(password)
    with immediate(db):
        if next(db.query("SELECT 1 FROM users WHERE username = ?", (name,)), None):
            raise conflict("username_taken", username=name)
        db.execute(
            "INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)",
            (name, password_hash, role, to_stamp(clock())),
        )
    return get_user(db, name)


def _password_hash(password: str) -> str:
    """The hash to store for ``password``; ``QueueError`` when it is too short."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise invalid("password_too_short", minimum=MIN_PASSWORD_LENGTH)
    return generate_password_hash(password)


def get_user(db: sqlite_utils.Database, username: str) -> User:
    """The account named ``username``; ``QueueError`` (not_found) when there is none."""
    found = next(
        db.query(
            "SELECT id, username, role, active, created_at FROM users WHERE username = ?",
            (username,),
        ),
        None,
    )
    if found is None:
        raise not_found("user_unknown", username=username)
    return User(
        found["id"], found["username"], found["role"], bool(found["active"]), found["created_at"]
    )


def list_users(db: sqlite_utils.Database) -> list[User]:
    """Every account, by username."""
    return [
        User(r["id"], r["username"], r["role"], bool(r["active"]), r["created_at"])
        for r in db.query("SELECT * FROM users ORDER BY username")
    ]


def disable_user(db: sqlite_utils.Database, username: str) -> User:
    """Disable an account: it can no longer log in. Its past actions stay on record."""
    with immediate(db):
        get_user(db, username)
        db.execute("UPDATE users SET active = 0 WHERE username = ?", (username,))
    return get_user(db, username)


def enable_user(db: sqlite_utils.Database, username: str) -> User:
    """Enable a disabled account again (an officer back from leave keeps their history)."""
    with immediate(db):
        get_user(db, username)
        db.execute("UPDATE users SET active = 1 WHERE username = ?", (username,))
    return get_user(db, username)


def set_password(db: sqlite_utils.Database, username: str, password: str) -> User:
    """Replace an account's password (at least 8 characters); sessions are not kept apart
    from it, so an officer who forgot theirs logs in with the new one at once."""
    password_hash = _password_hash(password)
    with immediate(db):
        get_user(db, username)
        db.execute(
            "UPDATE users SET password_hash = ? WHERE username = ?", (password_hash, username)
        )
    return get_user(db, username)


def session_epoch(db: sqlite_utils.Database, username: str) -> int:
    """The account's session generation: a staff session is valid only while it carries the
    current one (the web app keeps sessions in signed cookies, which cannot be withdrawn)."""
    found = next(
        db.query("SELECT value FROM meta WHERE key = ?", (f"session_epoch:{username}",)), None
    )
    return int(found["value"]) if found else 0


def end_sessions(db: sqlite_utils.Database, username: str) -> int:
    """End every session of the account (logging out, on a shared PC, must make a copied
    cookie useless too); returns the new generation."""
    key = f"session_epoch:{username}"
    with immediate(db):
        db.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') ON CONFLICT (key) DO UPDATE "
            "SET value = CAST(value AS INTEGER) + 1",
            (key,),
        )
    return session_epoch(db, username)


def set_role(db: sqlite_utils.Database, username: str, role: str) -> User:
    """Give an account another role (SOP: an absent officer's task passes to another)."""
    _role(role)
    with immediate(db):
        get_user(db, username)
        db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
    return get_user(db, username)


def verify_password(db: sqlite_utils.Database, username: str, password: str) -> User | None:
    """The active account when ``password`` matches, else ``None`` (never raises)."""
    found = next(
        db.query("SELECT * FROM users WHERE username = ? AND active = 1", (username,)), None
    )
    if found is None or not check_password_hash(found["password_hash"], password):
        return None
    return get_user(db, username)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(db: sqlite_utils.Database, name: str, role: str, *, clock: Clock = utc_now) -> str:
    """Create a device/script API token and return it; only its hash is stored.

    ``name`` 1–60 characters, ``role`` in :data:`ROLES`. The returned text is shown once.
    """
    label = name.strip() if isinstance(name, str) else ""
    if not 1 <= len(label) <= 60 or not label.isprintable():
        raise invalid("token_name_invalid")
    _role(role)
    token = "ult_" + secrets.token_urlsafe(32)
    with immediate(db):
        db.execute(
            "INSERT INTO api_tokens (name, role, token_hash, created_at) VALUES (?, ?, ?, ?)",
            (label, role, _token_hash(token), to_stamp(clock())),
        )
    return token


def token_role(db: sqlite_utils.Database, token: str) -> tuple[str, str] | None:
    """``(name, role)`` of a valid, unrevoked token, or ``None``."""
    found = next(
        db.query(
            "SELECT name, role FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
            (_token_hash(token),),
        ),
        None,
    )
    return (found["name"], found["role"]) if found else None


@dataclass(frozen=True)
class ApiToken:
    """A device or script token as listed (never the token itself, which is not kept).
    ``revoked_at`` is the stored UTC stamp, or None while the token works."""

    id: int
    name: str
    role: str
    created_at: str
    revoked_at: str | None

    @property
    def active(self) -> bool:
        """Whether the token still authenticates."""
        return self.revoked_at is None


def _api_token(data: dict) -> ApiToken:
    return ApiToken(data["id"], data["name"], data["role"], data["created_at"], data["revoked_at"])


def list_tokens(db: sqlite_utils.Database) -> list[ApiToken]:
    """Every token ever created, working ones first, newest first within each group."""
    return [
        _api_token(r)
        for r in db.query(
            "SELECT id, name, role, created_at, revoked_at FROM api_tokens "
            "ORDER BY revoked_at IS NOT NULL, id DESC"
        )
    ]


def revoke_token(db: sqlite_utils.Database, token_id: int, *, clock: Clock = utc_now) -> ApiToken:
    """Revoke a token by id: from now on it gets 401. The row stays, so the list still
    shows which device had it and when it was cut off.

    Raises ``QueueError``: ``token_unknown`` (not_found), ``token_revoked`` (conflict).
    """
    with immediate(db):
        found = next(db.query("SELECT * FROM api_tokens WHERE id = ?", (token_id,)), None)
        if found is None:
            raise not_found("token_unknown", token=token_id)
        if found["revoked_at"] is not None:
            raise conflict("token_revoked", name=found["name"])
        stamp = to_stamp(clock())
        db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ?", (stamp, token_id))
    return _api_token({**found, "revoked_at": stamp})

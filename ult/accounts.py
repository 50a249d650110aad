"""Staff accounts and device API tokens, stored hashed only.

Passwords use werkzeug's ``generate_password_hash`` (scrypt); tokens are 256-bit random
strings, so a plain SHA-256 of the token is enough to store them safely and look them up.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import sqlite_utils
from werkzeug.security import check_password_hash, generate_password_hash

from ult.clock import Clock, to_stamp, utc_now
from ult.errors import conflict, invalid, not_found
from ult.messages import PASSWORD_WARNINGS
from ult.store import immediate

ROLES = (
    "receptionist",
    "front_office",
    "back_office",
    "unit",
    "supervisor",
    "technician",
    "kepala",
)
"""Staff roles (SOP "Pelaksana" plus the supervisor, the technician and the head of the
office, *kepala*, who reads the reports and the guest book and acts on no queue)."""
MIN_PASSWORD_LENGTH = 8
MIN_PASSWORD_SCORE = 2
"""Lowest zxcvbn score (0-4) accepted: 2 needs at least 10^6 guesses, which
the login throttle (growing delays) makes far too slow to try online."""
_USERNAME = re.compile(r"[a-z0-9._-]{3,32}")
NAME_LIMIT = 100
"""Characters of an officer's full name and of a position (*jabatan*)."""
NIP_LENGTH = 18
"""Digits of a civil servant's NIP (Peraturan BKN: birth date 8, appointment year-month 6,
sex 1, serial 3)."""


@dataclass(frozen=True)
class User:
    """A staff account (without its password hash)."""

    id: int
    username: str
    role: str
    active: bool
    created_at: str
    full_name: str | None = None
    nip: str | None = None
    position: str | None = None

    @property
    def display_name(self) -> str:
        """The officer's full name, or the user name while none is recorded."""
        return self.full_name or self.username


_USER_COLUMNS = "id, username, role, active, created_at, full_name, nip, position"


def _user(data: dict) -> User:
    return User(
        data["id"],
        data["username"],
        data["role"],
        bool(data["active"]),
        data["created_at"],
        data["full_name"],
        data["nip"],
        data["position"],
    )


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


def check_nip(nip: str | None) -> str | None:
    """A civil servant's NIP with spaces and dots removed, or ``None`` when empty (officers
    who are not civil servants have none).

    Raises ``QueueError`` (``nip_invalid``) unless it is 18 digits whose first 8 are a real
    birth date (YYYYMMDD), the next 6 an appointment year and month (YYYYMM), then 1 or 2
    (sex) and a serial other than 000 (Peraturan BKN on the NIP's structure).
    """
    if nip is None:
        return None
    if not isinstance(nip, str):
        raise invalid("nip_invalid")
    digits = re.sub(r"[\s.]", "", nip)
    if not digits:
        return None
    if len(digits) != NIP_LENGTH or not digits.isascii() or not digits.isdigit():
        raise invalid("nip_invalid")
    try:
        born = date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
        appointed = date(int(digits[8:12]), int(digits[12:14]), 1)
    except ValueError:
        raise invalid("nip_invalid") from None
    if appointed <= born or digits[14] not in "12" or digits[15:] == "000":
        raise invalid("nip_invalid")
    return digits


def _profile_text(value: str | None, code: str) -> str | None:
    """A one-line name or position, stripped; ``None`` when empty."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid(code, limit=NAME_LIMIT)
    text = " ".join(value.split())
    if len(text) > NAME_LIMIT or not text.isprintable():
        raise invalid(code, limit=NAME_LIMIT)
    return text or None


def _profile(
    full_name: str | None, nip: str | None, position: str | None
) -> tuple[str | None, str | None, str | None]:
    return (
        _profile_text(full_name, "full_name_invalid"),
        check_nip(nip),
        _profile_text(position, "position_invalid"),
    )


def add_user(
    db: sqlite_utils.Database,
    username: str,
    password: str,
    role: str,
    *,
    full_name: str | None = None,
    nip: str | None = None,
    position: str | None = None,
    clock: Clock = utc_now,
) -> User:
    """Create a staff account. ``username``: 3–32 of ``a-z 0-9 . _ -``; ``role`` in
    :data:`ROLES`; ``password`` as :func:`check_password`; ``full_name`` and ``position``
    up to 100 characters, ``nip`` as :func:`check_nip` (all optional). Raises
    ``QueueError`` otherwise, or when the name is taken."""
    name = check_username(username)
    _role(role)
    profile = _profile(full_name, nip, position)
    password_hash = _password_hash(password, name, profile[0])
    with immediate(db):
        if next(db.query("SELECT 1 FROM users WHERE username = ?", (name,)), None):
            raise conflict("username_taken", username=name)
        db.execute(
            "INSERT INTO users (username, password_hash, role, created_at, full_name, nip, "
            "position) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (name, password_hash, role, to_stamp(clock()), *profile),
        )
    return get_user(db, name)


def set_profile(
    db: sqlite_utils.Database,
    username: str,
    *,
    full_name: str | None,
    nip: str | None,
    position: str | None,
) -> User:
    """Record the officer's full name, NIP and position (*jabatan*); an empty value clears
    it. Raises ``QueueError`` for a bad value or an unknown account."""
    profile = _profile(full_name, nip, position)
    with immediate(db):
        get_user(db, username)
        db.execute(
            "UPDATE users SET full_name = ?, nip = ?, position = ? WHERE username = ?",
            (*profile, username),
        )
    return get_user(db, username)


def officer_names(db: sqlite_utils.Database) -> dict[str, str]:
    """``{username: full name}`` of every account, the user name where no full name is
    recorded: reports name people, not user names (issue 11)."""
    return {
        r["username"]: r["full_name"] or r["username"]
        for r in db.query("SELECT username, full_name FROM users")
    }


def set_units(db: sqlite_utils.Database, username: str, units: Iterable[int | str]) -> list[str]:
    """Bind a main-unit account to the main units whose cases it sees and answers (by id or
    name; replaces the binding; none at all leaves it seeing nothing). Returns the units'
    names. Raises ``QueueError``: ``user_unknown``, ``unit_account_only`` (another role),
    ``unit_unknown`` (no such active unit)."""
    wanted: dict[int, str] = {}
    for unit in units:
        text = str(unit).strip() if isinstance(unit, (int, str)) else ""
        found = next(
            db.query(
                "SELECT id, name FROM main_units WHERE active = 1 AND "
                "(CAST(id AS TEXT) = ? OR name = ? COLLATE NOCASE)",
                (text, text),
            ),
            None,
        )
        if found is None:
            raise invalid("unit_unknown", unit=text[:60])
        wanted[found["id"]] = found["name"]
    with immediate(db):
        user = get_user(db, username)
        if user.role != "unit":
            raise conflict("unit_account_only", username=username)
        db.execute("DELETE FROM user_units WHERE username = ?", (username,))
        for unit_id in sorted(wanted):
            db.execute(
                "INSERT INTO user_units (username, main_unit_id) VALUES (?, ?)",
                (username, unit_id),
            )
    return [wanted[unit_id] for unit_id in sorted(wanted)]


def units_of(db: sqlite_utils.Database, username: str) -> tuple[int, ...]:
    """The ids of the main units a main-unit account is bound to (empty: none)."""
    return tuple(
        r["main_unit_id"]
        for r in db.query(
            "SELECT main_unit_id FROM user_units WHERE username = ? ORDER BY main_unit_id",
            (username,),
        )
    )


def check_password(password: str, *user_inputs: str | None) -> None:
    """Refuse a password that is short, common or easy to guess.

    ``QueueError`` ``password_too_short`` under 8 characters (or only spaces);
    ``password_weak`` when zxcvbn scores it under :data:`MIN_PASSWORD_SCORE` or finds it
    whole in its frequency lists of common passwords, names and words (``password`` is
    refused for every role). ``user_inputs`` (user name, full name) count as known words.

    Why zxcvbn: the issue asks for a well-kept list or library rather than our own list;
    zxcvbn carries the frequency lists of leaked passwords, names and English words and
    scores keyboard patterns, dates, repeats and l33t spellings, pure Python and offline
    (the appliance may have no internet, so an online breach check is not an option).
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH or not password.strip():
        raise invalid("password_too_short", minimum=MIN_PASSWORD_LENGTH)
    # Imported on first use: its frequency lists take some 20 MB that `ult admin` would
    # otherwise hold from its start (memory goal, docs/BENCHMARKS.md "A year of history").
    from zxcvbn import zxcvbn

    # zxcvbn only looks at the first 100 characters for speed; longer passwords are strong.
    result = zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])
    whole_word = any(
        match["pattern"] == "dictionary" and match["token"] == password[:100]
        for match in result["sequence"]
    )
    if result["score"] < MIN_PASSWORD_SCORE or whole_word:
        warning = result["feedback"]["warning"]
        raise invalid("password_weak", reason=PASSWORD_WARNINGS.get(warning, PASSWORD_WARNINGS[""]))


def _password_hash(password: str, *user_inputs: str | None) -> str:
    """The hash to store for ``password``; ``QueueError`` as :func:`check_password`."""
    check_password(password, *user_inputs)
    return generate_password_hash(password)


def get_user(db: sqlite_utils.Database, username: str) -> User:
    """The account named ``username``; ``QueueError`` (not_found) when there is none."""
    found = next(
        db.query(f"SELECT {_USER_COLUMNS} FROM users WHERE username = ?", (username,)), None
    )
    if found is None:
        raise not_found("user_unknown", username=username)
    return _user(found)


def list_users(db: sqlite_utils.Database) -> list[User]:
    """Every account, by username."""
    return [_user(r) for r in db.query(f"SELECT {_USER_COLUMNS} FROM users ORDER BY username")]


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
    """Replace an account's password (as :func:`check_password`); sessions are not kept apart
    from it, so an officer who forgot theirs logs in with the new one at once."""
    user = get_user(db, username)
    password_hash = _password_hash(password, user.username, user.full_name)
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

"""Staff accounts and API tokens: hashed at rest, checked on use."""

from __future__ import annotations

import pytest

from kiosk import accounts
from kiosk.errors import QueueError


def test_password_is_hashed_and_verified(db) -> None:
    user = accounts.add_user(db, "siti", "kata-sandi-kuat", "supervisor")
    assert (user.username, user.role, user.active) == ("siti", "supervisor", True)
    stored = db.execute("SELECT password_hash FROM users").fetchone()[0]
    assert "kata-sandi-kuat" not in stored and stored.startswith(("scrypt:", "pbkdf2:"))
    assert accounts.verify_password(db, "siti", "kata-sandi-kuat") == user
    assert accounts.verify_password(db, "siti", "salah-sandi") is None
    assert accounts.verify_password(db, "nobody", "kata-sandi-kuat") is None


def test_disabled_user_cannot_log_in(db) -> None:
    accounts.add_user(db, "budi", "kata-sandi-kuat", "front_office")
    assert not accounts.disable_user(db, "budi").active
    assert accounts.verify_password(db, "budi", "kata-sandi-kuat") is None


@pytest.mark.parametrize(
    ("username", "password", "role", "code"),
    [
        ("Siti Aminah", "kata-sandi-kuat", "supervisor", "username_invalid"),
        ("si", "kata-sandi-kuat", "supervisor", "username_invalid"),
        ("siti", "pendek", "supervisor", "password_too_short"),
        ("siti", "kata-sandi-kuat", "admin", "role_invalid"),
    ],
)
def test_bad_accounts_are_refused(db, username, password, role, code) -> None:
    with pytest.raises(QueueError) as caught:
        accounts.add_user(db, username, password, role)
    assert caught.value.code == code
    assert accounts.list_users(db) == []


def test_username_must_be_unique(db) -> None:
    accounts.add_user(db, "siti", "kata-sandi-kuat", "supervisor")
    with pytest.raises(QueueError) as caught:
        accounts.add_user(db, "siti", "kata-sandi-lain", "unit")
    assert caught.value.code == "username_taken" and caught.value.kind == "conflict"


def test_token_is_returned_once_and_found_by_its_hash(db) -> None:
    token = accounts.create_token(db, "papan-lobi", "technician")
    stored = db.execute("SELECT token_hash FROM api_tokens").fetchone()[0]
    assert token not in stored and len(stored) == 64
    assert accounts.token_role(db, token) == ("papan-lobi", "technician")
    assert accounts.token_role(db, token + "x") is None
    other = accounts.create_token(db, "papan-lobi", "technician")
    assert other != token


def test_token_name_and_role_are_checked(db) -> None:
    for name, role, code in (("", "unit", "token_name_invalid"), ("x", "root", "role_invalid")):
        with pytest.raises(QueueError) as caught:
            accounts.create_token(db, name, role)
        assert caught.value.code == code

"""Staff accounts and API tokens: hashed at rest, checked on use."""

from __future__ import annotations

import pytest

from ult import accounts
from ult.errors import QueueError


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


def test_a_disabled_user_is_enabled_again_with_the_same_password(db) -> None:
    accounts.add_user(db, "budi", "kata-sandi-kuat", "front_office")
    accounts.disable_user(db, "budi")
    assert accounts.enable_user(db, "budi").active
    assert accounts.verify_password(db, "budi", "kata-sandi-kuat") is not None
    with pytest.raises(QueueError) as caught:
        accounts.enable_user(db, "siapa")
    assert caught.value.code == "user_unknown" and caught.value.kind == "not_found"


def test_password_reset_and_role_change(db) -> None:
    accounts.add_user(db, "budi", "kata-sandi-kuat", "front_office")
    for password in ("pendek", "        ", None):
        with pytest.raises(QueueError) as caught:
            accounts.set_password(db, "budi", password)
        assert caught.value.code == "password_too_short"
    assert accounts.verify_password(db, "budi", "kata-sandi-kuat") is not None
    accounts.set_password(db, "budi", "sandi-baru-123")
    assert accounts.verify_password(db, "budi", "kata-sandi-kuat") is None
    assert accounts.verify_password(db, "budi", "sandi-baru-123") is not None
    assert accounts.set_role(db, "budi", "back_office").role == "back_office"
    with pytest.raises(QueueError) as caught:
        accounts.set_role(db, "budi", "raja")
    assert caught.value.code == "role_invalid"
    assert accounts.get_user(db, "budi").role == "back_office"


def test_tokens_are_listed_without_secret_and_revoked(db, clock) -> None:
    first = accounts.create_token(db, "papan-lobi", "technician", clock=clock)
    second = accounts.create_token(db, "tablet", "receptionist", clock=clock)
    listed = accounts.list_tokens(db)
    assert [t.name for t in listed] == ["tablet", "papan-lobi"]  # newest first
    assert all(t.active and first not in repr(t) for t in listed)
    clock.advance(minutes=5)
    revoked = accounts.revoke_token(db, listed[1].id, clock=clock)
    assert not revoked.active and revoked.revoked_at.startswith("2026-11-25T02:05")
    assert accounts.token_role(db, first) is None
    assert accounts.token_role(db, second) == ("tablet", "receptionist")
    assert [t.name for t in accounts.list_tokens(db)] == ["tablet", "papan-lobi"]
    assert not accounts.list_tokens(db)[1].active
    for token_id, code in ((listed[1].id, "token_revoked"), (999, "token_unknown")):
        with pytest.raises(QueueError) as caught:
            accounts.revoke_token(db, token_id)
        assert caught.value.code == code

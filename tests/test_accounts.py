"""Optional login: the users file holds salted PBKDF2 hashes, never passwords."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.accounts import AccountsError, checker, hash_password, load_users, set_user, verify_password


def test_hash_verifies_only_its_password_and_is_salted() -> None:
    stored = hash_password("correct horse", iterations=1000)
    assert verify_password("correct horse", stored) and not verify_password("correct hors", stored)
    assert hash_password("correct horse", iterations=1000) != stored, "a random salt each time"
    assert not verify_password("x", "plain-text") and not verify_password("x", "md5$1$a$b")


def test_users_file_round_trip_and_check(tmp_path: Path) -> None:
    path = tmp_path / "users.txt"
    set_user(path, "ana", "s3cret-pass")
    set_user(path, "ben", "other-pass")
    set_user(path, "ana", "new-password")   # changes ana's password, keeps ben
    text = path.read_text()
    assert "s3cret" not in text and "new-password" not in text and (path.stat().st_mode & 0o777) == 0o600
    check = checker(load_users(path))
    assert check("ana", "new-password") and check("ben", "other-pass")
    assert not check("ana", "s3cret-pass") and not check("eve", "new-password") and not check("ben", "")


@pytest.mark.parametrize("content, message", [
    ("ana:hunter2\n", "passwords are never stored as text"),
    ("# only a comment\n\n", "lists no users"),
    (":pbkdf2_sha256$1$a$b\n", "line 1"),
])
def test_bad_users_files_name_the_problem(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "users.txt"
    path.write_text(content)
    with pytest.raises(AccountsError, match=message):
        load_users(path)
    with pytest.raises(AccountsError, match="cannot read"):
        load_users(tmp_path / "missing.txt")


def test_bad_names_and_short_passwords_are_refused(tmp_path: Path) -> None:
    for name, password in [("a:b", "long-enough"), (" ana", "long-enough"), ("ana", "short")]:
        with pytest.raises(AccountsError):
            set_user(tmp_path / "users.txt", name, password)
    assert not (tmp_path / "users.txt").exists()

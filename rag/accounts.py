"""Optional login for a shared machine: ``python app.py --auth users.txt``.

``users.txt`` holds one ``name:pbkdf2_sha256$iterations$salt$hash`` per line (``#`` comments and
blank lines allowed); passwords are never stored as text. Add or change a user with
``python -m rag.accounts users.txt NAME`` (asks for the password twice). With login on, each
person's conversations are kept apart even in the same browser.
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import hmac
import secrets
import sys
from pathlib import Path

from rag.errors import RagError

ITERATIONS = 600_000   # PBKDF2-SHA256 work factor (OWASP's 2023 figure); ~0.4 s per login here
SCHEME = "pbkdf2_sha256"


class AccountsError(RagError):
    """The users file is missing or has a line that is not ``name:hash``."""


def hash_password(password: str, salt: str | None = None, iterations: int = ITERATIONS) -> str:
    """``pbkdf2_sha256$<iterations>$<salt>$<hex digest>`` for ``password``, with a random salt."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt.encode("ascii"), iterations)
    return f"{SCHEME}${iterations}${salt}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a ``hash_password`` string (constant-time comparison)."""
    try:
        scheme, iterations, salt, _ = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = hash_password(password, salt, int(iterations))
    except (ValueError, UnicodeEncodeError):
        return False
    return hmac.compare_digest(expected.encode(), stored.encode())


def load_users(path: str | Path) -> dict[str, str]:
    """name -> password hash from a users file; AccountsError naming the line that is wrong."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AccountsError(f"cannot read the users file {path}: {exc}") from None
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, stored = line.partition(":")
        if not name.strip() or not stored.startswith(f"{SCHEME}$") or stored.count("$") != 3:
            raise AccountsError(f"{path}, line {number}: expected name:{SCHEME}$..., made with "
                                f"'python -m rag.accounts {path} NAME' (passwords are never stored as text)")
        users[name.strip()] = stored
    if not users:
        raise AccountsError(f"the users file {path} lists no users; add one with 'python -m rag.accounts {path} NAME'")
    return users


def checker(users: dict[str, str]):
    """The ``auth`` function for gradio's launch: True for a known name with its password."""
    def check(name: str, password: str) -> bool:
        stored = users.get(name)
        return stored is not None and verify_password(password, stored)
    return check


def set_user(path: str | Path, name: str, password: str) -> None:
    """Add ``name`` to the users file, or change its password; other lines are kept as they are."""
    if not name or ":" in name or name != name.strip() or not name.isprintable():
        raise AccountsError(f"user name {name!r} must be printable, without ':' or surrounding spaces")
    if len(password) < 8:
        raise AccountsError("the password must be at least 8 characters long")
    path = Path(path)
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    kept = [line for line in lines if line.partition(":")[0].strip() != name]
    path.write_text("\n".join([*kept, f"{name}:{hash_password(password)}"]) + "\n", encoding="utf-8")
    path.chmod(0o600)


def main(argv: list[str] | None = None) -> int:
    """``python -m rag.accounts USERS_FILE NAME``: add a user or change their password."""
    parser = argparse.ArgumentParser(description="Add a user to a users file for 'python app.py --auth'.")
    parser.add_argument("users", type=Path)
    parser.add_argument("name")
    args = parser.parse_args(argv)
    password = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != password:
        print("The passwords differ; nothing changed.", file=sys.stderr)
        return 1
    try:
        set_user(args.users, args.name, password)
    except AccountsError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"{args.name} can now log in ({args.users}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

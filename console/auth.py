"""Passwords, session tokens, CSRF tokens and who may do what.

Plain standard library: ``hashlib.scrypt`` with a random 16-byte salt per
password, tokens from ``secrets``, comparisons with ``hmac.compare_digest``.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Dict, FrozenSet

# scrypt cost: n=2**14, r=8, p=1 takes ~50 ms and 16 MB; stored with the hash.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SCRYPT_DKLEN = 32
MIN_PASSWORD_LENGTH = 10

ROLE_LABELS = {"agent": "催收专员", "trainer": "训练师", "supervisor": "主管"}

# What each role may do. Trainers read conversations to improve the
# assistant; they never talk to cardholders or change accounts.
PERMISSIONS: Dict[str, FrozenSet[str]] = {
    "view": frozenset({"agent", "trainer", "supervisor"}),
    "act": frozenset({"agent", "supervisor"}),
    "approve": frozenset({"supervisor"}),
    "audit": frozenset({"supervisor"}),
    # Trainer workbench (console/training): everyone reviews (trainers see
    # personal data masked), trainers label, export and train candidates,
    # only supervisors put a model on the running server.
    "review": frozenset({"agent", "trainer", "supervisor"}),
    "annotate": frozenset({"trainer", "supervisor"}),
    "train": frozenset({"trainer", "supervisor"}),
    "activate": frozenset({"supervisor"}),
}


class PasswordPolicyError(ValueError):
    pass


def allowed(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"密码至少需要{MIN_PASSWORD_LENGTH}个字符")
    if password.strip() != password:
        raise PasswordPolicyError("密码首尾不能是空格")


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_DKLEN, maxmem=64 * 1024 * 1024
    )
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        digest = hashlib.scrypt(
            password.encode("utf-8"),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(expected)),
            maxmem=64 * 1024 * 1024,
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, base64.b64decode(expected))


# A fixed hash to verify against when the user does not exist, so a wrong
# username takes as long as a wrong password.
_DUMMY_HASH = None


def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("not-a-real-password")
    verify_password(password, _DUMMY_HASH)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))

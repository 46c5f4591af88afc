"""Password hashing with scrypt (RFC 7914, OpenSSL's through hashlib): only the hash is stored,
as `scrypt$n$r$p$salt$hash` (base64), so a stored password can be checked and never read."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# scrypt's cost: N = 2^14, r = 8, p = 1 is RFC 7914's interactive-login setting (16 MiB of
# memory per check); one check took ~45 ms on this 2-core machine.
N, R, P = 2**14, 8, 1
SALT_BYTES = 16
KEY_BYTES = 32
SCHEME = "scrypt"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str) -> str:
    """The stored form of a password: a fresh salt and its scrypt key."""
    salt = secrets.token_bytes(SALT_BYTES)
    key = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=N, r=R, p=P, dklen=KEY_BYTES)
    return "$".join((SCHEME, str(N), str(R), str(P), _b64(salt), _b64(key)))


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` is the one `stored` was made from (constant-time comparison)."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != SCHEME:
            return False
        expected = base64.b64decode(key)
        given = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt), n=int(n),
                               r=int(r), p=int(p), dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(given, expected)

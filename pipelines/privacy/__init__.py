"""Pseudonymisation (docs/privacy.md): people are keyed, never stored in clear.

person_key = HMAC-SHA256(key, "<kommunekode>:<medarbejdernr>") as the contract defines it.
Link keys let survey and training references (an e-mail or an employee number) be joined to HR
without keeping the e-mail: the HR load stores both keys for every employee.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache

KEY_CHECK_LABEL = "digilead pseudonym key check v1"
_BLOCK = 64  # SHA-256's block size


@lru_cache(maxsize=1024)
def _keyed_states(key: bytes, prefix: str) -> tuple:
    """HMAC-SHA256 (RFC 2104) of `key`, with the message prefix already fed: (inner, outer) hash states.

    Every message of a kind (`0751:`, `0751:email:`) starts the same, and an identifier is keyed per
    distinct value of every file: copying these states saves HMAC's key set-up and the prefix per value,
    which was most of the time of keying an HR extract (hmac.new per value).
    """
    block = (hashlib.sha256(key).digest() if len(key) > _BLOCK else key).ljust(_BLOCK, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in block))
    inner.update(prefix.encode("utf-8"))
    return inner, hashlib.sha256(bytes(byte ^ 0x5C for byte in block))


def _hmac_hex(key: bytes, prefix: str, rest: str = "") -> str:
    """hmac.new(key, (prefix + rest).encode(), sha256).hexdigest(), from the prefix's kept states."""
    inner_state, outer_state = _keyed_states(key, prefix)
    inner = inner_state.copy()
    inner.update(rest.encode("utf-8"))
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


@dataclass(frozen=True)
class Pseudonymiser:
    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Pseudonymiser:
        return cls(secret.encode("utf-8"))

    def person_key(self, kommunekode: str, medarbejdernr: str) -> str:
        return _hmac_hex(self.key, f"{kommunekode}:", medarbejdernr.strip())

    def key_fingerprint(self) -> str:
        """What the warehouse remembers of the key: an HMAC of a fixed label, which tells one key from
        another without revealing it (and is no person's pseudonym)."""
        return _hmac_hex(self.key, KEY_CHECK_LABEL)

    def link_key(self, kommunekode: str, ref: str | None) -> str | None:
        """Key for an e-mail (case and surrounding spaces ignored) or an employee number; None if blank."""
        if ref is None:
            return None
        ref = str(ref).strip()
        if not ref:
            return None
        if "@" in ref:
            ref = ref.lower()
            if ref.startswith("mailto:"):
                ref = ref[len("mailto:") :]
            return _hmac_hex(self.key, f"{kommunekode}:email:", ref)
        return _hmac_hex(self.key, f"{kommunekode}:empno:", ref)

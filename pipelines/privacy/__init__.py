"""Pseudonymisation (docs/privacy.md): people are keyed, never stored in clear.

person_key = HMAC-SHA256(key, "<kommunekode>:<medarbejdernr>") as the contract defines it.
Link keys let survey and training references (an e-mail or an employee number) be joined to HR
without keeping the e-mail: the HR load stores both keys for every employee.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
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
    [keyed] = _hmacs_hex(key, prefix, [rest])
    return keyed


def _hmacs_hex(key: bytes, prefix: str, rests: Iterable[str]) -> list[str]:
    """_hmac_hex of each of `rests`, in one loop (a function call per value was a large part of the cost)."""
    inner_state, outer_state = _keyed_states(key, prefix)
    keyed = []
    for rest in rests:
        inner = inner_state.copy()
        inner.update(rest.encode("utf-8"))
        outer = outer_state.copy()
        outer.update(inner.digest())
        keyed.append(outer.hexdigest())
    return keyed


@dataclass(frozen=True)
class Pseudonymiser:
    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Pseudonymiser:
        return cls(secret.encode("utf-8"))

    def person_key(self, kommunekode: str, medarbejdernr: str) -> str:
        [keyed] = self.person_keys(kommunekode, [medarbejdernr])
        return keyed

    def person_keys(self, kommunekode: str, numbers: Iterable[str]) -> list[str]:
        """person_key of each employee number (surrounding spaces ignored)."""
        return _hmacs_hex(self.key, f"{kommunekode}:", (number.strip() for number in numbers))

    def key_fingerprint(self) -> str:
        """What the warehouse remembers of the key: an HMAC of a fixed label, which tells one key from
        another without revealing it (and is no person's pseudonym)."""
        return _hmac_hex(self.key, KEY_CHECK_LABEL)

    def link_key(self, kommunekode: str, ref: str | None) -> str | None:
        """Key for an e-mail (case and surrounding spaces ignored) or an employee number; None if blank."""
        [keyed] = self.link_keys(kommunekode, [ref])
        return keyed

    def link_keys(self, kommunekode: str, refs: Iterable[str | None]) -> list[str | None]:
        """link_key of each reference: e-mails and employee numbers keyed in two passes, then put back in order."""
        emails: dict[int, str] = {}
        numbers: dict[int, str] = {}
        count = 0
        for position, ref in enumerate(refs):
            count += 1
            ref = "" if ref is None else str(ref).strip()
            if "@" in ref:
                ref = ref.lower()
                emails[position] = ref[len("mailto:") :] if ref.startswith("mailto:") else ref
            elif ref:
                numbers[position] = ref
        keyed: list[str | None] = [None] * count
        for kind, refs_of_kind in (("email", emails), ("empno", numbers)):
            for position, key in zip(
                refs_of_kind, _hmacs_hex(self.key, f"{kommunekode}:{kind}:", refs_of_kind.values()), strict=True
            ):
                keyed[position] = key
        return keyed

"""Pseudonymisation (docs/privacy.md): people are keyed, never stored in clear.

person_key = HMAC-SHA256(key, "<kommunekode>:<medarbejdernr>") as the contract defines it.
Link keys let survey and training references (an e-mail or an employee number) be joined to HR
without keeping the e-mail: the HR load stores both keys for every employee.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

KEY_CHECK_LABEL = "digilead pseudonym key check v1"


def _hmac_hex(key: bytes, message: str) -> str:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Pseudonymiser:
    key: bytes

    @classmethod
    def from_secret(cls, secret: str) -> Pseudonymiser:
        return cls(secret.encode("utf-8"))

    def person_key(self, kommunekode: str, medarbejdernr: str) -> str:
        return _hmac_hex(self.key, f"{kommunekode}:{medarbejdernr.strip()}")

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
            return _hmac_hex(self.key, f"{kommunekode}:email:{ref}")
        return _hmac_hex(self.key, f"{kommunekode}:empno:{ref}")

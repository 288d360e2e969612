"""Identifiers that travel between Python and the contracts.

Ids (policy, clause, department, item, agreement, ...) are short ASCII texts
stored on chain as ``bytes32``, left-aligned and zero-padded, so that an auditor
reading raw chain data still sees ``dcity.sharing`` rather than a hash.
"""

from __future__ import annotations

import re
from typing import NewType

from ledger.errors import LedgerValueError

Bytes32Text = NewType("Bytes32Text", str)

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:\-/]{0,31}$")


def check_id(value: str, what: str = "id") -> str:
    """Return ``value`` if it is a valid id, else raise ``ValueError`` saying why."""
    if not isinstance(value, str) or not _ID_RE.fullmatch(value):
        raise LedgerValueError(
            f"{what} {value!r} must be 1-32 ASCII characters: letters, digits and . _ : - /,"
            " starting with a letter or digit"
        )
    return value


def to_bytes32(value: str, what: str = "id") -> bytes:
    """Encode a text id as left-aligned, zero-padded ``bytes32``."""
    check_id(value, what)
    return value.encode("ascii").ljust(32, b"\x00")


def scope_to_bytes32(scope: str) -> bytes:
    """A published score's scope as ``bytes32``: ``"city"``, a department id, or ``"@"``
    and a jurisdiction id (:mod:`ledger.maturity.scopes`), which then has at most 31
    characters, the ``@`` taking the 32nd byte."""
    if isinstance(scope, str) and scope.startswith("@"):
        jurisdiction = scope[1:]
        check_id(jurisdiction, "jurisdiction id")
        if len(jurisdiction) > 31:
            raise LedgerValueError(
                f"jurisdiction id {jurisdiction!r} has 32 characters: a published score's"
                " scope holds 32 bytes, '@' and at most 31"
            )
        return scope.encode("ascii").ljust(32, b"\x00")
    return to_bytes32(scope, "scope")


def from_bytes32(raw: bytes) -> str:
    """Decode a ``bytes32`` id back to text; non-text values come back as 0x-hex."""
    stripped = raw.rstrip(b"\x00")
    try:
        text = stripped.decode("ascii")
    except UnicodeDecodeError:
        return "0x" + raw.hex()
    if text and text.isprintable() and b"\x00" not in stripped:
        return text
    return "0x" + raw.hex()

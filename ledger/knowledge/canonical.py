"""Canonical bytes of records and their keccak256 digests.

The canonical form is RFC 8785 JSON (JCS) of the record's JSON dump: keys sorted,
no whitespace, numbers in ECMAScript form (``1.0`` becomes ``1``), and datetimes as
``YYYY-MM-DDTHH:MM:SSZ`` (see :mod:`ledger.knowledge.models`). Only these bytes are
hashed, and the record store keeps exactly these bytes, so an auditor can recompute
``keccak(stored bytes)`` and compare it with the digest anchored on chain.
"""

from __future__ import annotations

from typing import Any

import rfc8785
from eth_utils import keccak
from pydantic import BaseModel

from ledger.errors import RecordError
from ledger.knowledge.models import Clause, PolicyRecord


def canonical_bytes(obj: BaseModel | Any) -> bytes:
    """RFC 8785 bytes of a model (dumped in JSON mode) or of plain JSON data."""
    data = obj.model_dump(mode="json") if isinstance(obj, BaseModel) else obj
    try:
        return rfc8785.dumps(data)
    except rfc8785.CanonicalizationError as err:
        raise RecordError(f"cannot canonicalise {type(obj).__name__}: {err}") from err


def keccak_digest(data: bytes) -> bytes:
    """keccak256 of ``data`` (32 bytes)."""
    return bytes(keccak(data))


def record_digest(record: PolicyRecord) -> bytes:
    """The digest anchored on chain: keccak256 of the record's canonical bytes."""
    return keccak_digest(canonical_bytes(record))


def clause_digest(clause: Clause) -> bytes:
    """keccak256 of one clause's canonical bytes."""
    return keccak_digest(canonical_bytes(clause))


def to_hex(digest: bytes) -> str:
    """Lowercase ``0x``-hex of a digest."""
    return "0x" + digest.hex()


def keccak_hex(data: bytes) -> str:
    """``0x``-hex of :func:`keccak_digest`."""
    return to_hex(keccak_digest(data))


def record_digest_hex(record: PolicyRecord) -> str:
    """``0x``-hex of :func:`record_digest`."""
    return to_hex(record_digest(record))


def clause_digest_hex(clause: Clause) -> str:
    """``0x``-hex of :func:`clause_digest`."""
    return to_hex(clause_digest(clause))

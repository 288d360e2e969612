"""Knowledge records: institutions written as structured, versioned, hashable records.

- :mod:`.models`: the frozen pydantic models (``PolicyRecord`` and its parts).
- :mod:`.canonical`: RFC 8785 canonical bytes and keccak256 digests.
- :mod:`.loader`: YAML files to records, with errors naming file and line.
- :mod:`.store`: records kept on disk by digest, indexed by policy id and version.
"""

from ledger.knowledge.canonical import (
    canonical_bytes,
    clause_digest,
    clause_digest_hex,
    keccak_digest,
    keccak_hex,
    record_digest,
    record_digest_hex,
)
from ledger.knowledge.loader import RecordParseError, load_record, parse_record
from ledger.knowledge.models import Clause, Obligation, PolicyRecord, Relations
from ledger.knowledge.store import RecordStore

__all__ = [
    "Clause",
    "Obligation",
    "PolicyRecord",
    "RecordParseError",
    "RecordStore",
    "Relations",
    "canonical_bytes",
    "clause_digest",
    "clause_digest_hex",
    "keccak_digest",
    "keccak_hex",
    "load_record",
    "parse_record",
    "record_digest",
    "record_digest_hex",
]

"""JSON-safe forms of decoded ABI values, shared by revert decoding and the indexer.

``bytes32`` values are ids (decoded to text, see :mod:`ledger.ids`) unless their
name says they are a digest, root, hash or role, in which case they are 0x-hex.
"""

from __future__ import annotations

from typing import Any

from eth_utils import to_checksum_address

from ledger.ids import from_bytes32


def is_digest_name(name: str) -> bool:
    return name.lower().endswith(("digest", "digests", "root", "hash", "role"))


def plain(name: str, abi_type: str, value: Any) -> Any:
    """A JSON-safe form of one decoded argument."""
    if abi_type.endswith("[]"):
        return [plain(name, abi_type[:-2], v) for v in value]
    if abi_type == "bytes32":
        return "0x" + bytes(value).hex() if is_digest_name(name) else from_bytes32(bytes(value))
    if abi_type.startswith("bytes"):
        return "0x" + bytes(value).hex()
    if abi_type == "address":
        return to_checksum_address(value)
    if abi_type == "bool":
        return bool(value)
    if abi_type.startswith(("uint", "int")):
        return int(value)
    return value

"""JSON-safe forms of decoded ABI values, shared by revert decoding and the indexer.

``bytes32`` values are ids (decoded to text, see :mod:`ledger.ids`) unless their
name says they are a digest, root, hash or role, in which case they are 0x-hex.
Structs (ABI ``tuple`` types) come back from web3 as positional tuples;
:func:`named` and :func:`plain` key their fields by the component names.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from eth_utils import to_checksum_address

from ledger.ids import from_bytes32


def is_digest_name(name: str) -> bool:
    return name.lower().endswith(("digest", "digests", "root", "hash", "role"))


def plain(
    name: str,
    abi_type: str,
    value: Any,
    components: Sequence[Mapping[str, Any]] | None = None,
) -> Any:
    """A JSON-safe form of one decoded argument; a struct needs its ``components``."""
    if abi_type.endswith("[]"):
        return [plain(name, abi_type[:-2], v, components) for v in value]
    if abi_type == "tuple":
        if components is None:
            raise TypeError(f"{name!r} is a struct: pass its ABI components")
        return {
            c["name"]: plain(c["name"], c["type"], v, c.get("components"))
            for c, v in zip(components, value, strict=True)
        }
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


def named(params: Sequence[Mapping[str, Any]], values: Sequence[Any]) -> dict[str, Any]:
    """Decoded values keyed by their ABI names, structs as nested dicts; values stay raw."""
    return {p["name"]: _named(p, v) for p, v in zip(params, values, strict=True)}


def _named(param: Mapping[str, Any], value: Any) -> Any:
    if param["type"] == "tuple":
        return named(param["components"], value)
    if param["type"] == "tuple[]":
        return [named(param["components"], v) for v in value]
    return value

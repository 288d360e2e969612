"""The compiled contracts shipped as package data (``ledger/artifacts/*.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from eth_abi import decode as abi_decode
from eth_utils import function_abi_to_4byte_selector, keccak


@dataclass(frozen=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str
    deployed_bytecode: str


@dataclass(frozen=True)
class ErrorSpec:
    name: str
    inputs: tuple[dict[str, Any], ...]

    def decode(self, data: bytes) -> dict[str, Any]:
        types = [i["type"] for i in self.inputs]
        values = abi_decode(types, data) if types else ()
        return {i["name"]: v for i, v in zip(self.inputs, values, strict=True)}


#: The ledger's contracts in deployment order. Directory takes the admin account,
#: PolicyRegistry the Directory, and every other contract (Directory, PolicyRegistry).
KNOWN_CONTRACTS: tuple[str, ...] = (
    "Directory",
    "PolicyRegistry",
    "DataSharing",
    "WorkOrders",
    "Drills",
    "Systems",
    "Attestations",
    "EffectLog",
    "ScoreBoard",
    "Findings",
)


def _shipped() -> tuple[str, ...]:
    folder = resources.files("ledger.artifacts")
    return tuple(n for n in KNOWN_CONTRACTS if folder.joinpath(f"{n}.json").is_file())


#: The contracts whose artifacts ship with this version, in deployment order.
CONTRACT_NAMES: tuple[str, ...] = _shipped()


@cache
def load_artifact(name: str) -> Artifact:
    try:
        text = resources.files("ledger.artifacts").joinpath(f"{name}.json").read_text("utf-8")
    except FileNotFoundError:
        raise KeyError(f"no compiled artifact for contract {name!r}") from None
    data = json.loads(text)
    return Artifact(name, data["abi"], data["bytecode"], data["deployedBytecode"])


@cache
def error_specs() -> dict[bytes, ErrorSpec]:
    """Every custom error of every artifact, by its 4-byte selector."""
    specs: dict[bytes, ErrorSpec] = {}
    for path in resources.files("ledger.artifacts").iterdir():
        if not path.name.endswith(".json"):
            continue
        for item in json.loads(path.read_text("utf-8"))["abi"]:
            if item["type"] == "error":
                selector = function_abi_to_4byte_selector(item)
                specs[selector] = ErrorSpec(item["name"], tuple(item.get("inputs", [])))
    # The built-in Solidity errors.
    specs[keccak(text="Error(string)")[:4]] = ErrorSpec(
        "Error", ({"name": "message", "type": "string"},)
    )
    specs[keccak(text="Panic(uint256)")[:4]] = ErrorSpec(
        "Panic", ({"name": "code", "type": "uint256"},)
    )
    return specs

"""Decoding raw logs of the ledger's contracts into :class:`EventRecord` arguments."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3._utils.events import get_event_data

from ledger.chain.abi import plain
from ledger.chain.artifacts import load_artifact


@dataclass(frozen=True)
class EventSpec:
    contract: str
    name: str
    abi: dict[str, Any]


def event_specs(contract_names: list[str]) -> dict[bytes, list[EventSpec]]:
    """Event ABIs of the named contracts by topic 0."""
    specs: dict[bytes, list[EventSpec]] = {}
    for contract in contract_names:
        for item in load_artifact(contract).abi:
            if item["type"] == "event" and not item.get("anonymous"):
                topic = bytes(event_abi_to_log_topic(item))  # type: ignore[arg-type]
                specs.setdefault(topic, []).append(EventSpec(contract, item["name"], item))
    return specs


def decode_log(w3: Web3, spec: EventSpec, log: Any) -> dict[str, Any]:
    data = get_event_data(w3.codec, spec.abi, log)
    types = {i["name"]: i["type"] for i in spec.abi["inputs"]}
    return {k: plain(k, types[k], v) for k, v in data["args"].items()}

"""Where the ledger's contracts live on one chain, kept in the data directory."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from eth_typing import ChecksumAddress
from web3 import Web3

from ledger.errors import ChainError


@dataclass
class ContractRef:
    address: ChecksumAddress
    tx_hash: str
    block: int


@dataclass
class Deployment:
    chain_id: int
    genesis_hash: str
    contracts: dict[str, ContractRef] = field(default_factory=dict)

    @property
    def start_block(self) -> int:
        return min((ref.block for ref in self.contracts.values()), default=0)

    def address(self, name: str) -> ChecksumAddress:
        try:
            return self.contracts[name].address
        except KeyError:
            raise ChainError(f"contract {name} is not deployed on chain {self.chain_id}") from None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        refs = {k: ContractRef(**v) for k, v in data["contracts"].items()}
        return cls(int(data["chain_id"]), str(data["genesis_hash"]), refs)


def chain_identity(w3: Web3) -> tuple[int, str]:
    """The chain id and genesis block hash: what tells one chain from another."""
    genesis = w3.eth.get_block(0)
    return int(w3.eth.chain_id), genesis["hash"].to_0x_hex()


def deployment_path(home: Path, chain_id: int, genesis_hash: str) -> Path:
    return home / "deployments" / f"{chain_id}-{genesis_hash[2:18]}.json"


def load_deployment(home: Path, w3: Web3) -> Deployment | None:
    """The deployment recorded for the chain ``w3`` talks to, checked against the chain."""
    chain_id, genesis = chain_identity(w3)
    path = deployment_path(home, chain_id, genesis)
    if not path.is_file():
        return None
    deployment = Deployment.from_json(json.loads(path.read_text()))
    for name, ref in deployment.contracts.items():
        if not w3.eth.get_code(ref.address):
            raise ChainError(
                f"{path} says {name} is at {ref.address}, but the chain has no code there;"
                " the node was probably reset. Move that file away to deploy afresh."
            )
    return deployment


def save_deployment(home: Path, deployment: Deployment) -> Path:
    path = deployment_path(home, deployment.chain_id, deployment.genesis_hash)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(deployment.to_json(), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)
    return path

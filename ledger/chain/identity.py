"""Which chain a data directory's ledger lives on, recorded once in ``<home>/ledger.json``.

A ledger is its contracts on one chain. The data directory therefore records the chain
id, the genesis block hash and the kind of chain (the embedded one in ``<home>/chain``
or a JSON-RPC node) when the ledger is made, and every later open checks them:
- a home made on a node, opened without ``GOVLEDGER_RPC_URL``, would otherwise start
  an empty embedded chain and deploy a second ledger beside the first;
- a node restarted with fresh state (or another chain behind the same URL) would
  otherwise get a fresh deployment while ``records/`` and ``scores/`` still hold the
  old ledger.
Both are refused with a clear error; nothing is deployed. A home with no ledger is
created only by the commands that make one (``demo``, ``department add``,
``scenario run``, ``serve``); any other command on it says there is no ledger there.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from ledger.errors import ConfigError

FILE = "ledger.json"
FORMAT = "govledger-home/1"

ChainKind = Literal["embedded", "rpc"]


@dataclass(frozen=True)
class LedgerIdentity:
    """The chain a home's ledger lives on."""

    chain: ChainKind
    chain_id: int
    genesis_hash: str
    #: The node's address without credentials (``http://host:port``), for messages.
    node: str | None = None
    format: str = FORMAT


def node_address(url: str) -> str:
    """``url`` without user, password, path or query: safe to store and print."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}" if parts.scheme else "the configured node"


def read_identity(home: Path) -> LedgerIdentity | None:
    path = home / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ConfigError(f"{path} is not a govledger home file ({FORMAT})")
        return LedgerIdentity(
            chain=data["chain"],
            chain_id=int(data["chain_id"]),
            genesis_hash=str(data["genesis_hash"]),
            node=data.get("node"),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as err:
        raise ConfigError(f"{path} cannot be read ({err}); restore it from a backup") from err


def write_identity(home: Path, identity: LedgerIdentity) -> None:
    path = home / FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(identity), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def has_ledger(home: Path) -> bool:
    """Whether ``home`` holds a ledger (made now, or before homes recorded their chain)."""
    return (home / FILE).is_file() or any((home / "deployments").glob("*.json"))


def check_settings(home: Path, identity: LedgerIdentity | None, rpc_url: str | None) -> None:
    """Refuse, before any chain is opened, a configuration that cannot reach this ledger."""
    if identity is None:
        return
    if identity.chain == "rpc" and not rpc_url:
        raise ConfigError(
            f"the ledger in {home} lives on the JSON-RPC node {identity.node}"
            f" (chain id {identity.chain_id}); set GOVLEDGER_RPC_URL to that node."
            " Without it an empty embedded chain would be opened instead"
        )
    if identity.chain == "embedded" and rpc_url:
        raise ConfigError(
            f"the ledger in {home} lives on its embedded chain ({home / 'chain'}), not on"
            f" {node_address(rpc_url)}; unset GOVLEDGER_RPC_URL, or use another GOVLEDGER_HOME"
            " for a ledger on that node"
        )


def check_chain(home: Path, identity: LedgerIdentity, chain_id: int, genesis_hash: str) -> None:
    """Refuse a chain other than the one the ledger was made on."""
    if (identity.chain_id, identity.genesis_hash) == (chain_id, genesis_hash):
        return
    where = identity.node or "its embedded chain"
    raise ConfigError(
        f"the ledger in {home} was made on chain {identity.chain_id} with genesis"
        f" {identity.genesis_hash} ({where}), but the chain configured now is chain"
        f" {chain_id} with genesis {genesis_hash}: the node was restarted with fresh state,"
        " or it is another chain. Nothing was deployed. Point GOVLEDGER_RPC_URL at the node"
        " the ledger was made on (or restore its state), or use another GOVLEDGER_HOME"
    )

"""One factory for the chain: explicit settings first, then the embedded default."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from web3 import EthereumTesterProvider, HTTPProvider, Web3
from web3.providers.eth_tester.defaults import API_ENDPOINTS, static_return

from ledger.chain.embedded import EMBEDDED_CHAIN_ID, PersistentPyEVMBackend, open_embedded
from ledger.chain.identity import node_address
from ledger.errors import NodeUnavailableError
from ledger.settings import Settings


def node_unavailable(url: str, err: BaseException) -> NodeUnavailableError:
    """The error for a node at ``url`` that does not answer; the URL keeps no credentials
    (nor path or query), and ``err`` is named by its type only (its text repeats the URL)."""
    return NodeUnavailableError(
        f"the chain node at {node_address(url)} does not answer ({type(err).__name__})"
    )


@dataclass
class ChainHandle:
    """A web3 instance and what it is connected to."""

    w3: Web3
    kind: str  # "embedded" or "rpc"
    backend: PersistentPyEVMBackend | None = None

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None


def make_web3(settings: Settings) -> ChainHandle:
    """Build web3 for the configured chain.

    ``GOVLEDGER_RPC_URL`` names a JSON-RPC node; without it the embedded chain in
    ``<home>/chain`` is opened (and created on first use).
    """
    if settings.rpc_url:
        w3 = Web3(HTTPProvider(settings.rpc_url, request_kwargs={"timeout": 60}))
        try:
            w3.eth.chain_id  # noqa: B018 - a real round trip proves the node answers
        except Exception as err:  # refused, timed out, not JSON-RPC: the node is not there
            raise node_unavailable(settings.rpc_url, err) from err
        return ChainHandle(w3=w3, kind="rpc")
    tester = open_embedded(settings.resolved_home() / "chain")
    endpoints: dict[str, Any] = {k: dict(v) for k, v in API_ENDPOINTS.items()}
    endpoints["eth"]["chainId"] = static_return(EMBEDDED_CHAIN_ID)
    w3 = Web3(EthereumTesterProvider(tester, api_endpoints=endpoints))
    return ChainHandle(w3=w3, kind="embedded", backend=tester.backend)

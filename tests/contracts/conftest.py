"""Helpers for the contract suites: raw calls, signers, readable events and reverts.

The wrappers in ``ledger.mechanisms`` refuse malformed ids before they reach the
chain, so these suites call the contracts' functions directly when they need a
zero ``bytes32`` or another value only a misbehaving client would send.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pytest
from eth_utils import event_abi_to_log_topic
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.logs import DISCARD
from web3.types import TxReceipt

from ledger.chain.abi import plain
from ledger.chain.artifacts import load_artifact
from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ContractRevert
from ledger.ids import to_bytes32
from ledger.mechanisms.base import ContractWrapper
from tests.conftest import sample_policy

#: A zero ``bytes32``, and how a zero id comes back in a decoded error.
ZERO = b"\x00" * 32
ZERO_ID = "0x" + "00" * 32
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

ISSUER = "dcity.govoffice"
SECURITY = "dcity.security"
CIVIL = "dcity.civil"
HEALTH = "dcity.health"


def b32(value: str | bytes) -> bytes:
    """A text id as ``bytes32``; raw bytes (e.g. :data:`ZERO`) pass through unchanged."""
    return value if isinstance(value, bytes) else to_bytes32(value)


def wrapper(ledger: Ledger, contract: str) -> ContractWrapper:
    wrappers: dict[str, ContractWrapper] = {
        "Directory": ledger.directory,
        "PolicyRegistry": ledger.policies,
        "DataSharing": ledger.sharing,
        "ScoreBoard": ledger.scoreboard,
        "Findings": ledger.findings,
    }
    return wrappers[contract]


W = TypeVar("W", bound=ContractWrapper)


def keyless(ledger: Ledger, cls: type[W]) -> W:
    """A wrapper of the deployed ``cls.NAME`` that resolves no signers: tests pass them."""
    return cls(ledger.tx, ledger.deployment.address(cls.NAME))


def function(ledger: Ledger, contract: str, method: str, *args: Any) -> ContractFunction:
    return getattr(wrapper(ledger, contract).contract.functions, method)(*args)


def send(ledger: Ledger, signer: Signer, contract: str, method: str, *args: Any) -> TxReceipt:
    """Send ``contract.method(*args)`` signed by ``signer``, with no client-side checks."""
    return ledger.tx.send(signer, function(ledger, contract, method, *args), contract)


def call(ledger: Ledger, contract: str, method: str, *args: Any) -> Any:
    """A read-only call; reverts raise :class:`ContractRevert`."""
    return ledger.tx.call(function(ledger, contract, method, *args), contract)


def receipt_of(w3: Web3, sent: TxReceipt | TxRef) -> TxReceipt:
    """The receipt of a raw send, or of a wrapper write (which returns a :class:`TxRef`)."""
    if isinstance(sent, TxRef):
        return w3.eth.get_transaction_receipt(sent.tx_hash)  # type: ignore[arg-type]
    return sent


def emitted(contract: ContractWrapper, name: str, sent: TxReceipt | TxRef) -> list[dict[str, Any]]:
    """The ``name`` events of ``contract`` in ``sent``'s receipt, with readable arguments.

    Ids come back as text, digests and roles as 0x-hex, addresses checksummed and
    numbers as ints: the same forms as a decoded revert's arguments.
    """
    event = getattr(contract.contract.events, name)()
    types = {i["name"]: i["type"] for i in event.abi["inputs"]}
    return [
        {k: plain(k, types[k], v) for k, v in log["args"].items()}
        for log in event.process_receipt(receipt_of(contract.tx.w3, sent), errors=DISCARD)
    ]


def events(
    ledger: Ledger, contract: str, name: str, sent: TxReceipt | TxRef
) -> list[dict[str, Any]]:
    """:func:`emitted` for a contract named as in :func:`wrapper`."""
    return emitted(wrapper(ledger, contract), name, sent)


def event_names(
    ledger: Ledger, sent: TxReceipt | TxRef, contracts: Iterable[str] | None = None
) -> list[str]:
    """The names of the events in ``sent``'s receipt, in log order: those of ``contracts``
    (default: every deployed ledger contract), ``?`` for any other log."""
    by_topic = {
        bytes(event_abi_to_log_topic(item)): item["name"]
        for name in (ledger.deployment.contracts if contracts is None else contracts)
        for item in load_artifact(name).abi
        if item["type"] == "event"
    }
    return [
        by_topic.get(bytes(log["topics"][0]), "?") for log in receipt_of(ledger.w3, sent)["logs"]
    ]


def clock_at(ledger: Ledger, timestamp: int) -> None:
    """Move the chain's clock to ``timestamp``: the latest block's time.

    A call executes in the latest block, and so does the call with which every send
    first checks for a revert; the transaction itself is mined in the next block, at
    least a second later (exactly one once the clock is ahead of the wall clock).
    """
    gap = timestamp - ledger.clock.now()
    assert gap >= 0, "time only moves forward"
    if gap:
        ledger.clock.advance_time(gap)
    assert ledger.clock.now() == timestamp


def mined_at(ledger: Ledger, sent: TxReceipt | TxRef) -> int:
    """The timestamp of the block ``sent`` was mined in."""
    return int(ledger.w3.eth.get_block(receipt_of(ledger.w3, sent)["blockNumber"])["timestamp"])


def anchor_policy(
    ledger: Ledger, policy_id: str, title: str, clause: dict[str, Any], **changes: Any
) -> str:
    """Anchor a policy in force with one ``clause`` (a knowledge record's clause)."""
    ledger.policy_book.anchor(sample_policy(policy_id, title=title, clauses=[clause], **changes))
    return policy_id


def clause(clause_id: str, text: str, metric: str | None = None) -> dict[str, Any]:
    """A knowledge record's clause; with ``metric``, it obliges ``metric >= 0.9``."""
    obligation = {} if metric is None else {"metric": metric, "comparator": ">=", "target": 0.9}
    return {"id": clause_id, "text": text} | ({"obligation": obligation} if obligation else {})


def policy_fixture(policy_id: str, title: str, one: dict[str, Any], **changes: Any) -> Any:
    """A ``policy`` fixture: anchors ``policy_id`` in force with clause ``one``, gives its id."""

    @pytest.fixture(name="policy")
    def policy(ledger: Ledger) -> str:
        return anchor_policy(ledger, policy_id, title, one, **changes)

    return policy


def contract_fixture(cls: type[W], name: str) -> Any:
    """A fixture ``name`` giving the deployed ``cls`` through :func:`keyless`."""

    @pytest.fixture(name=name)
    def contract(ledger: Ledger) -> W:
        return keyless(ledger, cls)

    return contract


@contextmanager
def reverts(ledger: Ledger, name: str, **arguments: Any) -> Iterator[None]:
    """Expect the block to revert with custom error ``name(**arguments)``, mining nothing.

    Reverts surface when the transaction's gas is estimated, so a reverted call
    sends no transaction: no block is mined and no event is emitted.
    """
    before = ledger.w3.eth.block_number
    with pytest.raises(ContractRevert) as err:
        yield
    assert err.value.name == name, str(err.value)
    assert err.value.arguments == arguments
    assert ledger.w3.eth.block_number == before


def new_signer(ledger: Ledger) -> Signer:
    """A funded account that acts for no department (a fresh key name per call)."""
    name = f"stranger-{uuid.uuid4().hex[:12]}"
    address = ledger.keystore.create(name)
    ledger.tx.fund(address)
    return ledger.keystore.signer(name)


def granted(ledger: Ledger, department: str, role: str) -> Signer:
    """``department``'s signer, granted ``role`` in the Directory."""
    signer = ledger.signers.department(department)
    ledger.directory.grant_role(role, signer.address)
    return signer


@pytest.fixture
def stranger(ledger: Ledger) -> Signer:
    return new_signer(ledger)


@pytest.fixture
def issuer(ledger: Ledger) -> Signer:
    return ledger.signers.department(ISSUER)


@pytest.fixture
def security(ledger: Ledger) -> Signer:
    return ledger.signers.department(SECURITY)


@pytest.fixture
def civil(ledger: Ledger) -> Signer:
    return ledger.signers.department(CIVIL)

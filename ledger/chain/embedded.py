"""The embedded chain: eth-tester over py-evm, kept in the data directory.

An in-memory chain that forgets the ledger on exit is not a ledger, so this
backend stores py-evm's database in ``<home>/chain/chain.sqlite`` and reopens it
at the stored canonical head. One process holds the chain at a time; a second
one gets :class:`~ledger.errors.LedgerBusyError` rather than a corrupted file.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO, Any

from eth.chains.base import MiningChain
from eth.db.atomic import AtomicDB
from eth.db.chain import ChainDB
from eth.vm.forks import PragueVM
from eth_tester import EthereumTester, PyEVMBackend
from eth_tester.backends.pyevm.main import (
    generate_genesis_state_for_keys,
    get_default_account_keys,
    get_default_genesis_params,
)
from eth_typing import BlockNumber
from eth_utils import to_tuple

from ledger.chain.kvstore import SqliteKV
from ledger.errors import LedgerBusyError, LedgerValueError

#: Chain id of every embedded govledger chain ("gov" in ASCII).
EMBEDDED_CHAIN_ID = 0x676F76
#: Gas limit of every block: room for contract deployment and large batches.
BLOCK_GAS_LIMIT = 60_000_000


class EmbeddedChain(MiningChain):
    """A post-merge (Prague) chain with a constant block gas limit."""

    chain_id = EMBEDDED_CHAIN_ID
    vm_configuration = ((BlockNumber(0), PragueVM),)

    def create_header_from_parent(self, parent_header: Any, **header_params: Any) -> Any:
        header_params["gas_limit"] = parent_header.gas_limit
        return super().create_header_from_parent(parent_header, **header_params)

    def get_transaction_builder(self) -> Any:
        return super().get_vm().get_transaction_builder()


class PersistentPyEVMBackend(PyEVMBackend):
    """eth-tester's py-evm backend with its database in a directory.

    The faucet is eth-tester's first well-known development account. It only pays
    gas for the ledger's own accounts; the keys that sign as departments live in
    the encrypted keystore.
    """

    def __init__(self, directory: Path, genesis_timestamp: int | None = None) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.directory = directory
        self._lock = _acquire_lock(directory / "LOCK")
        self._kv = SqliteKV(directory / "chain.sqlite")
        self.account_keys = get_default_account_keys(quantity=1)
        base_db = AtomicDB(self._kv)
        if _has_head(base_db):
            self.chain = EmbeddedChain(base_db)
        else:
            params = get_default_genesis_params(
                {"gas_limit": BLOCK_GAS_LIMIT}
                | ({"timestamp": genesis_timestamp} if genesis_timestamp is not None else {})
            )
            state = generate_genesis_state_for_keys(
                self.account_keys, overrides={"balance": 10**30}
            )
            self.chain = EmbeddedChain.from_genesis(base_db, params, state)  # type: ignore[assignment]
            self._kv.commit()

    def time_travel(self, to_timestamp: int) -> int:
        """Mine one block whose timestamp is exactly ``to_timestamp``."""
        parent = self.chain.get_canonical_head().timestamp
        if to_timestamp <= parent:
            raise LedgerValueError(
                f"cannot move the chain's clock to {to_timestamp}: the latest block is at {parent}"
            )
        self.chain.header = self.chain.header.copy(timestamp=to_timestamp)
        self.mine_blocks()
        return to_timestamp

    def reset_to_genesis(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError("a persistent ledger chain is never reset to genesis")

    @to_tuple
    def mine_blocks(self, num_blocks: int = 1, coinbase: Any = None) -> Any:
        kwargs = {} if coinbase is None else {"coinbase": coinbase}
        try:
            yield from super().mine_blocks(num_blocks, **kwargs)
        except BaseException:
            self._kv.rollback()
            raise
        self._kv.commit()

    def revert_to_snapshot(self, snapshot: Any) -> None:
        super().revert_to_snapshot(snapshot)
        self._kv.commit()

    def close(self) -> None:
        """Release the database and the lock; pending (unmined) work is dropped."""
        self._kv.close()
        _release_lock(self._lock)


def _has_head(db: AtomicDB) -> bool:
    try:
        ChainDB(db).get_canonical_head()
    except Exception:  # py-evm raises CanonicalHeadNotFound
        return False
    return True


def _acquire_lock(path: Path) -> IO[str]:
    handle = path.open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise LedgerBusyError(
            f"the embedded chain in {path.parent} is in use by another govledger process"
            f" (pid {holder}); stop it first, or run a node and set GOVLEDGER_RPC_URL"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _release_lock(handle: IO[str]) -> None:
    try:
        fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def open_embedded(directory: Path, genesis_timestamp: int | None = None) -> EthereumTester:
    """An eth-tester instance over the persistent chain in ``directory``."""
    return EthereumTester(backend=PersistentPyEVMBackend(directory, genesis_timestamp))

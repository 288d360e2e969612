"""Sending signed transactions and turning reverts into typed errors."""

from __future__ import annotations

import ast
from typing import Any

from eth_tester.exceptions import TransactionFailed
from eth_typing import ChecksumAddress
from hexbytes import HexBytes
from web3 import Web3
from web3.contract.contract import ContractFunction
from web3.exceptions import ContractCustomError, ContractLogicError, ContractPanicError
from web3.types import TxReceipt, Wei

from ledger.chain.abi import plain
from ledger.chain.artifacts import Artifact, error_specs
from ledger.chain.keystore import Signer
from ledger.errors import ChainError, ContractRevert

_REVERTS = (ContractCustomError, ContractPanicError, ContractLogicError, TransactionFailed)

#: Gas limit of every contract call: above what any ledger function needs (anchoring a
#: policy of 100 clauses uses about 3M); only the gas used is paid.
CALL_GAS_LIMIT = 10_000_000

#: Gas for funding a fresh account on chains with a faucet.
FUND_AMOUNT = 10**21


def decode_revert(data: bytes | str | None, contract: str | None = None) -> ContractRevert:
    """Decode revert data by its 4-byte selector against every known custom error."""
    raw = HexBytes(data) if data else HexBytes(b"")
    if len(raw) < 4:
        return ContractRevert("Reverted", {}, contract)
    spec = error_specs().get(bytes(raw[:4]))
    if spec is None:
        return ContractRevert("UnknownError", {"data": "0x" + raw.hex()}, contract)
    try:
        values = spec.decode(bytes(raw[4:]))
    except Exception:
        return ContractRevert(spec.name, {"data": "0x" + raw[4:].hex()}, contract)
    return ContractRevert(spec.name, _readable(spec.inputs, values), contract)


def _readable(inputs: tuple[dict[str, Any], ...], values: dict[str, Any]) -> dict[str, Any]:
    return {i["name"]: plain(i["name"], i["type"], values[i["name"]]) for i in inputs}


def _revert_data(err: BaseException) -> Any:
    """The raw revert bytes behind a web3 or eth-tester error."""
    if isinstance(err, TransactionFailed):
        # eth-tester and web3's eth-tester provider pass revert data on as the text
        # form of a bytes literal ("execution reverted: b'...'"); read it back.
        seen: BaseException | None = err
        while seen is not None:
            for arg in seen.args:
                if isinstance(arg, Exception) and arg.args:
                    arg = arg.args[0]
                if isinstance(arg, bytes | bytearray):
                    return bytes(arg)
                if isinstance(arg, str):
                    literal = arg.removeprefix("execution reverted: ")
                    if literal.startswith(("b'", 'b"')):
                        try:
                            value = ast.literal_eval(literal)
                        except (ValueError, SyntaxError):
                            continue
                        if isinstance(value, bytes):
                            return value
            seen = seen.__context__
        return None
    data = getattr(err, "data", None)
    if isinstance(data, dict):
        data = data.get("data")
    return data


class _FailedReceipt(Exception):
    def __init__(self, block_number: int) -> None:
        super().__init__(block_number)
        self.block_number = block_number


class Transactor:
    """Builds, signs, sends and waits for transactions on one chain."""

    def __init__(self, w3: Web3, faucet: ChecksumAddress | None = None) -> None:
        self.w3 = w3
        self.faucet = faucet
        self.chain_id = w3.eth.chain_id
        #: Whether ``send`` dry-runs each call first (see :meth:`send`).
        self.precheck = True

    def _base_tx(self, signer: Signer) -> dict[str, Any]:
        return {
            "from": signer.address,
            "nonce": self.w3.eth.get_transaction_count(signer.address, "pending"),
            "chainId": self.chain_id,
        }

    def call(self, fn: ContractFunction, contract: str | None = None) -> Any:
        """A read-only call; reverts come back as :class:`ContractRevert`."""
        try:
            return fn.call()
        except _REVERTS as err:
            raise decode_revert(_revert_data(err), contract) from err

    def send(
        self,
        signer: Signer,
        fn: ContractFunction,
        contract: str | None = None,
        *,
        precheck: bool | None = None,
    ) -> TxReceipt:
        """Send a contract call signed by ``signer`` and wait for its receipt.

        With ``precheck`` (the default) the call is first executed once with ``eth_call``,
        so a revert surfaces with its custom error and no failed transaction lands on
        chain. Bulk replays pass ``precheck=False`` to halve the work; a transaction that
        then fails is replayed as a call on its parent block to name the error. Either way
        the gas limit is fixed: estimation would execute the call a dozen times more.
        """
        if precheck is None:
            precheck = self.precheck
        base = self._base_tx(signer)
        try:
            if precheck:
                fn.call({"from": signer.address})
            tx = dict(fn.build_transaction(base | {"gas": CALL_GAS_LIMIT}))  # type: ignore[arg-type]
        except _REVERTS as err:
            raise decode_revert(_revert_data(err), contract) from err
        try:
            return self._send_raw(signer, tx, contract)
        except ChainError as failed:
            if precheck or not isinstance(failed.__cause__, _FailedReceipt):
                raise
            block = failed.__cause__.block_number
            try:
                fn.call({"from": signer.address}, block_identifier=block - 1)
            except _REVERTS as err:
                raise decode_revert(_revert_data(err), contract) from err
            raise

    def deploy(self, signer: Signer, artifact: Artifact, *args: Any) -> TxReceipt:
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        try:
            tx = dict(factory.constructor(*args).build_transaction(self._base_tx(signer)))
        except _REVERTS as err:
            raise decode_revert(_revert_data(err), artifact.name) from err
        return self._send_raw(signer, tx, artifact.name)

    def _send_raw(self, signer: Signer, tx: dict[str, Any], contract: str | None) -> TxReceipt:
        tx_hash = self.w3.eth.send_raw_transaction(signer.sign_transaction(tx))
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise ChainError(
                f"transaction {tx_hash.to_0x_hex()} to {contract or 'a contract'} failed"
                f" in block {receipt['blockNumber']} after using {receipt['gasUsed']} gas"
                f" of {tx.get('gas')}"
            ) from _FailedReceipt(int(receipt["blockNumber"]))
        return receipt

    def fund(self, address: ChecksumAddress) -> None:
        """Give a ledger account gas money from the faucet, where the chain has one."""
        if self.w3.eth.get_balance(address) >= FUND_AMOUNT // 10:
            return
        if self.faucet is None:
            raise ChainError(
                f"account {address} has no funds for gas and this chain has no faucet;"
                " fund it from the node's operator account"
            )
        tx_hash = self.w3.eth.send_transaction(
            {"from": self.faucet, "to": address, "value": Wei(FUND_AMOUNT)}
        )
        self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)

"""Sending signed transactions and turning reverts into typed errors."""

from __future__ import annotations

import ast
from collections.abc import Sequence
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

#: An account is funded for this many transactions at a time, each priced at the full
#: call gas limit and the fee cap of the moment (what a node checks before it accepts one)...
FUND_TRANSACTIONS = 200
#: ...and topped up when it can pay for fewer than this many more.
TOP_UP_TRANSACTIONS = 20
#: Gas of a plain transfer from a faucet.
TRANSFER_GAS = 21_000


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


def _eth(wei: int) -> str:
    return f"{wei / 10**18:.6f} ETH"


class Transactor:
    """Builds, signs, sends and waits for transactions on one chain.

    ``faucet`` is the node's unlocked account, or all of them, that pays the ledger's
    accounts their gas: each is funded for :data:`FUND_TRANSACTIONS` transactions and
    topped up before a transaction it could no longer pay for in
    :data:`TOP_UP_TRANSACTIONS` more. With no faucet (a production network) an account
    short of gas is a :class:`ChainError` naming the account and the amount it needs.
    """

    def __init__(
        self,
        w3: Web3,
        faucet: ChecksumAddress | Sequence[ChecksumAddress] | None = None,
    ) -> None:
        self.w3 = w3
        if faucet is None:
            self.faucets: tuple[ChecksumAddress, ...] = ()
        elif isinstance(faucet, str):
            self.faucets = (faucet,)
        else:
            self.faucets = tuple(faucet)
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
        fee_cap = int(tx.get("maxFeePerGas", tx.get("gasPrice", 0)))
        cost = int(tx["gas"]) * fee_cap + int(tx.get("value", 0))
        self._ensure_gas(signer.address, cost, fee_cap)
        tx_hash = self.w3.eth.send_raw_transaction(signer.sign_transaction(tx))
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
        if receipt["status"] != 1:
            raise ChainError(
                f"transaction {tx_hash.to_0x_hex()} to {contract or 'a contract'} failed"
                f" in block {receipt['blockNumber']} after using {receipt['gasUsed']} gas"
                f" of {tx.get('gas')}"
            ) from _FailedReceipt(int(receipt["blockNumber"]))
        return receipt

    def _fees(self) -> dict[str, int]:
        """The fee fields web3 would set now: a fee cap of twice the base fee plus the tip."""
        base = self.w3.eth.get_block("latest").get("baseFeePerGas")
        if base is None:
            return {"gasPrice": int(self.w3.eth.gas_price)}
        tip = int(self.w3.eth.max_priority_fee)
        return {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}

    def fee_cap(self) -> int:
        """The most a unit of gas may cost in the next block."""
        fees = self._fees()
        return fees.get("maxFeePerGas", fees.get("gasPrice", 0))

    def fund(self, address: ChecksumAddress) -> None:
        """Fund a ledger account for :data:`FUND_TRANSACTIONS` transactions of gas.

        Nothing is sent to an account that already holds enough for
        :data:`TOP_UP_TRANSACTIONS`; with no faucet, an account that cannot pay for one
        transaction is a :class:`ChainError` naming it and the amount to send it.
        """
        fee_cap = self.fee_cap()
        self._ensure_gas(address, CALL_GAS_LIMIT * fee_cap, fee_cap)

    def _ensure_gas(self, address: ChecksumAddress, cost: int, fee_cap: int) -> None:
        """Top ``address`` up unless it can pay ``cost`` and then some transactions more."""
        per_tx = CALL_GAS_LIMIT * fee_cap
        low = cost + TOP_UP_TRANSACTIONS * per_tx
        # Read every time, not remembered: a snapshot revert or a reorg undoes transfers.
        balance = int(self.w3.eth.get_balance(address))
        if balance >= low:
            return
        target = cost + FUND_TRANSACTIONS * per_tx
        if not self.faucets:
            if balance >= cost:
                return  # enough for this transaction; nobody to top it up from
            raise ChainError(
                f"account {address} holds {_eth(balance)}, too little for gas, and the node"
                f" has no unlocked account to fund it from: send it {target - balance} wei"
                f" ({_eth(target - balance)}) from an account on the chain, then retry"
            )
        self._draw(address, target - balance, cost - balance)

    def _draw(self, address: ChecksumAddress, wanted: int, needed: int) -> None:
        """Send ``address`` up to ``wanted`` wei from the faucets, one after another;
        fewer than ``needed`` wei is a :class:`ChainError`."""
        fees = self._fees()
        transfer_cost = TRANSFER_GAS * fees.get("maxFeePerGas", fees.get("gasPrice", 0))
        sent = 0
        for faucet in self.faucets:
            if faucet == address:
                continue
            spare = int(self.w3.eth.get_balance(faucet)) - transfer_cost
            amount = min(wanted - sent, spare)
            if amount <= 0:
                continue
            tx_hash = self.w3.eth.send_transaction(
                {"from": faucet, "to": address, "value": Wei(amount), "gas": TRANSFER_GAS, **fees}  # type: ignore[typeddict-item]
            )
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
            if receipt["status"] != 1:
                raise ChainError(f"funding {address} from {faucet} failed ({tx_hash.to_0x_hex()})")
            sent += amount
            if sent >= wanted:
                return
        if sent < needed:
            raise ChainError(
                f"account {address} needs {needed - sent} wei ({_eth(needed - sent)}) more for"
                f" gas and the node's {len(self.faucets)} unlocked accounts have no more to"
                " give: fund it from an account on the chain, then retry"
            )

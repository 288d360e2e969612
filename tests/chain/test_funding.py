"""Gas for the ledger's accounts on real nodes: funded as needed, topped up, drawn from
every unlocked account, and a clear error where the node unlocks none."""

from __future__ import annotations

from pathlib import Path

import pytest
from eth_typing import HexStr
from typer.testing import CliRunner
from web3 import Web3
from web3.types import RPCEndpoint

from ledger.chain.keystore import Keystore
from ledger.chain.tx import CALL_GAS_LIMIT, FUND_TRANSACTIONS, Transactor
from ledger.cli.main import app
from ledger.core import ADMIN_KEY, Ledger
from ledger.errors import ChainError
from ledger.mechanisms.sharing import CatalogItemCreate
from tests.conftest import TEST_PASSWORD, make_settings
from tests.nodes import anvil_node, hardhat_node

ETH = 10**18


def test_a_dozen_department_adds_on_a_default_hardhat_node(tmp_path: Path) -> None:
    """The reproducer of issue 11: the tenth ``department add`` ran out of funds."""
    home = tmp_path / "home"
    with hardhat_node() as url:
        env = {"GOVLEDGER_RPC_URL": url, "GOVLEDGER_KEYSTORE_PASSWORD": TEST_PASSWORD}
        for i in range(12):
            add = ["department", "add", f"dcity.d{i:02}", "--name", f"Department {i}", "--role"]
            added = CliRunner().invoke(app, [*add, "ISSUER", "--home", str(home)], env=env)
            assert added.exit_code == 0, added.output
            assert f"department dcity.d{i:02} acts as 0x" in added.output
        with Ledger.open(make_settings(home, rpc_url=url)) as ledger:
            w3 = ledger.tx.w3
            assert ledger.tx.faucets == tuple(w3.eth.accounts)
            departments = ledger.departments.list()
            assert [d["id"] for d in departments] == [f"dcity.d{i:02}" for i in range(12)]
            per_tx = CALL_GAS_LIMIT * ledger.tx.fee_cap()
            for department in departments:
                # Funded for its gas, not a fixed 1,000 ETH: a few ETH at a few gwei.
                balance = w3.eth.get_balance(department["account"])
                assert FUND_TRANSACTIONS * per_tx // 2 < balance < 20 * ETH
            # The first unlocked account paid for it all and keeps nearly all its 10,000 ETH.
            assert w3.eth.get_balance(w3.eth.accounts[0]) > 9_900 * ETH


def test_an_account_low_on_gas_is_topped_up_before_it_sends(tmp_path: Path) -> None:
    with anvil_node() as url:
        settings = make_settings(tmp_path / "home", rpc_url=url)
        with Ledger.open(settings) as ledger:
            account = ledger.departments.register("dcity.civil", "Civil Affairs Bureau")
            w3 = ledger.tx.w3
            w3.provider.make_request(RPCEndpoint("anvil_setBalance"), [account, hex(ETH // 100)])
        with Ledger.open(settings) as ledger:
            ref = ledger.sharing.register_item(
                "dcity.civil",
                CatalogItemCreate(
                    item_id="item.hh",
                    data_type="household",
                    permission="restricted",
                    disclosure="on-request",
                ),
            )
            per_tx = CALL_GAS_LIMIT * ledger.tx.fee_cap()
            balance = ledger.tx.w3.eth.get_balance(account)
            assert balance > FUND_TRANSACTIONS * per_tx // 2
            receipt = ledger.tx.w3.eth.get_transaction_receipt(HexStr(ref.tx_hash))
            assert (receipt["status"], receipt["from"]) == (1, account)


def test_funding_draws_on_every_unlocked_account_when_one_runs_short(tmp_path: Path) -> None:
    with anvil_node(accounts=3) as url:
        w3 = Web3(Web3.HTTPProvider(url))
        first, second, third = (w3.eth.accounts[i] for i in range(3))
        w3.provider.make_request(RPCEndpoint("anvil_setBalance"), [first, hex(ETH)])
        tx = Transactor(w3, w3.eth.accounts)
        fresh = Keystore(tmp_path / "keys", TEST_PASSWORD).create("dept.x")
        tx.fund(fresh)
        funded = w3.eth.get_balance(fresh)
        assert funded >= FUND_TRANSACTIONS * CALL_GAS_LIMIT * tx.fee_cap() > ETH
        assert w3.eth.get_balance(first) < ETH // 1000  # gave all it could spare
        given_by_second = 10_000 * ETH - w3.eth.get_balance(second)  # and its transfer's gas
        assert funded - ETH < given_by_second < funded - ETH + ETH // 1000
        assert w3.eth.get_balance(third) == 10_000 * ETH  # not needed
        before = w3.eth.get_balance(fresh)
        tx.fund(fresh)  # enough already: nothing is sent
        assert w3.eth.get_balance(fresh) == before


def test_a_node_with_no_unlocked_account_names_the_account_and_the_amount(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    with anvil_node(accounts=0) as url:
        w3 = Web3(Web3.HTTPProvider(url))
        fee_cap = Transactor(w3).fee_cap()
        with pytest.raises(ChainError) as err:
            Ledger.open(make_settings(home, rpc_url=url))
    admin = Keystore(home / "keystore", TEST_PASSWORD).address(ADMIN_KEY)
    amount = (1 + FUND_TRANSACTIONS) * CALL_GAS_LIMIT * fee_cap
    assert str(err.value) == (
        f"account {admin} holds 0.000000 ETH, too little for gas, and the node has no"
        f" unlocked account to fund it from: send it {amount} wei"
        f" ({amount / ETH:.6f} ETH) from an account on the chain, then retry"
    )

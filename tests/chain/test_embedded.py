"""The embedded chain keeps the ledger across processes and refuses a second writer."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from web3 import Web3

from ledger.chain.factory import make_web3
from ledger.errors import LedgerBusyError
from tests.conftest import make_settings

WRITER = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from ledger.chain.artifacts import load_artifact
    from ledger.chain.factory import make_web3
    from ledger.chain.keystore import Keystore
    from ledger.chain.tx import Transactor
    from ledger.ids import to_bytes32
    from ledger.settings import Settings

    home = Path(sys.argv[1])
    handle = make_web3(Settings(home=home))
    w3 = handle.w3
    keys = Keystore(home / "keystore", "pw")
    admin = keys.signer("admin") if keys.has("admin") else None
    if admin is None:
        keys.create("admin")
        admin = keys.signer("admin")
    tx = Transactor(w3, w3.eth.accounts[0])
    tx.fund(admin.address)
    art = load_artifact("Directory")
    receipt = tx.deploy(admin, art, admin.address)
    directory = w3.eth.contract(address=receipt["contractAddress"], abi=art.abi)
    tx.send(admin, directory.functions.registerDepartment(
        to_bytes32("dept.a"), "A", "0x000000000000000000000000000000000000bEEF"))
    head = w3.eth.block_number
    print(json.dumps({
        "directory": receipt["contractAddress"],
        "head": head,
        "hashes": [w3.eth.get_block(n)["hash"].to_0x_hex() for n in range(head + 1)],
        "admin": admin.address,
        "balance": w3.eth.get_balance(admin.address),
        "nonce": w3.eth.get_transaction_count(admin.address),
    }))
    handle.close()
    """
)


def run_writer(home: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", WRITER, str(home)], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_state_written_in_one_process_is_read_back_in_another(home: Path) -> None:
    written = run_writer(home)
    handle = make_web3(make_settings(home))
    try:
        w3 = handle.w3
        assert w3.eth.block_number == written["head"]
        assert [
            w3.eth.get_block(n)["hash"].to_0x_hex() for n in range(int(written["head"]) + 1)
        ] == written["hashes"]
        assert w3.eth.get_balance(written["admin"]) == written["balance"]
        assert w3.eth.get_transaction_count(written["admin"]) == written["nonce"]
        from ledger.chain.artifacts import load_artifact

        directory = w3.eth.contract(
            address=written["directory"], abi=load_artifact("Directory").abi
        )
        assert directory.functions.isDepartment(b"dept.a".ljust(32, b"\0")).call() is True
        logs = directory.events.DepartmentRegistered().get_logs(from_block=0)
        assert [log["args"]["name"] for log in logs] == ["A"]
        assert logs[0]["args"]["account"] == Web3.to_checksum_address(
            "0x000000000000000000000000000000000000beef"
        )
    finally:
        handle.close()


def test_a_second_run_continues_the_same_chain(home: Path) -> None:
    first = run_writer(home)
    second = run_writer(home)
    assert second["hashes"][: len(first["hashes"])] == first["hashes"]
    assert int(second["head"]) > int(first["head"])


def test_a_second_opener_is_refused_with_a_clear_error(home: Path) -> None:
    handle = make_web3(make_settings(home))
    try:
        with pytest.raises(LedgerBusyError, match="in use by another govledger process"):
            make_web3(make_settings(home))
    finally:
        handle.close()
    make_web3(make_settings(home)).close()  # released on close


def test_time_travel_moves_block_time_forward(home: Path) -> None:
    handle = make_web3(make_settings(home))
    try:
        assert handle.backend is not None
        before = handle.w3.eth.get_block("latest")["timestamp"]
        handle.backend.time_travel(before + 86_400)
        assert handle.w3.eth.get_block("latest")["timestamp"] == before + 86_400
    finally:
        handle.close()

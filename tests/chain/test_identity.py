"""A data directory knows its chain: never a silent new ledger, a redeploy or open files."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ledger.chain.identity import FILE, node_address
from ledger.core import Ledger
from ledger.errors import ConfigError
from tests.cli.test_cli import govledger
from tests.conftest import make_settings


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with a ledger on its embedded chain."""
    path = tmp_path_factory.mktemp("identity") / "home"
    with Ledger.open(make_settings(path)) as ledger:
        ledger.departments.register("dcity.office", "General Office", ("ISSUER",))
    return path


def test_the_home_records_the_chain_it_was_made_on(home: Path) -> None:
    data = json.loads((home / FILE).read_text())
    with Ledger.open(make_settings(home), create=False) as ledger:
        genesis = ledger.w3.eth.get_block(0)["hash"].to_0x_hex()
        assert data == {
            "chain": "embedded",
            "chain_id": ledger.deployment.chain_id,
            "genesis_hash": genesis,
            "node": None,
            "format": "govledger-home/1",
        }
        assert ledger.directory.is_department("dcity.office")


def test_a_home_with_no_ledger_is_refused_and_left_alone(tmp_path: Path) -> None:
    missing = tmp_path / "typo"
    with pytest.raises(ConfigError) as info:
        Ledger.open(make_settings(missing), create=False)
    assert str(info.value) == (
        f"no ledger in {missing}: check --home or GOVLEDGER_HOME, or make one with"
        " `govledger demo` or `govledger department add`"
    )
    assert not missing.exists()


def test_another_chain_is_refused_and_nothing_is_deployed(tmp_path: Path, home: Path) -> None:
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / FILE).write_text(
        (home / FILE).read_text().replace('"genesis_hash": "0x', '"genesis_hash": "0xff', 1)
    )
    with pytest.raises(ConfigError) as info:
        Ledger.open(make_settings(copy))
    message = str(info.value)
    assert message.startswith(f"the ledger in {copy} was made on chain ")
    assert "the node was restarted with fresh state, or it is another chain" in message
    assert "Nothing was deployed" in message
    assert not (copy / "deployments").exists() and not (copy / "keystore").exists()


def test_a_node_ledger_without_its_node_is_refused_before_any_chain_opens(tmp_path: Path) -> None:
    made_on_node = tmp_path / "node-home"
    made_on_node.mkdir()
    identity = {
        "chain": "rpc",
        "chain_id": 31337,
        "genesis_hash": "0x" + "ab" * 32,
        "node": "http://127.0.0.1:8545",
        "format": "govledger-home/1",
    }
    (made_on_node / FILE).write_text(json.dumps(identity))
    with pytest.raises(ConfigError) as info:
        Ledger.open(make_settings(made_on_node))
    assert str(info.value) == (
        f"the ledger in {made_on_node} lives on the JSON-RPC node http://127.0.0.1:8545"
        " (chain id 31337); set GOVLEDGER_RPC_URL to that node. Without it an empty"
        " embedded chain would be opened instead"
    )
    assert not (made_on_node / "chain").exists()


def test_an_embedded_ledger_is_not_opened_on_a_node(home: Path) -> None:
    with pytest.raises(ConfigError, match="lives on its embedded chain"):
        Ledger.open(make_settings(home, rpc_url="http://user:secret@127.0.0.1:9/rpc"))


def test_a_node_address_keeps_no_credentials() -> None:
    assert node_address("https://user:secret@node.example:8545/path?key=x") == (
        "https://node.example:8545"
    )


def test_read_commands_on_a_mistyped_home_say_so(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    for args in (["policy", "list"], ["score"], ["audit", "verify"], ["index"]):
        done = govledger(missing, *args)
        assert done.returncode == 1, (args, done.stdout, done.stderr)
        assert "no ledger in" in " ".join(done.stderr.split()), args
        assert "Traceback" not in done.stderr
    assert not missing.exists()


def test_everything_is_private_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "open"
    code = (
        "import os, sys; os.umask(0);"
        "from tests.conftest import make_settings;"
        "from ledger.core import Ledger;"
        "from pathlib import Path;"
        "ledger = Ledger.open(make_settings(Path(sys.argv[1])));"
        "ledger.departments.register('dcity.office', 'General Office', ('ISSUER',));"
        "ledger.close()"
    )
    subprocess.run([sys.executable, "-c", code, str(home)], check=True, timeout=300)
    paths = [home, *home.rglob("*")]
    assert len(paths) > 10
    loose = [
        f"{p}: {stat.filemode(p.stat().st_mode)}"
        for p in paths
        if not p.is_symlink() and p.stat().st_mode & 0o077
    ]
    assert loose == []

"""Department keys are encrypted at rest and never shown."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from ledger.chain.keystore import Keystore
from ledger.errors import KeystoreError


def test_keys_are_encrypted_and_reopen_with_the_password(tmp_path: Path) -> None:
    ks = Keystore(tmp_path / "ks", "pw")
    address = ks.create("dept.a")
    signer = ks.signer("dept.a")
    secret_hex = signer._account.key.hex()
    text = (tmp_path / "ks" / "dept.a.json").read_text()
    assert secret_hex.removeprefix("0x") not in text
    assert stat.S_IMODE((tmp_path / "ks" / "dept.a.json").stat().st_mode) == 0o600
    again = Keystore(tmp_path / "ks", "pw")
    assert again.address("dept.a") == address
    assert again.signer("dept.a").address == address


def test_wrong_password_is_a_clear_error(tmp_path: Path) -> None:
    Keystore(tmp_path / "ks", "pw").create("dept.a")
    with pytest.raises(KeystoreError, match="wrong keystore password"):
        Keystore(tmp_path / "ks", "other").signer("dept.a")


def test_signer_text_never_shows_the_key(tmp_path: Path) -> None:
    ks = Keystore(tmp_path / "ks", "pw")
    ks.create("dept.a")
    signer = ks.signer("dept.a")
    secret_hex = signer._account.key.hex().removeprefix("0x")
    assert secret_hex not in repr(signer) and secret_hex not in str(signer)
    assert signer.address in repr(signer)


def test_keys_are_never_replaced_and_names_are_checked(tmp_path: Path) -> None:
    ks = Keystore(tmp_path / "ks", "pw")
    ks.create("dept.a")
    with pytest.raises(KeystoreError, match="already exists"):
        ks.create("dept.a")
    with pytest.raises(KeystoreError, match="invalid key name"):
        ks.create("../escape")
    with pytest.raises(KeystoreError, match="no key named"):
        ks.signer("dept.b")


def test_generated_password_file_is_private(tmp_path: Path) -> None:
    ks = Keystore(tmp_path / "ks")
    ks.create("dept.a")
    pw = tmp_path / "ks" / ".password"
    assert stat.S_IMODE(pw.stat().st_mode) == 0o600
    assert Keystore(tmp_path / "ks").signer("dept.a").address == ks.address("dept.a")

"""Encrypted signing keys in the data directory.

Each key is a standard Web3 Secret Storage (v3) JSON file, ``<home>/keystore/<name>.json``,
encrypted with scrypt under one keystore password. Private keys are decrypted only in
memory, when a transaction has to be signed, and are never printed, logged or returned:
:class:`Keystore` hands out signer objects whose ``repr`` shows the address alone.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_typing import ChecksumAddress
from eth_utils import to_checksum_address

from ledger.errors import KeystoreError

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
#: scrypt cost: about 0.15 s a key on a laptop; keys are decrypted once a process.
_SCRYPT_N = 2**15


class Signer:
    """A key that can sign, whose text form never shows the secret."""

    def __init__(self, name: str, account: LocalAccount) -> None:
        self.name = name
        self._account = account

    @property
    def address(self) -> ChecksumAddress:
        return ChecksumAddress(self._account.address)

    def sign_transaction(self, tx: dict[str, Any]) -> bytes:
        return bytes(self._account.sign_transaction(tx).raw_transaction)

    def __repr__(self) -> str:
        return f"Signer({self.name!r}, {self.address})"

    __str__ = __repr__


class Keystore:
    """The keys of one ledger, by name (``admin``, ``dept.<department id>``, ...)."""

    def __init__(self, directory: Path, password: str | None = None) -> None:
        self.directory = directory
        self._password = password
        self._unlocked: dict[str, Signer] = {}

    def _ensure_dir(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _secret(self) -> str:
        if self._password is not None:
            return self._password
        path = self.directory / ".password"
        if not path.exists():
            self._ensure_dir()
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
        self._password = path.read_text().strip()
        return self._password

    def _path(self, name: str) -> Path:
        if not _NAME_RE.match(name):
            raise KeystoreError(f"invalid key name {name!r}")
        return self.directory / f"{name}.json"

    def names(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json"))

    def has(self, name: str) -> bool:
        return self._path(name).is_file()

    def address(self, name: str) -> ChecksumAddress:
        """The address of a key, read without decrypting it."""
        data = self._read(name)
        return to_checksum_address("0x" + str(data["address"]).removeprefix("0x"))

    def create(self, name: str) -> ChecksumAddress:
        """Create a new random key; an existing name is an error (keys are never replaced)."""
        path = self._path(name)
        if path.exists():
            raise KeystoreError(f"key {name!r} already exists")
        self._ensure_dir()
        account = Account.create()
        blob = Account.encrypt(account.key, self._secret(), kdf="scrypt", iterations=_SCRYPT_N)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(blob, handle)
        os.replace(tmp, path)
        self._unlocked[name] = Signer(name, account)
        return ChecksumAddress(account.address)

    def signer(self, name: str) -> Signer:
        """The decrypted signer for ``name`` (cached for the life of this object)."""
        if name not in self._unlocked:
            data = self._read(name)
            try:
                key = Account.decrypt(data, self._secret())
            except ValueError as err:
                raise KeystoreError(
                    f"cannot unlock key {name!r}: wrong keystore password"
                    " (GOVLEDGER_KEYSTORE_PASSWORD)"
                ) from err
            self._unlocked[name] = Signer(name, Account.from_key(key))
        return self._unlocked[name]

    def _read(self, name: str) -> dict[str, Any]:
        path = self._path(name)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise KeystoreError(f"no key named {name!r} in {self.directory}") from None
        except (OSError, ValueError) as err:
            raise KeystoreError(f"key file {path} is unreadable: {err}") from err
        if not isinstance(data, dict) or "address" not in data:
            raise KeystoreError(f"key file {path} is not a v3 keystore file")
        return data

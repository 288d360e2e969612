"""API keys, each with a role: a department's key acts for that department; an
auditor's key acts as the ledger's auditor (the administrator's account, which holds
AUDITOR and SCORER on chain), to review findings and publish scores.

A key is shown once, when it is created; the ledger keeps only its SHA-256 in
``<home>/apikeys.json``, so neither a log nor a copy of the data directory
reveals a usable key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, get_args

from ledger.errors import AuthError, LedgerValueError, NotFoundError
from ledger.ids import check_id

PREFIX = "glk_"

#: What a key may do: act for its department, or act as the ledger's auditor.
KeyRole = Literal["department", "auditor"]
ROLES: tuple[KeyRole, ...] = get_args(KeyRole)


@dataclass(frozen=True)
class ApiKeyInfo:
    key_id: str
    department_id: str | None  # None for an auditor's key
    label: str
    created_at: int
    role: KeyRole = "department"

    @property
    def holder(self) -> str:
        """Who the key acts for, as messages name it."""
        return f"department {self.department_id!r}" if self.department_id else "the auditor"

    @classmethod
    def of(cls, stored: dict[str, Any]) -> ApiKeyInfo:
        """A stored record (keys written before roles existed are departments')."""
        return cls(**stored)


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


class ApiKeys:
    def __init__(self, home: Path) -> None:
        self.path = home / "apikeys.json"

    def _load(self) -> dict[str, dict[str, object]]:
        if not self.path.is_file():
            return {}
        data = json.loads(self.path.read_text())
        return dict(data.get("keys", {}))

    def _save(self, keys: dict[str, dict[str, object]]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump({"keys": keys}, handle, indent=2, sort_keys=True)
        os.replace(tmp, self.path)

    def create(
        self, department_id: str | None, label: str = "", role: KeyRole = "department"
    ) -> tuple[str, ApiKeyInfo]:
        """A new key for ``department_id`` (a department's role) or for the auditor (the
        auditor's role, no department); the plain key is returned only here."""
        if role not in ROLES:
            raise LedgerValueError(f"key role {role!r} is not one of {', '.join(ROLES)}")
        if role == "department":
            if department_id is None:
                raise LedgerValueError("a department's key names its department")
            check_id(department_id, "department id")
        elif department_id is not None:
            raise LedgerValueError("an auditor's key acts for no department: give none")
        key = PREFIX + secrets.token_urlsafe(32)
        info = ApiKeyInfo(secrets.token_hex(4), department_id, label, int(time.time()), role)
        keys = self._load()
        keys[_digest(key)] = asdict(info)
        self._save(keys)
        return key, info

    def authenticate(self, key: str | None) -> ApiKeyInfo:
        """The key's record; :class:`AuthError` when missing or unknown."""
        if not key:
            raise AuthError("an API key is required: send it in the X-API-Key header")
        wanted = _digest(key)
        for digest, info in self._load().items():
            if hmac.compare_digest(digest, wanted):
                return ApiKeyInfo.of(info)
        raise AuthError("unknown API key")

    def list(self) -> list[ApiKeyInfo]:
        return sorted(
            (ApiKeyInfo.of(info) for info in self._load().values()),
            key=lambda i: (i.role, i.department_id or "", i.created_at),
        )

    def revoke(self, key_id: str) -> ApiKeyInfo:
        keys = self._load()
        for digest, info in keys.items():
            if info["key_id"] == key_id:
                del keys[digest]
                self._save(keys)
                return ApiKeyInfo.of(info)
        raise NotFoundError("API key", key_id)

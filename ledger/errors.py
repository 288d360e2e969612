"""One exception root for the whole ledger.

Every error the ledger raises on purpose is a :class:`LedgerError`, so callers
(CLI, API) have one thing to catch. Each domain has its own subclass, and the
values that explain the failure are kept as fields rather than only in text.
"""

from __future__ import annotations

from typing import Any


class LedgerError(Exception):
    """Root of every error govledger raises on purpose."""


class LedgerValueError(LedgerError, ValueError):
    """A value the ledger refuses: a malformed id, an out-of-range number, a bad file.

    It is a :class:`ValueError` too, so code that expects one keeps working; the API
    answers it with 422, while a plain ``ValueError`` from a bug is a 500.
    """


class InputFileError(LedgerValueError):
    """A file named by the user is missing or cannot be read; the text is ``PATH: reason``."""

    def __init__(self, path: Any, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class LedgerTypeError(LedgerError, TypeError):
    """A value of the wrong kind (say a list where a mapping belongs)."""


class ConfigError(LedgerError):
    """The settings or the data directory are not usable."""


class ChainError(LedgerError):
    """The chain could not be reached or did something unexpected."""


class NodeUnavailableError(ChainError):
    """The JSON-RPC node does not answer (down, or not reachable)."""


class LedgerBusyError(ChainError):
    """Another process holds the embedded chain."""


class ContractRevert(ChainError):
    """A contract call reverted with a decoded custom error.

    ``name`` is the custom error's name and ``args`` its named arguments,
    in declaration order. When the error says the caller's department acted on another
    department's object (:data:`NOT_YOURS`), ``not_yours`` says so in words, and so does
    the error's text; otherwise ``not_yours`` is None and the text is ``Name(arg=value, …)``.
    """

    def __init__(self, name: str, args: dict[str, Any], contract: str | None = None) -> None:
        self.name = name
        self.args_ = args
        self.contract = contract
        self.not_yours = _not_yours(name, args)
        rendered = ", ".join(f"{k}={_render(v)}" for k, v in args.items())
        super().__init__(self.not_yours or f"{name}({rendered})")

    @property
    def arguments(self) -> dict[str, Any]:
        return self.args_


class KeystoreError(LedgerError):
    """A key could not be created, found or unlocked."""


class RecordError(LedgerValueError):
    """A knowledge record is malformed or inconsistent."""


class NotFoundError(LedgerError, LookupError):
    """A thing asked for by id does not exist."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident!r} not found")


class AuthError(LedgerError):
    """A caller is not who it claims to be (no key, unknown key)."""


class ForbiddenError(LedgerError):
    """A known caller may not do this."""


class StoreError(LedgerError):
    """The index store is unusable or inconsistent."""


def _render(value: Any) -> str:
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return repr(value) if isinstance(value, str) else str(value)


#: How a zero ``bytes32`` comes back in a decoded error (an owner that is no department).
_ZERO_ID = "0x" + "00" * 32

#: The custom errors by which a contract refuses a department acting on another
#: department's object, each with the sentence that explains it (arguments by name).
NOT_YOURS: dict[str, str] = {
    "NotOwner": "{subject} {subjectId} belongs to {ownerDepartment}, not {callerDepartment}",
    "WrongHandler": "order {orderId} is with {expected}, not {caller}",
    "NotProvider": "catalog item {itemId} is provided by another department, not {callerId}",
    "NotPlanOwner": "drill plan {planId} belongs to another department, not {callerId}",
    "NotSystemOwner": "system {systemId} belongs to another department, not {callerId}",
    "NotLogOwner": "effect log {logId} belongs to another department, not {callerId}",
    "NotResponsible": "finding {findingId} is for {departmentId}, not the department of {account}",
}

#: What a zero department in those errors stands for, by argument name.
_NOBODY = {"ownerDepartment": "the ledger administrator", "expected": "no department yet"}


def _not_yours(name: str, args: dict[str, Any]) -> str | None:
    template = NOT_YOURS.get(name)
    if template is None:
        return None
    words = {k: _NOBODY.get(k, v) if v == _ZERO_ID else v for k, v in args.items()}
    try:
        return template.format(**words)
    except (KeyError, IndexError):  # undecodable data ({"data": ...}): no sentence
        return None

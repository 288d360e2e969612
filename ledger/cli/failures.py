"""How every command fails: one kind, one message, one exit code.

:class:`ReportingGroup` runs the whole command line and sends every failure, whatever
command raised it, through :func:`ledger.cli.output.report_failure`: ``error: ...`` (and a
``hint: ...`` where one helps) on stderr, or under ``--json`` one JSON object on stderr::

    {"error": {"kind": "not-found", "message": "no data-sharing agreement 'agr.nope'
     exists (AgreementUnknown)", "name": "AgreementUnknown",
     "args": {"agreementId": "agr.nope"}, "contract": "DataSharing"}}

Exit codes (:class:`ExitCode`):

===  ===================  ==============================================================
 1   refused              input the ledger refuses, an unknown id, a missing file, a home
                          with no ledger (kinds ``invalid-input``, ``invalid-record``,
                          ``not-found``, ``unreadable-file``, ``not-configured``, ...)
 2   usage                a malformed command line (kind ``usage``)
 3   unavailable          the chain node does not answer (``chain-unavailable``), or
                          another process holds the embedded chain (``busy``)
 4   reverted             the contract refused the transaction (``contract-revert``,
                          ``not-yours``); a revert that means "no such id" is
                          ``not-found`` and exits 1
70   bug                  anything else (``internal``); ``GOVLEDGER_DEBUG=1`` shows the
                          traceback
130  interrupted          Ctrl-C
===  ===================  ==============================================================
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

import requests
import typer
from typer._click.exceptions import NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from ledger.chain.factory import node_unavailable
from ledger.cli.output import report_failure
from ledger.errors import (
    AuthError,
    ConfigError,
    ContractRevert,
    ForbiddenError,
    InputFileError,
    LedgerBusyError,
    LedgerError,
    LedgerValueError,
    NodeUnavailableError,
    NotFoundError,
    RecordError,
)
from ledger.mechanisms.explain import explain, is_unknown_id
from ledger.settings import Settings


class ExitCode(IntEnum):
    REFUSED = 1
    USAGE = 2
    UNAVAILABLE = 3
    REVERTED = 4
    BUG = 70
    INTERRUPTED = 130


@dataclass(frozen=True)
class Failure:
    """What to tell about a failure: its ``kind``, ``message``, exit ``code`` and ``hint``;
    ``details`` go into the JSON form only (a revert's ``name``, ``args``, ``contract``)."""

    kind: str
    message: str
    code: ExitCode
    hint: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


NODE_HINT = "start the node, or set GOVLEDGER_RPC_URL to one that runs"
BUG_HINT = "this is a bug in govledger; run again with GOVLEDGER_DEBUG=1 for the traceback"

#: Ledger errors by class (the first match wins): kind, exit code, hint.
_LEDGER: tuple[tuple[type[LedgerError], str, ExitCode, str | None], ...] = (
    (NodeUnavailableError, "chain-unavailable", ExitCode.UNAVAILABLE, NODE_HINT),
    (
        LedgerBusyError,
        "busy",
        ExitCode.UNAVAILABLE,
        "another govledger process holds this ledger's embedded chain; retry when it is done",
    ),
    (RecordError, "invalid-record", ExitCode.REFUSED, None),
    (LedgerValueError, "invalid-input", ExitCode.REFUSED, None),
    (ConfigError, "not-configured", ExitCode.REFUSED, None),
    (AuthError, "unauthorized", ExitCode.REFUSED, None),
    (ForbiddenError, "forbidden", ExitCode.REFUSED, None),
)


def _revert(err: ContractRevert) -> Failure:
    details = {"name": err.name, "args": err.arguments, "contract": err.contract}
    if is_unknown_id(err):
        kind = "not-found"
        code = ExitCode.REFUSED
    else:
        kind = "not-yours" if err.not_yours is not None else "contract-revert"
        code = ExitCode.REVERTED
    return Failure(kind, explain(err), code, details=details)


def _ledger(err: LedgerError) -> Failure:
    unreadable = err if isinstance(err, InputFileError) else err.__cause__
    if isinstance(unreadable, InputFileError):  # (a record or scenario says so in its own type)
        details = {"path": unreadable.path}
        return Failure("unreadable-file", str(unreadable), ExitCode.REFUSED, details=details)
    if isinstance(err, ContractRevert):
        return _revert(err)
    if isinstance(err.__cause__, ContractRevert):  # a revert told with its context (a step)
        revert = _revert(err.__cause__)
        return Failure(revert.kind, str(err), revert.code, details=revert.details)
    if isinstance(err, NotFoundError):
        details = {"what": err.kind, "id": err.ident}
        return Failure("not-found", str(err), ExitCode.REFUSED, details=details)
    for cls, kind, code, hint in _LEDGER:
        if isinstance(err, cls):
            return Failure(kind, str(err), code, hint)
    return Failure("refused", str(err), ExitCode.REFUSED)


def failure_of(err: BaseException) -> Failure:
    """The :class:`Failure` that reports ``err``."""
    if isinstance(err, LedgerError):
        return _ledger(err)
    if isinstance(err, UsageError):
        hint = None
        if err.ctx is not None:
            hint = f"see `{err.ctx.command_path} --help`"
        return Failure("usage", err.format_message(), ExitCode.USAGE, hint)
    if isinstance(err, requests.ConnectionError | requests.Timeout):
        # the node went away after the ledger was opened
        lost = node_unavailable(Settings().rpc_url or "", err)
        return Failure("chain-unavailable", str(lost), ExitCode.UNAVAILABLE, NODE_HINT)
    if isinstance(err, KeyboardInterrupt | typer.Abort):
        return Failure("interrupted", "interrupted", ExitCode.INTERRUPTED)
    return Failure("internal", f"{type(err).__name__}: {err}", ExitCode.BUG, BUG_HINT)


def json_requested(args: Sequence[str]) -> bool:
    """Whether the command line asks for JSON (``--json`` before any ``--``)."""
    for arg in args:
        if arg == "--":
            return False
        if arg == "--json":
            return True
    return False


class ReportingGroup(TyperGroup):
    """The root command: runs the command line and reports every failure one way."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            result = super().main(
                argv, prog_name or "govledger", complete_var, standalone_mode=False, **extra
            )
        except NoArgsIsHelpError as err:  # `govledger policy`: the group's help
            err.show()
            code: int = ExitCode.USAGE
        except (Exception, KeyboardInterrupt) as err:
            failure = failure_of(err)
            if failure.code == ExitCode.BUG and os.environ.get("GOVLEDGER_DEBUG"):
                raise
            report_failure(
                failure.kind,
                failure.message,
                as_json=json_requested(argv),
                hint=failure.hint,
                details=failure.details,
            )
            code = failure.code
        else:  # an explicit exit code (typer.Exit) or a command's return value
            code = result if isinstance(result, int) and not isinstance(result, bool) else 0
        if standalone_mode:
            sys.exit(code)
        return code

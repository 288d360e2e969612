"""Scoring a ledger: gather the evidence up to a block and hand it to the pure engine."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ledger.maturity.engine import compute_result
from ledger.maturity.indicators import Evidence, measure_all
from ledger.maturity.spec import load_spec
from ledger.store.records import EventRecord

if TYPE_CHECKING:
    from ledger.core import Ledger

DAY = 86_400


def gather_evidence(
    ledger: Ledger,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    as_of_block: int | None = None,
    events: Sequence[EventRecord] | None = None,
) -> tuple[Evidence, int, str]:
    """The evidence at ``as_of_block`` (default: head), with that block's number and hash.

    The events are the ledger's index, or ``events`` when given: an auditor passes the
    events read afresh from the chain, so a tampered index cannot change the result.
    """
    spec = load_spec()
    as_of = ledger.w3.eth.block_number if as_of_block is None else as_of_block
    block = ledger.w3.eth.get_block(as_of)
    window_end = int(block["timestamp"])
    days = window_days if window_days is not None else int(spec.default_window_days)
    window_start = window_end - days * DAY
    if events is None:
        chosen: Sequence[EventRecord] = ledger.store.events(to_block=as_of)
    else:
        chosen = [e for e in events if e.block_number <= as_of]
    evidence = Evidence(
        events=chosen,
        window_start=window_start,
        window_end=window_end,
        scope=scope,
        lookup=lambda policy_id, version, digest: ledger.policy_book.stored_record(
            policy_id, version, digest
        ),
        effects=ledger.effects.view(as_of, None if events is None else chosen),
    )
    return evidence, as_of, block["hash"].to_0x_hex()


def score_ledger(
    ledger: Ledger,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    as_of_block: int | None = None,
    events: Sequence[EventRecord] | None = None,
) -> dict[str, Any]:
    """Score the city (``scope=None``) or one department at ``as_of_block`` (default: head).

    ``events`` replaces the index as evidence (see :func:`gather_evidence`).
    """
    evidence, as_of, as_of_hash = gather_evidence(
        ledger, scope=scope, window_days=window_days, as_of_block=as_of_block, events=events
    )
    return compute_result(
        load_spec(),
        measure_all(evidence),
        scope=scope or "city",
        window_start=evidence.window_start,
        window_end=evidence.window_end,
        as_of_block=as_of,
        as_of_hash=as_of_hash,
        as_of_time=evidence.window_end,
        chain_id=ledger.deployment.chain_id,
    )

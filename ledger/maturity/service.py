"""Scoring a ledger: gather the evidence up to a block and hand it to the pure engine."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ledger.maturity.engine import compute_result
from ledger.maturity.indicators import Evidence, measure_all
from ledger.maturity.spec import load_spec

if TYPE_CHECKING:
    from ledger.core import Ledger

DAY = 86_400


def score_ledger(
    ledger: Ledger,
    *,
    scope: str | None = None,
    window_days: int | None = None,
    as_of_block: int | None = None,
) -> dict[str, Any]:
    """Score the city (``scope=None``) or one department at ``as_of_block`` (default: head)."""
    spec = load_spec()
    as_of = ledger.w3.eth.block_number if as_of_block is None else as_of_block
    block = ledger.w3.eth.get_block(as_of)
    window_end = int(block["timestamp"])
    days = window_days if window_days is not None else int(spec.default_window_days)
    window_start = window_end - days * DAY
    evidence = Evidence(
        events=ledger.store.events(to_block=as_of),
        window_start=window_start,
        window_end=window_end,
        scope=scope,
        lookup=lambda policy_id, version, digest: ledger.stored_record(policy_id, version, digest),
        effects=ledger.effects.view(as_of),
    )
    return compute_result(
        spec,
        measure_all(evidence),
        scope=scope or "city",
        window_start=window_start,
        window_end=window_end,
        as_of_block=as_of,
        as_of_hash=block["hash"].to_0x_hex(),
        as_of_time=window_end,
        chain_id=ledger.deployment.chain_id,
    )

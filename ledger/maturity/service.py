"""Scoring a ledger: gather the evidence up to a block and hand it to the pure engine.

:class:`Scorer` depends on the narrow things it reads, not on the whole ledger:

- ``events(to_block)``: the indexed events up to a block, in chain order;
- ``blocks``: a :class:`BlockReader` (head number, a block's time and hash);
- ``records(policy_id, version, digest)``: the stored record matching an anchored
  digest, or None;
- ``effects(as_of_block, events)``: the effect log as its checkpoints anchored by that
  block cover it (:class:`~ledger.maturity.indicators.EffectView`), or None;
- ``chain_id``.

``Ledger.open`` wires one as ``ledger.scorer`` (the CLI, the API and the auditor use
it); an auditor's scratch read of a chain builds its own from the same parts.

Besides single scores, a scorer gives the conversion cycle clause by clause
(:meth:`Scorer.clauses`) and a series of scores over consecutive windows
(:meth:`Scorer.series`). These are views (MATURITY.md "Series, trajectories and the
roadmap"): not part of a result, but deterministic, and each point of a series is the
very result a single score at its block gives. A series reads the events once and
judges every window from that one read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack

from ledger.errors import LedgerValueError
from ledger.maturity.engine import compute_result
from ledger.maturity.indicators import (
    ClauseCycle,
    EffectView,
    Evidence,
    RecordLookup,
    clause_cycles,
    measure_all,
)
from ledger.maturity.spec import Spec, load_spec
from ledger.store.records import EventRecord
from ledger.times import format_timestamp

if TYPE_CHECKING:
    from web3 import Web3

__all__ = [
    "DAY",
    "DEFAULT_SERIES_WINDOWS",
    "BlockReader",
    "EffectViewFactory",
    "EventSource",
    "ScoreFunction",
    "ScoreQuery",
    "Scorer",
    "Web3Blocks",
]

DAY = 86_400
#: A series is four windows unless asked otherwise (MATURITY.md "Series").
DEFAULT_SERIES_WINDOWS = 4

#: ``events(to_block)``: the indexed events up to ``to_block``, in chain order.
EventSource = Callable[[int], Sequence[EventRecord]]
#: ``effects(as_of_block, events)``: the effect log as covered at ``as_of_block``; the
#: checkpoints are read from ``events`` when given.
EffectViewFactory = Callable[[int, Sequence[EventRecord] | None], EffectView | None]


class ScoreQuery(TypedDict, total=False):
    """What a score, a series or the clause cycles are asked for; a key left out (or None)
    takes its default."""

    #: One department; the city when None.
    scope: str | None
    #: The window's length in days; the spec's when None.
    window_days: int | None
    #: The block the window ends at; the head when None.
    as_of_block: int | None
    #: The spec version; the latest when None.
    spec_version: int | None


class ScoreFunction(Protocol):
    """A score result at a block, from the index or from ``events``: :meth:`Scorer.score`
    (``Ledger.score``), what publishing and verifying a score call."""

    def __call__(
        self, *, events: Sequence[EventRecord] | None = None, **query: Unpack[ScoreQuery]
    ) -> dict[str, Any]: ...


class BlockReader(Protocol):
    """The chain's blocks as the scorer needs them."""

    def head(self) -> int:
        """The latest block number."""
        ...

    def block(self, number: int) -> tuple[int, str]:
        """Block ``number``'s time (UTC seconds) and hash (0x-hex)."""
        ...


@dataclass(frozen=True)
class Web3Blocks:
    """:class:`BlockReader` over a web3 connection."""

    w3: Web3

    def head(self) -> int:
        return int(self.w3.eth.block_number)

    def block(self, number: int) -> tuple[int, str]:
        block = self.w3.eth.get_block(number)
        return int(block["timestamp"]), block["hash"].to_0x_hex()


@dataclass(frozen=True)
class Scorer:
    """Scores, clause cycles and series from narrow sources (see the module doc)."""

    events: EventSource
    blocks: BlockReader
    records: RecordLookup
    effects: EffectViewFactory
    chain_id: int

    # -- evidence ------------------------------------------------------------------------

    def evidence(
        self,
        *,
        scope: str | None = None,
        window_days: int | None = None,
        as_of_block: int | None = None,
        events: Sequence[EventRecord] | None = None,
        spec: Spec | None = None,
    ) -> tuple[Evidence, int, str]:
        """The evidence at ``as_of_block`` (default: head), with that block's number and hash.

        The events are the index, or ``events`` when given: an auditor passes the events
        read afresh from the chain, so a tampered index cannot change the result.
        """
        spec = spec or load_spec()
        as_of = self._as_of(as_of_block)
        if events is None:
            chosen: Sequence[EventRecord] = self.events(as_of)
            view = self.effects(as_of, None)
        else:
            chosen = [e for e in events if e.block_number <= as_of]
            view = self.effects(as_of, chosen)
        return self._evidence_at(spec, scope, window_days, as_of, chosen, view)

    def _evidence_for(
        self, query: ScoreQuery, events: Sequence[EventRecord] | None = None
    ) -> tuple[Evidence, int, str]:
        """:meth:`evidence` for what ``query`` asks."""
        spec = load_spec(query.get("spec_version"))
        return self.evidence(
            scope=query.get("scope"),
            window_days=query.get("window_days"),
            as_of_block=query.get("as_of_block"),
            events=events,
            spec=spec,
        )

    def _evidence_at(
        self,
        spec: Spec,
        scope: str | None,
        window_days: int | None,
        as_of: int,
        events: Sequence[EventRecord],
        view: EffectView | None,
    ) -> tuple[Evidence, int, str]:
        window_end, block_hash = self.blocks.block(as_of)
        days = _window_days(spec, window_days)
        evidence = Evidence(
            events=events,
            window_start=window_end - days * DAY,
            window_end=window_end,
            scope=scope,
            lookup=self.records,
            effects=view,
            spec=spec,
        )
        return evidence, as_of, block_hash

    # -- scores --------------------------------------------------------------------------

    def score(
        self, *, events: Sequence[EventRecord] | None = None, **query: Unpack[ScoreQuery]
    ) -> dict[str, Any]:
        """The result (MATURITY.md "Output and evidence") of the city (``scope=None``) or
        one department at ``as_of_block`` (default: head), under spec ``spec_version``
        (default: the latest)."""
        evidence, as_of, as_of_hash = self._evidence_for(query, events)
        return self._result(evidence.spec, evidence, as_of, as_of_hash)

    def _result(
        self, spec: Spec, evidence: Evidence, as_of: int, as_of_hash: str
    ) -> dict[str, Any]:
        scope = evidence.scope
        return compute_result(
            spec,
            measure_all(evidence),
            scope=scope if isinstance(scope, str) else None,
            window_start=evidence.window_start,
            window_end=evidence.window_end,
            as_of_block=as_of,
            as_of_hash=as_of_hash,
            as_of_time=evidence.window_end,
            chain_id=self.chain_id,
        )

    def series(
        self, *, windows: int = DEFAULT_SERIES_WINDOWS, **query: Unpack[ScoreQuery]
    ) -> dict[str, Any]:
        """Scores at the ends of ``windows`` consecutive windows, the last ending at
        ``as_of_block`` (default: head), oldest first.

        Window ``k`` (0 = the last) ends at the latest block whose time is at most
        ``as_of time - k * window_days`` days; each point is the full result a single
        score at that block gives, with its own ``result_hash``. The events are read
        once, up to ``as_of_block``, and every window is judged from that read. The
        ``I1`` raw values along the series are the conversion-cycle trend.
        """
        if isinstance(windows, bool) or not isinstance(windows, int) or windows < 1:
            raise LedgerValueError(f"a series has at least one window, got {windows!r}")
        spec = load_spec(query.get("spec_version"))
        scope = query.get("scope")
        days = _window_days(spec, query.get("window_days"))
        as_of = self._as_of(query.get("as_of_block"))
        end, _hash = self.blocks.block(as_of)
        events = self.events(as_of)
        blocks = [
            self._block_at(end - k * days * DAY, as_of, events) for k in reversed(range(windows))
        ]
        points = []
        for block in blocks:
            chosen = [e for e in events if e.block_number <= block] if block < as_of else events
            evidence, at, at_hash = self._evidence_at(
                spec, scope, days, block, chosen, self.effects(block, chosen)
            )
            points.append(self._result(spec, evidence, at, at_hash))
        return {
            "spec_version": spec.version,
            "spec_hash": spec.spec_hash,
            "scope": scope or "city",
            "windows": windows,
            "window_days": days,
            "as_of_block": as_of,
            "i1_trend": [p["indicators"][0]["raw"] for p in points],
            "points": points,
        }

    # -- the conversion cycle ------------------------------------------------------------

    def clauses(self, **query: Unpack[ScoreQuery]) -> dict[str, Any]:
        """Every in-force clause's start, first execution and days (or "not executed"),
        as I1 of spec ``spec_version`` sees them at ``as_of_block``."""
        evidence, as_of, as_of_hash = self._evidence_for(query)
        spec = evidence.spec
        return {
            "spec_version": spec.version,
            "spec_hash": spec.spec_hash,
            "scope": query.get("scope") or "city",
            "as_of": {"block": as_of, "hash": as_of_hash, "time": evidence.window_end},
            "window": {"start": evidence.window_start, "end": evidence.window_end},
            "clauses": [_clause_row(c) for c in clause_cycles(evidence)],
        }

    # -- blocks --------------------------------------------------------------------------

    def _as_of(self, as_of_block: int | None) -> int:
        head = self.blocks.head()
        if as_of_block is None:
            return head
        if isinstance(as_of_block, bool) or not isinstance(as_of_block, int):
            raise LedgerValueError(f"as_of_block must be a block number, got {as_of_block!r}")
        if not 0 <= as_of_block <= head:
            raise LedgerValueError(f"block {as_of_block} is not in the chain (head {head})")
        return as_of_block

    def _block_at(self, time: int, upper: int, events: Sequence[EventRecord] = ()) -> int:
        """The latest block at or below ``upper`` whose time is at most ``time`` (block 0
        if none is).

        Block times never fall as blocks rise, so the events' own blocks and times bound
        the search: it reads only the blocks between the last event at or before
        ``time`` and the first one after it.
        """
        low, high = 0, upper
        for e in events:
            if e.block_time <= time:
                low = max(low, e.block_number)
            else:
                high = min(high, e.block_number - 1)
                break
        while low < high:
            middle = (low + high + 1) // 2
            if self.blocks.block(middle)[0] <= time:
                low = middle
            else:
                high = middle - 1
        return low


def _window_days(spec: Spec, window_days: int | None) -> int:
    days = window_days if window_days is not None else int(spec.default_window_days)
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise LedgerValueError(f"a window is a positive whole number of days, got {days!r}")
    return days


def _clause_row(cycle: ClauseCycle) -> dict[str, Any]:
    done = cycle.executed_by
    executed: dict[str, Any] | None = None
    if done is not None:
        executed = {
            "event": done.event,
            "block": done.block_number,
            "tx": done.tx_hash,
            "log_index": done.log_index,
            "time": done.block_time,
            "time_utc": format_timestamp(done.block_time),
        }
        if cycle.entry is not None:
            executed["checkpoint"] = int(done.args["index"])
            executed["entry"] = list(cycle.entry)
    return {
        "policy_id": cycle.clause.policy_id,
        "clause_id": cycle.clause.clause_id,
        "version": cycle.clause.version,
        "start": cycle.start,
        "start_utc": format_timestamp(cycle.start),
        "executed": executed,
        "days": cycle.days,
        "status": "executed" if done is not None else "not executed",
        "in_sample": cycle.in_sample,
    }

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

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Protocol, TypedDict, Unpack, cast

from ledger.effects.types import EffectCounts
from ledger.errors import LedgerValueError
from ledger.knowledge.models import PolicyRecord
from ledger.maturity.engine import IndicatorInput, compute_result
from ledger.maturity.indicators import (
    ClauseCycle,
    EffectView,
    Evidence,
    RecordLookup,
    clause_cycles,
    measure_all,
)
from ledger.maturity.progress import TREND, node_row, roadmap_view
from ledger.maturity.roadmap import roadmap as build_roadmap
from ledger.maturity.scopes import (
    JurisdictionHistory,
    JurisdictionScope,
    jurisdiction_label,
    jurisdiction_of_label,
    resolve_scope,
)
from ledger.maturity.spec import Spec, load_spec, spec_for_hash
from ledger.maturity.trajectory import Baseline, standing
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

    #: One department, or a jurisdiction as ``"@" + its id``
    #: (:func:`~ledger.maturity.scopes.jurisdiction_label`); the city when None.
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
        return self._evidence_at(
            spec, resolve_scope(scope, chosen), window_days, as_of, chosen, view
        )

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
        scope: str | JurisdictionScope | None,
        window_days: int | None,
        as_of: int,
        events: Sequence[EventRecord],
        view: EffectView | None,
        memo: dict[Any, Any] | None = None,
        lookup: RecordLookup | None = None,
    ) -> tuple[Evidence, int, str]:
        window_end, block_hash = self.blocks.block(as_of)
        days = _window_days(spec, window_days)
        evidence = Evidence(
            events=events,
            window_start=window_end - days * DAY,
            window_end=window_end,
            scope=scope,
            lookup=lookup or self.records,
            effects=view,
            spec=spec,
            memo=memo,
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
        return self._result_of(spec, evidence, measure_all(evidence), as_of, as_of_hash)

    def _result_of(
        self,
        spec: Spec,
        evidence: Evidence,
        inputs: Mapping[str, IndicatorInput],
        as_of: int,
        as_of_hash: str,
    ) -> dict[str, Any]:
        scope = evidence.scope
        return compute_result(
            spec,
            inputs,
            scope=scope.label
            if isinstance(scope, JurisdictionScope)
            else (scope if isinstance(scope, str) else None),
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
        resolve_scope(scope, events)  # an unknown jurisdiction is refused up front
        blocks = [
            self._block_at(end - k * days * DAY, as_of, events) for k in reversed(range(windows))
        ]
        points = []
        for block in blocks:
            chosen = [e for e in events if e.block_number <= block] if block < as_of else events
            evidence, at, at_hash = self._evidence_at(
                spec, _scope_in(scope, chosen), days, block, chosen, self.effects(block, chosen)
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

    # -- jurisdictions: progress along the path and the roadmap ---------------------------

    def progress(
        self, *, jurisdiction: str | None = None, **query: Unpack[ScoreQuery]
    ) -> dict[str, Any]:
        """Every node of the jurisdiction tree (or of ``jurisdiction``'s subtree) at
        ``as_of_block``: its level, ``M``, expected index and level on its path, gap,
        on track or behind, and trend arrow (MATURITY.md "Trajectory").

        One read of the events serves every node: the tree's history is built once, and
        each node is measured from the same event list, the parts of the measurement
        that do not depend on the scope computed once for all nodes. ``query["scope"]``
        is ignored (each node is its own scope).
        """
        tree = self._read_tree(query)
        roots = (
            [jurisdiction]
            if jurisdiction is not None
            else tree.history.children(None, block=tree.as_of)
        )
        if jurisdiction is not None:
            tree.history.require(jurisdiction, block=tree.as_of)
        nodes = [
            self._progress_node(tree, node, depth)
            for node, depth in _depth_first(tree.history, roots, tree.as_of)
        ]
        return {
            "spec_version": tree.spec.version,
            "spec_hash": tree.spec.spec_hash,
            "as_of": _as_of_view(tree.as_of, tree.as_of_hash, tree.end),
            "window_days": tree.days,
            "trend": TREND,
            "previous_as_of_block": tree.previous.as_of,
            "nodes": [row for row, _result, _inputs in nodes],
        }

    def roadmap(self, *, jurisdiction: str, **query: Unpack[ScoreQuery]) -> dict[str, Any]:
        """The roadmap of ``jurisdiction`` (MATURITY.md "Roadmap"): when it is below its
        expected level, every indicator in the order to raise them, each with the raw
        value that lifts the level one band on its own or "not enough alone"."""
        tree = self._read_tree(query)
        tree.history.require(jurisdiction, block=tree.as_of)
        row, result, inputs = self._progress_node(tree, jurisdiction, 0)
        plan = build_roadmap(tree.spec, inputs)
        return roadmap_view(tree.spec, node=row, plan=plan, result=result)

    def _read_tree(self, query: ScoreQuery) -> _TreeRead:
        spec = load_spec(query.get("spec_version"))
        days = _window_days(spec, query.get("window_days"))
        as_of = self._as_of(query.get("as_of_block"))
        events = self.events(as_of)
        end, as_of_hash = self.blocks.block(as_of)
        previous = self._block_at(end - days * DAY, as_of, events)
        lookup = _kept(self.records)
        return _TreeRead(
            spec=spec,
            days=days,
            as_of=as_of,
            as_of_hash=as_of_hash,
            end=end,
            events=events,
            at=self._moment(events, as_of, lookup),
            previous=self._moment(
                [e for e in events if e.block_number <= previous], previous, lookup
            ),
        )

    def _moment(self, events: Sequence[EventRecord], block: int, lookup: RecordLookup) -> _Moment:
        view = self.effects(block, events)
        if view is not None and view.counts is not None:
            granted = {
                str(e.args["agreementId"]): int(e.args["permission"])
                for e in events
                if e.event == "AgreementCommitted"
            }
            view = replace(view, counts=_SharedCounts(view.counts, granted))
        return _Moment(block, events, view, {}, lookup, JurisdictionHistory.from_events(events))

    def _score_node(
        self, moment: _Moment, node: str, spec: Spec, days: int
    ) -> tuple[dict[str, Any], dict[str, IndicatorInput]]:
        """``node``'s result at the moment, its membership as the moment's events tell it
        (as a single score at that block reads it)."""
        scope = JurisdictionScope(moment.history, node)
        evidence, at, at_hash = self._evidence_at(
            spec, scope, days, moment.as_of, moment.events, moment.view, moment.memo, moment.lookup
        )
        inputs = measure_all(evidence)
        return self._result_of(spec, evidence, inputs, at, at_hash), inputs

    def _progress_node(
        self, tree: _TreeRead, node: str, depth: int
    ) -> tuple[dict[str, Any], dict[str, Any], dict[str, IndicatorInput]]:
        history, spec = tree.history, tree.spec
        result, inputs = self._score_node(tree.at, node, spec, tree.days)
        before, _ = self._score_node(tree.previous, node, spec, tree.days)
        baseline, baseline_score = self._baseline(tree, node)
        milestones = history.milestones(node, block=tree.as_of)
        m = result["M"]
        level = int(str(result["level"]).removeprefix("L"))
        place = standing(spec, milestones, tree.end, m, level, baseline)
        row = node_row(
            spec,
            jurisdiction_id=node,
            name=history.name(node, block=tree.as_of),
            tier=history.tier(node),
            parent=history.parent(node, block=tree.as_of),
            depth=depth,
            departments=sorted(history.departments(node, block=tree.as_of)),
            milestones=milestones,
            result=result,
            previous=before
            if tree.previous.as_of < tree.as_of
            and tree.previous.history.exists(node, block=tree.previous.as_of)
            else None,
            baseline=baseline,
            baseline_score=baseline_score,
            standing=place,
        )
        return row, result, inputs

    def _baseline(self, tree: _TreeRead, node: str) -> tuple[Baseline | None, int | None]:
        """The jurisdiction's first published score (its ``as_of`` time and ``M``),
        recomputed from the chain at its ``as_of`` block and under its spec."""
        if tree.first_published is None:
            tree.first_published = {}
            for e in tree.events:
                if e.event == "ScorePublished":
                    tree.first_published.setdefault(str(e.args["scope"]), e)
        first = tree.first_published.get(jurisdiction_label(node))
        if first is None:
            return None, None
        block = int(first.args["asOfBlock"])
        spec = spec_for_hash(str(first.args["specHash"]))
        days = (int(first.args["windowEnd"]) - int(first.args["windowStart"])) // DAY
        moment = tree.moments.get(block)
        if moment is None:
            moment = tree.moments[block] = self._moment(
                [e for e in tree.events if e.block_number <= block], block, tree.at.lookup
            )
        result, _inputs = self._score_node(moment, node, spec, days)
        m = result["M"]
        return Baseline(int(first.args["windowEnd"]), None if m is None else float(m)), int(
            first.args["scoreId"]
        )

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


class _SharedCounts:
    """The effect log's counts, each query answered once for every node of a tree.

    Every node asks the same questions of the log (the same window, the same covered
    entries); only the agreements whose calls it counts differ. Calls are counted once
    against every agreement's granted level (``granted``, from the chain), and each
    node's answer is cut from that: exactly what the log would answer it.
    """

    def __init__(self, counts: EffectCounts, granted: Mapping[str, int]) -> None:
        self._counts = counts
        self._granted = dict(granted)
        self._cache: dict[Any, Any] = {}

    def _once(self, key: Any, compute: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    def calls_within_permission(
        self,
        granted: Mapping[str, int],
        first_seq: int = 0,
        last_seq: int | None = None,
        *,
        since: int | None = None,
        until: int | None = None,
    ) -> Mapping[str, Any]:
        if any(self._granted.get(a) != level for a, level in granted.items()):
            return self._counts.calls_within_permission(
                granted, first_seq, last_seq, since=since, until=until
            )
        every = self._once(
            ("calls", first_seq, last_seq, since, until),
            lambda: self._counts.calls_within_permission(
                self._granted, first_seq, last_seq, since=since, until=until
            ),
        )
        return {a: c if a in granted else c._replace(within=0) for a, c in every.items()}

    def heartbeats_per_system(
        self,
        first_seq: int = 0,
        last_seq: int | None = None,
        *,
        since: int | None = None,
        until: int | None = None,
    ) -> Mapping[str, int]:
        return cast(
            Mapping[str, int],
            self._once(
                ("heartbeats", first_seq, last_seq, since, until),
                lambda: self._counts.heartbeats_per_system(
                    first_seq, last_seq, since=since, until=until
                ),
            ),
        )

    def first_call_per_agreement(self, last_seq: int) -> Mapping[str, int]:
        return cast(
            Mapping[str, int],
            self._once(
                ("first call", last_seq),
                lambda: self._counts.first_call_per_agreement(last_seq),
            ),
        )

    def first_heartbeat(self, system: str, last_seq: int, *, since: int, until: int) -> int | None:
        return cast(
            int | None,
            self._once(
                ("first heartbeat", system, last_seq, since, until),
                lambda: self._counts.first_heartbeat(system, last_seq, since=since, until=until),
            ),
        )


@dataclass(frozen=True)
class _Moment:
    """The events and effect log at one block, with the memo every node scored from
    them shares."""

    as_of: int
    events: Sequence[EventRecord]
    view: EffectView | None
    memo: dict[Any, Any]
    lookup: RecordLookup
    #: The jurisdiction tree as these events tell it.
    history: JurisdictionHistory


@dataclass
class _TreeRead:
    """One read of the events for a whole jurisdiction tree."""

    @property
    def history(self) -> JurisdictionHistory:
        """The tree at ``as_of``."""
        return self.at.history

    spec: Spec
    days: int
    as_of: int
    as_of_hash: str
    end: int
    events: Sequence[EventRecord]
    at: _Moment
    previous: _Moment
    moments: dict[int, _Moment] = field(default_factory=dict)
    #: The first ``ScorePublished`` of each scope (filled when first asked).
    first_published: dict[str, EventRecord] | None = None


def _scope_in(scope: str | None, events: Sequence[EventRecord]) -> str | JurisdictionScope | None:
    """The scope over ``events``: a jurisdiction with the membership they tell (it counts
    nothing in a window before it was created)."""
    jurisdiction = jurisdiction_of_label(scope)
    if jurisdiction is None:
        return scope
    return JurisdictionScope(JurisdictionHistory.from_events(events), jurisdiction)


def _kept(lookup: RecordLookup) -> RecordLookup:
    """``lookup``, each record read once (a tree asks for the same records at every node)."""
    kept: dict[tuple[str, int, str], PolicyRecord | None] = {}

    def read(policy_id: str, version: int, digest: str) -> PolicyRecord | None:
        key = (policy_id, version, digest)
        if key not in kept:
            kept[key] = lookup(policy_id, version, digest)
        return kept[key]

    return read


def _depth_first(
    history: JurisdictionHistory, roots: Sequence[str], block: int
) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        node, depth = stack.pop()
        out.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(history.children(node, block=block)))
    return out


def _as_of_view(block: int, block_hash: str, time: int) -> dict[str, Any]:
    return {"block": block, "hash": block_hash, "time": time, "time_utc": format_timestamp(time)}


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

"""Indicator measurements from indexed events (MATURITY.md, "Indicators").

Each function here turns the events of one scope, up to the ``as_of`` block, into
an :class:`~ledger.maturity.engine.IndicatorInput`: the raw value, its numerator and
denominator, the number of observations and the evidence keys
``(block number, tx hash, log index)`` of every event that entered them. Scoring
(normalisation, n_min, aggregation) is the engine's job, not theirs.

Scope. The city counts every event. A department counts the events for which it is
responsible: for the policy indicators (I*), the clauses of the policies it issued;
for data sharing (M3, D1), the agreements and items it provides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ledger.knowledge.models import PolicyRecord
from ledger.maturity.engine import IndicatorInput
from ledger.store.records import EventRecord

Key = tuple[int, str, int]
RecordLookup = Callable[[str, int, str], PolicyRecord | None]


@dataclass
class Evidence:
    """Events up to ``as_of`` and the window they are judged in."""

    events: Sequence[EventRecord]
    window_start: int
    window_end: int
    scope: str | None = None
    #: ``lookup(policy_id, version, anchored_digest)``: the stored record whose digest
    #: matches the anchored one, or None (missing or tampered records do not count).
    lookup: RecordLookup = field(default=lambda _p, _v, _d: None)

    def of(self, *names: str) -> list[EventRecord]:
        return [e for e in self.events if e.event in names]


@dataclass(frozen=True)
class InForceClause:
    policy_id: str
    clause_id: str
    version: int
    anchor: EventRecord
    record: PolicyRecord | None

    @property
    def obligation(self) -> Any:
        if self.record is None:
            return None
        for clause in self.record.clauses:
            if clause.id == self.clause_id:
                return clause.obligation
        return None


def in_force_clauses(ev: Evidence) -> list[InForceClause]:
    """Clauses of the latest version of each live policy effective by the window's end."""
    latest: dict[str, EventRecord] = {}
    revoked: set[str] = set()
    for e in ev.of("PolicyAnchored", "PolicyRevoked"):
        if e.event == "PolicyAnchored":
            latest[e.args["policyId"]] = e
        else:
            revoked.add(e.args["policyId"])
    out = []
    for policy_id, anchor in sorted(latest.items()):
        if policy_id in revoked or anchor.args["effectiveAt"] > ev.window_end:
            continue
        version = int(anchor.args["version"])
        record = ev.lookup(policy_id, version, anchor.args["digest"])
        if ev.scope is not None and (record is None or record.issuer != ev.scope):
            continue
        for clause_id in anchor.args["clauseIds"]:
            out.append(InForceClause(policy_id, clause_id, version, anchor, record))
    return out


def _ratio(indicator: str, num: int, den: int, keys: set[Key], empty_reason: str) -> IndicatorInput:
    return IndicatorInput(
        id=indicator,
        raw=(num / den) if den else None,
        numerator=num,
        denominator=den,
        sample=None,
        n=den,
        evidence=sorted(keys),
        not_rated_reason=None if den else empty_reason,
    )


def _active_agreements(ev: Evidence) -> dict[str, EventRecord]:
    revoked = {e.args["agreementId"] for e in ev.of("AgreementRevoked")}
    return {
        e.args["agreementId"]: e
        for e in ev.of("AgreementCommitted")
        if e.args["agreementId"] not in revoked
    }


def linkage_i2(ev: Evidence) -> IndicatorInput:
    """I2: share of in-force clauses with an obligation that an active mechanism cites."""
    citing: dict[tuple[str, str], list[EventRecord]] = {}
    for e in _active_agreements(ev).values():
        citing.setdefault((e.args["policyId"], e.args["clauseId"]), []).append(e)
    keys: set[Key] = set()
    num = den = 0
    for clause in in_force_clauses(ev):
        if clause.obligation is None:
            continue
        den += 1
        keys.add(clause.anchor.key)
        cites = citing.get((clause.policy_id, clause.clause_id), [])
        if cites:
            num += 1
            keys.update(c.key for c in cites)
    return _ratio("I2", num, den, keys, "no in-force clause with an obligation")


def _agreement_terms(e: EventRecord) -> tuple[int, int, int]:
    return int(e.args["firstDueAt"]), int(e.args["period"]), int(e.args["periods"])


def sharing_fulfilment_m3(ev: Evidence) -> IndicatorInput:
    """M3: deliveries made by their due time over the deliveries due in the window."""
    revoked_at = {
        e.args["agreementId"]: int(e.args["revokedAt"]) for e in ev.of("AgreementRevoked")
    }
    outcome: dict[tuple[str, int], EventRecord] = {}
    for e in ev.of("DeliveryRecorded", "DeliveryMissed"):
        outcome[(e.args["agreementId"], int(e.args["period"]))] = e
    keys: set[Key] = set()
    num = den = 0
    for commit in ev.of("AgreementCommitted"):
        if ev.scope is not None and commit.args["providerId"] != ev.scope:
            continue
        aid = commit.args["agreementId"]
        first, period, periods = _agreement_terms(commit)
        for k in range(periods):
            due = first + k * period
            if due < ev.window_start or due > ev.window_end:
                continue
            if aid in revoked_at and due > revoked_at[aid]:
                continue
            den += 1
            keys.add(commit.key)
            result = outcome.get((aid, k))
            if result is not None:
                keys.add(result.key)
                if result.event == "DeliveryRecorded" and result.args["onTime"]:
                    num += 1
    return _ratio("M3", num, den, keys, "no delivery due in the window")


def hookup_rate_d1(ev: Evidence) -> IndicatorInput:
    """D1: share of catalog items with an agreement in force that delivered in the window."""
    revoked_at = {
        e.args["agreementId"]: int(e.args["revokedAt"]) for e in ev.of("AgreementRevoked")
    }
    items = {e.args["itemId"]: e for e in ev.of("CatalogItemRegistered")}
    in_force: dict[str, list[EventRecord]] = {}
    for commit in ev.of("AgreementCommitted"):
        first, period, periods = _agreement_terms(commit)
        last_due = first + (periods - 1) * period
        aid = commit.args["agreementId"]
        if aid in revoked_at and revoked_at[aid] <= ev.window_start:
            continue
        if last_due < ev.window_start or commit.block_time > ev.window_end:
            continue
        in_force.setdefault(commit.args["itemId"], []).append(commit)
    delivered: dict[str, list[EventRecord]] = {}
    item_of = {c.args["agreementId"]: c.args["itemId"] for c in ev.of("AgreementCommitted")}
    for e in ev.of("DeliveryRecorded"):
        if ev.window_start <= e.block_time <= ev.window_end:
            delivered.setdefault(item_of.get(e.args["agreementId"], ""), []).append(e)
    keys: set[Key] = set()
    num = den = 0
    for item_id, commits in sorted(in_force.items()):
        item = items.get(item_id)
        if item is None or (ev.scope is not None and item.args["providerId"] != ev.scope):
            continue
        den += 1
        keys.add(item.key)
        keys.update(c.key for c in commits)
        if delivered.get(item_id):
            num += 1
            keys.update(d.key for d in delivered[item_id])
    return _ratio("D1", num, den, keys, "no catalog item with an agreement in force")


#: The indicators measured from chain events so far, in spec order.
MEASURES: dict[str, Callable[[Evidence], IndicatorInput]] = {
    "I2": linkage_i2,
    "M3": sharing_fulfilment_m3,
    "D1": hookup_rate_d1,
}


def measure_all(ev: Evidence) -> dict[str, IndicatorInput]:
    return {ind: fn(ev) for ind, fn in MEASURES.items()}

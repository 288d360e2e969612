"""I2, M3 and D1 measured from events, against values worked out by hand from MATURITY.md."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from ledger.knowledge.models import PolicyRecord
from ledger.maturity.indicators import Evidence, hookup_rate_d1, linkage_i2, sharing_fulfilment_m3
from ledger.store.records import EventRecord
from tests.conftest import sample_policy

DAY = 86_400
T0 = 1_700_000_000
_log = itertools.count()


def ev(event: str, block: int, time: int, **args: Any) -> EventRecord:
    n = next(_log)
    return EventRecord(block, f"0x{block:064x}", time, f"0x{n:064x}", n % 7, "X", event, args)


def anchored(
    policy: str = "test.sharing", version: int = 1, block: int = 1, **extra: Any
) -> EventRecord:
    args = {
        "policyId": policy,
        "version": version,
        "digest": "0xd",
        "effectiveAt": T0 - 100 * DAY,
        "clauseIds": ["c1", "c2", "c3", "c4"],
        "kind": "policy",
        "element": "data_governance",
    }
    return ev("PolicyAnchored", block, T0, **(args | extra))


def committed(
    aid: str,
    item: str = "item.a",
    clause: str = "c1",
    provider: str = "dept.p",
    first: int = T0 + DAY,
    period: int = 7 * DAY,
    periods: int = 4,
    block: int = 2,
    time: int = T0,
) -> EventRecord:
    return ev(
        "AgreementCommitted",
        block,
        time,
        agreementId=aid,
        itemId=item,
        policyId="test.sharing",
        clauseId=clause,
        providerId=provider,
        consumerId="dept.c",
        permission=2,
        firstDueAt=first,
        period=period,
        periods=periods,
        callsPerPeriod=10,
    )


def delivered(aid: str, k: int, on_time: bool, time: int, block: int = 10) -> EventRecord:
    return ev(
        "DeliveryRecorded",
        block,
        time,
        agreementId=aid,
        policyId="test.sharing",
        providerId="dept.p",
        clauseId="c1",
        period=k,
        dueAt=0,
        recordCount=1,
        payloadDigest="0x00",
        onTime=on_time,
    )


def lookup_with(record: PolicyRecord | None):  # type: ignore[no-untyped-def]
    return lambda policy_id, version, digest: record


def evidence(
    events: list[EventRecord],
    start: int = T0,
    end: int = T0 + 60 * DAY,
    scope: str | None = None,
    record: PolicyRecord | None = None,
) -> Evidence:
    return Evidence(events, start, end, scope, lookup_with(record or sample_policy()))


class TestLinkageI2:
    def test_share_of_obligation_clauses_cited_by_an_active_mechanism(self) -> None:
        a = anchored()
        c1 = committed("agr.1", clause="c1")
        c4 = committed("agr.2", clause="c4")  # c4 has no obligation: cited but not counted
        got = linkage_i2(evidence([a, c1, c4]))
        assert (got.numerator, got.denominator, got.n) == (1, 3, 3)
        assert got.raw == pytest.approx(1 / 3)
        assert got.evidence == sorted({a.key, c1.key})

    def test_revoked_agreements_do_not_count(self) -> None:
        a = anchored()
        c1 = committed("agr.1", clause="c1")
        revoked = ev("AgreementRevoked", 5, T0, agreementId="agr.1", revokedAt=T0)
        got = linkage_i2(evidence([a, c1, revoked]))
        assert (got.numerator, got.denominator) == (0, 3)

    def test_revoked_or_future_policies_have_no_clause_in_force(self) -> None:
        got = linkage_i2(evidence([anchored(effectiveAt=T0 + 100 * DAY)]))
        assert (got.denominator, got.raw) == (0, None)
        assert got.not_rated_reason == "no in-force clause with an obligation"
        revoked = ev("PolicyRevoked", 3, T0, policyId="test.sharing", version=1, revokedAt=T0)
        assert linkage_i2(evidence([anchored(), revoked])).denominator == 0

    def test_a_record_that_does_not_match_its_digest_gives_no_obligations(self) -> None:
        got = Evidence([anchored(), committed("agr.1")], T0, T0 + DAY, None, lookup_with(None))
        assert linkage_i2(got).denominator == 0

    def test_department_scope_counts_the_policies_it_issued(self) -> None:
        events = [anchored(), committed("agr.1")]
        assert linkage_i2(evidence(events, scope="dcity.govoffice")).denominator == 3
        assert linkage_i2(evidence(events, scope="dcity.civil")).denominator == 0


class TestSharingFulfilmentM3:
    def test_on_time_deliveries_over_deliveries_due_in_the_window(self) -> None:
        # due at T0+1d, +8d, +15d, +22d; window [T0, T0+16d] holds the first three.
        c = committed("agr.1")
        d0 = delivered("agr.1", 0, True, T0 + DAY - 1)
        d1 = delivered("agr.1", 1, False, T0 + 9 * DAY)
        d3 = delivered("agr.1", 3, True, T0 + 22 * DAY)  # due after the window: not counted
        got = sharing_fulfilment_m3(evidence([c, d0, d1, d3], end=T0 + 16 * DAY))
        assert (got.numerator, got.denominator) == (1, 3)
        assert got.evidence == sorted({c.key, d0.key, d1.key})

    def test_missed_and_undelivered_periods_count_against(self) -> None:
        c = committed("agr.1", periods=2)
        missed = ev("DeliveryMissed", 9, T0 + 3 * DAY, agreementId="agr.1", period=0)
        got = sharing_fulfilment_m3(evidence([c, missed]))
        assert (got.numerator, got.denominator) == (0, 2)
        assert missed.key in got.evidence

    def test_periods_due_after_revocation_are_not_due(self) -> None:
        c = committed("agr.1")
        revoked = ev(
            "AgreementRevoked", 5, T0 + 10 * DAY, agreementId="agr.1", revokedAt=T0 + 10 * DAY
        )
        got = sharing_fulfilment_m3(evidence([c, revoked]))
        assert got.denominator == 2  # due at +1d and +8d only

    def test_window_bounds_are_inclusive(self) -> None:
        c = committed("agr.1", periods=1)
        assert sharing_fulfilment_m3(evidence([c], start=T0 + DAY, end=T0 + DAY)).denominator == 1
        assert sharing_fulfilment_m3(evidence([c], start=T0 + DAY + 1)).denominator == 0

    def test_department_scope_is_the_provider(self) -> None:
        events = [committed("agr.1", provider="dept.p"), committed("agr.2", provider="dept.q")]
        assert sharing_fulfilment_m3(evidence(events, scope="dept.q")).denominator == 4
        assert sharing_fulfilment_m3(evidence(events)).denominator == 8


class TestHookupRateD1:
    def item(self, item_id: str, provider: str = "dept.p") -> EventRecord:
        return ev(
            "CatalogItemRegistered",
            1,
            T0,
            itemId=item_id,
            providerId=provider,
            dataType="t",
            permission=2,
            disclosure="open",
        )

    def test_items_with_an_agreement_in_force_that_delivered(self) -> None:
        a, b, c = self.item("item.a"), self.item("item.b"), self.item("item.c")  # c: no agreement
        ca, cb = committed("agr.a", item="item.a"), committed("agr.b", item="item.b")
        d = delivered("agr.a", 0, False, T0 + 2 * DAY)
        got = hookup_rate_d1(evidence([a, b, c, ca, cb, d]))
        assert (got.numerator, got.denominator) == (1, 2)
        assert got.evidence == sorted({a.key, b.key, ca.key, cb.key, d.key})

    def test_deliveries_outside_the_window_do_not_count(self) -> None:
        a, ca = self.item("item.a"), committed("agr.a", item="item.a")
        d = delivered("agr.a", 0, True, T0 - 1)
        assert hookup_rate_d1(evidence([a, ca, d])).numerator == 0

    def test_agreements_ended_or_revoked_before_the_window_are_not_in_force(self) -> None:
        a = self.item("item.a")
        ended = committed("agr.a", item="item.a", first=T0 - 30 * DAY, periods=1)
        assert hookup_rate_d1(evidence([a, ended])).denominator == 0
        b = self.item("item.b")
        cb = committed("agr.b", item="item.b")
        revoked = ev("AgreementRevoked", 3, T0 - DAY, agreementId="agr.b", revokedAt=T0 - DAY)
        assert hookup_rate_d1(evidence([b, cb, revoked])).denominator == 0

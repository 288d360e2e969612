"""DataSharing: catalog items, agreements under clauses in force, and each period's delivery."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass

import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.core import Ledger
from ledger.mechanisms.base import role_id
from ledger.mechanisms.sharing import PeriodStatus, Permission
from tests.contracts.conftest import (
    CIVIL,
    HEALTH,
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    call,
    event_names,
    events,
    reverts,
    send,
)

POLICY = "test.sharing"
ITEM = "item.population"
HOUR = 3_600
#: uint32 max: the largest period index a caller can name.
MAX_PERIOD = 2**32 - 1


@dataclass(frozen=True)
class Terms:
    """The arguments of ``commitAgreement``, as text ids and ints."""

    agreement_id: str | bytes = "ag.population"
    item_id: str = ITEM
    consumer_id: str = CIVIL
    policy_id: str = POLICY
    clause_id: str = "c2"
    permission: int = Permission.CONDITIONAL
    first_due_at: int = 0
    period: int = HOUR
    periods: int = 3
    calls_per_period: int = 50

    def due(self, k: int) -> int:
        return self.first_due_at + k * self.period

    def committed_event(self) -> dict[str, object]:
        return {
            "agreementId": self.agreement_id,
            "policyId": self.policy_id,
            "providerId": SECURITY,
            "clauseId": self.clause_id,
            "itemId": self.item_id,
            "consumerId": self.consumer_id,
            "permission": self.permission,
            "firstDueAt": self.first_due_at,
            "period": self.period,
            "periods": self.periods,
            "callsPerPeriod": self.calls_per_period,
        }


def register_item(
    ledger: Ledger,
    signer: Signer,
    item_id: str | bytes = ITEM,
    data_type: str | bytes = "population",
    permission: int = Permission.CONDITIONAL,
    disclosure: str | bytes = "api",
) -> TxReceipt:
    return send(
        ledger,
        signer,
        "DataSharing",
        "registerItem",
        b32(item_id),
        b32(data_type),
        permission,
        b32(disclosure),
    )


def commit(ledger: Ledger, signer: Signer, terms: Terms) -> TxReceipt:
    return send(
        ledger,
        signer,
        "DataSharing",
        "commitAgreement",
        b32(terms.agreement_id),
        b32(terms.item_id),
        b32(terms.consumer_id),
        b32(terms.policy_id),
        b32(terms.clause_id),
        terms.permission,
        terms.first_due_at,
        terms.period,
        terms.periods,
        terms.calls_per_period,
    )


def deliver(
    ledger: Ledger, signer: Signer, agreement_id: str, period: int, count: int = 120
) -> TxReceipt:
    return ledger.sharing.record_delivery(
        signer, agreement_id, period, count, keccak(text=f"{agreement_id}/{period}")
    )


def status(ledger: Ledger, agreement_id: str, period: int) -> PeriodStatus:
    return ledger.sharing.period_status(agreement_id, period)


def advance_to(ledger: Ledger, timestamp: int) -> None:
    """Move the chain's clock past ``timestamp``.

    On the embedded chain ``advance_time(s)`` moves the clock by ``s - 1`` seconds,
    so ask for two more than needed.
    """
    ledger.clock.advance_time(max(0, timestamp - ledger.clock.now()) + 2)
    assert ledger.clock.now() > timestamp


@pytest.fixture
def item(ledger: Ledger, security: Signer) -> str:
    """An item provided by the security bureau, up to the CONDITIONAL permission."""
    register_item(ledger, security)
    return ITEM


@pytest.fixture
def terms(ledger: Ledger, item: str) -> Terms:
    """Terms of an agreement (not yet committed) whose first delivery is due in an hour."""
    return Terms(item_id=item, first_due_at=ledger.clock.now() + HOUR)


@pytest.fixture
def agreement(ledger: Ledger, security: Signer, terms: Terms) -> Terms:
    """The committed agreement: security -> civil, three hourly deliveries under c2."""
    commit(ledger, security, terms)
    return terms


# -- catalog -------------------------------------------------------------------


def test_register_item_emits_catalog_item_registered(ledger: Ledger, security: Signer) -> None:
    receipt = register_item(
        ledger, security, "item.births", "births", Permission.RESTRICTED, "file"
    )

    assert events(ledger, "DataSharing", "CatalogItemRegistered", receipt) == [
        {
            "itemId": "item.births",
            "providerId": SECURITY,
            "dataType": "births",
            "permission": Permission.RESTRICTED,
            "disclosure": "file",
        }
    ]
    assert event_names(ledger, receipt) == ["CatalogItemRegistered"]


def test_only_a_department_registers_items(ledger: Ledger, stranger: Signer) -> None:
    for signer in (stranger, ledger.admin):
        with reverts(ledger, "NotADepartment", account=signer.address):
            register_item(ledger, signer)


def test_invalid_items(ledger: Ledger, security: Signer) -> None:
    with reverts(ledger, "InvalidItem", itemId=ZERO_ID):
        register_item(ledger, security, item_id=ZERO)
    with reverts(ledger, "InvalidItem", itemId="item.x"):
        register_item(ledger, security, item_id="item.x", data_type=ZERO)
    with reverts(ledger, "InvalidItem", itemId="item.x"):
        register_item(ledger, security, item_id="item.x", permission=0)


def test_item_id_taken(ledger: Ledger, security: Signer, civil: Signer, item: str) -> None:
    for signer in (security, civil):
        with reverts(ledger, "ItemExists", itemId=item):
            register_item(ledger, signer, item_id=item, data_type="other")


# -- commitAgreement -----------------------------------------------------------


def test_commit_emits_agreement_committed(ledger: Ledger, security: Signer, terms: Terms) -> None:
    receipt = commit(ledger, security, terms)

    assert events(ledger, "DataSharing", "AgreementCommitted", receipt) == [terms.committed_event()]
    assert event_names(ledger, receipt) == ["AgreementCommitted"]
    assert [status(ledger, "ag.population", k) for k in range(3)] == [PeriodStatus.OPEN] * 3
    assert [ledger.sharing.due_at("ag.population", k) for k in range(3)] == [
        terms.due(k) for k in range(3)
    ]


def test_permission_below_the_item_is_allowed(
    ledger: Ledger, security: Signer, terms: Terms
) -> None:
    lower = dataclasses.replace(terms, permission=Permission.OPEN, consumer_id=HEALTH)
    receipt = commit(ledger, security, lower)
    assert events(ledger, "DataSharing", "AgreementCommitted", receipt) == [lower.committed_event()]


def test_commit_unknown_item(ledger: Ledger, security: Signer, terms: Terms) -> None:
    with reverts(ledger, "ItemUnknown", itemId="item.none"):
        commit(ledger, security, dataclasses.replace(terms, item_id="item.none"))


def test_only_the_provider_commits(
    ledger: Ledger, civil: Signer, stranger: Signer, terms: Terms
) -> None:
    with reverts(ledger, "NotProvider", itemId=ITEM, callerId=CIVIL):
        commit(ledger, civil, dataclasses.replace(terms, consumer_id=HEALTH))
    with reverts(ledger, "NotADepartment", account=stranger.address):
        commit(ledger, stranger, terms)


def test_agreement_id_taken_or_zero(ledger: Ledger, security: Signer, agreement: Terms) -> None:
    with reverts(ledger, "AgreementExists", agreementId="ag.population"):
        commit(ledger, security, dataclasses.replace(agreement, consumer_id=HEALTH))
    with reverts(ledger, "AgreementExists", agreementId=ZERO_ID):
        commit(ledger, security, dataclasses.replace(agreement, agreement_id=ZERO))


def test_consumer_must_be_another_department(
    ledger: Ledger, security: Signer, terms: Terms
) -> None:
    with reverts(ledger, "InvalidConsumer", consumerId=SECURITY):
        commit(ledger, security, dataclasses.replace(terms, consumer_id=SECURITY))
    with reverts(ledger, "InvalidConsumer", consumerId="dcity.nowhere"):
        commit(ledger, security, dataclasses.replace(terms, consumer_id="dcity.nowhere"))


def test_permission_within_the_item(ledger: Ledger, security: Signer, terms: Terms) -> None:
    allowed = int(Permission.CONDITIONAL)
    for granted in (Permission.RESTRICTED, 0):
        with reverts(
            ledger, "PermissionExceedsItem", itemId=ITEM, granted=granted, allowed=allowed
        ):
            commit(ledger, security, dataclasses.replace(terms, permission=granted))


def test_invalid_schedules(ledger: Ledger, security: Signer, terms: Terms) -> None:
    now = ledger.clock.now()
    bad = [
        dataclasses.replace(terms, period=0),
        dataclasses.replace(terms, periods=0),
        dataclasses.replace(terms, first_due_at=now),
        dataclasses.replace(terms, first_due_at=now - HOUR),
        dataclasses.replace(terms, first_due_at=0, period=0, periods=0),
    ]
    for t in bad:
        with reverts(
            ledger, "InvalidSchedule", firstDueAt=t.first_due_at, period=t.period, periods=t.periods
        ):
            commit(ledger, security, t)


def test_clause_must_be_in_force(
    ledger: Ledger, security: Signer, issuer: Signer, terms: Terms
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        commit(ledger, security, dataclasses.replace(terms, clause_id="c9"))
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId="c2"):
        commit(ledger, security, dataclasses.replace(terms, policy_id="p.none"))

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c2"):
        commit(ledger, security, terms)


# -- recordDelivery --------------------------------------------------------------


def test_delivery_on_time_and_late(ledger: Ledger, security: Signer, agreement: Terms) -> None:
    aid = "ag.population"
    on_time = deliver(ledger, security, aid, 0, count=120)

    assert events(ledger, "DataSharing", "DeliveryRecorded", on_time) == [
        {
            "agreementId": aid,
            "policyId": POLICY,
            "providerId": SECURITY,
            "clauseId": "c2",
            "period": 0,
            "dueAt": agreement.first_due_at,
            "recordCount": 120,
            "payloadDigest": "0x" + keccak(text=f"{aid}/0").hex(),
            "onTime": True,
        }
    ]
    assert event_names(ledger, on_time) == ["DeliveryRecorded"]

    advance_to(ledger, agreement.due(2))
    late = deliver(ledger, security, aid, 2, count=7)

    assert events(ledger, "DataSharing", "DeliveryRecorded", late) == [
        {
            "agreementId": aid,
            "policyId": POLICY,
            "providerId": SECURITY,
            "clauseId": "c2",
            "period": 2,
            "dueAt": agreement.first_due_at + 2 * agreement.period,
            "recordCount": 7,
            "payloadDigest": "0x" + keccak(text=f"{aid}/2").hex(),
            "onTime": False,
        }
    ]
    assert [status(ledger, aid, k) for k in range(3)] == [
        PeriodStatus.DELIVERED,
        PeriodStatus.OPEN,
        PeriodStatus.DELIVERED,
    ]


def test_delivery_to_unknown_agreement(ledger: Ledger, security: Signer) -> None:
    with reverts(ledger, "AgreementUnknown", agreementId="ag.none"):
        deliver(ledger, security, "ag.none", 0)


def test_only_the_provider_delivers(
    ledger: Ledger, civil: Signer, stranger: Signer, agreement: Terms
) -> None:
    with reverts(ledger, "NotProvider", itemId=ITEM, callerId=CIVIL):
        deliver(ledger, civil, "ag.population", 0)
    with reverts(ledger, "NotADepartment", account=stranger.address):
        deliver(ledger, stranger, "ag.population", 0)
    assert status(ledger, "ag.population", 0) == PeriodStatus.OPEN


def test_no_delivery_after_revocation(ledger: Ledger, security: Signer, agreement: Terms) -> None:
    ledger.sharing.revoke_agreement(security, "ag.population")
    with reverts(ledger, "AgreementIsRevoked", agreementId="ag.population"):
        deliver(ledger, security, "ag.population", 0)


def test_delivery_period_out_of_range(ledger: Ledger, security: Signer, agreement: Terms) -> None:
    for period in (3, MAX_PERIOD):
        with reverts(
            ledger, "PeriodOutOfRange", agreementId="ag.population", period=period, periods=3
        ):
            deliver(ledger, security, "ag.population", period)


def test_a_closed_period_takes_no_delivery(
    ledger: Ledger, security: Signer, agreement: Terms
) -> None:
    aid = "ag.population"
    deliver(ledger, security, aid, 0)
    with reverts(ledger, "PeriodClosed", agreementId=aid, period=0, status=PeriodStatus.DELIVERED):
        deliver(ledger, security, aid, 0)

    advance_to(ledger, agreement.due(1))
    ledger.sharing.mark_missed(ledger.admin, aid, 1)
    with reverts(ledger, "PeriodClosed", agreementId=aid, period=1, status=PeriodStatus.MISSED):
        deliver(ledger, security, aid, 1)


# -- markMissed --------------------------------------------------------------------


def test_anyone_marks_a_missed_delivery(ledger: Ledger, stranger: Signer, agreement: Terms) -> None:
    aid = "ag.population"
    with reverts(ledger, "NotYetDue", agreementId=aid, period=0, dueAt=agreement.first_due_at):
        ledger.sharing.mark_missed(stranger, aid, 0)

    advance_to(ledger, agreement.due(0))
    receipt = ledger.sharing.mark_missed(stranger, aid, 0)

    assert events(ledger, "DataSharing", "DeliveryMissed", receipt) == [
        {
            "agreementId": aid,
            "policyId": POLICY,
            "providerId": SECURITY,
            "clauseId": "c2",
            "period": 0,
            "dueAt": agreement.first_due_at,
            "markedBy": stranger.address,
        }
    ]
    assert event_names(ledger, receipt) == ["DeliveryMissed"]  # no DeliveryRecorded
    assert status(ledger, aid, 0) == PeriodStatus.MISSED
    # Later periods are not yet due.
    with reverts(ledger, "NotYetDue", agreementId=aid, period=1, dueAt=agreement.due(1)):
        ledger.sharing.mark_missed(stranger, aid, 1)


def test_a_closed_period_cannot_be_marked_missed(
    ledger: Ledger, security: Signer, agreement: Terms
) -> None:
    aid = "ag.population"
    deliver(ledger, security, aid, 0)
    advance_to(ledger, agreement.due(1))
    ledger.sharing.mark_missed(ledger.admin, aid, 1)

    with reverts(ledger, "PeriodClosed", agreementId=aid, period=0, status=PeriodStatus.DELIVERED):
        ledger.sharing.mark_missed(ledger.admin, aid, 0)
    with reverts(ledger, "PeriodClosed", agreementId=aid, period=1, status=PeriodStatus.MISSED):
        ledger.sharing.mark_missed(ledger.admin, aid, 1)


def test_mark_missed_unknown_agreement_or_period(ledger: Ledger, agreement: Terms) -> None:
    with reverts(ledger, "AgreementUnknown", agreementId="ag.none"):
        ledger.sharing.mark_missed(ledger.admin, "ag.none", 0)
    with reverts(ledger, "PeriodOutOfRange", agreementId="ag.population", period=3, periods=3):
        ledger.sharing.mark_missed(ledger.admin, "ag.population", 3)


def test_periods_due_after_revocation_are_never_missed(
    ledger: Ledger, security: Signer, agreement: Terms
) -> None:
    aid = "ag.population"
    advance_to(ledger, agreement.due(0))
    ledger.sharing.revoke_agreement(security, aid)
    advance_to(ledger, agreement.due(2))

    receipt = ledger.sharing.mark_missed(ledger.admin, aid, 0)  # due before the revocation
    assert [e["period"] for e in events(ledger, "DataSharing", "DeliveryMissed", receipt)] == [0]
    for k in (1, 2):
        with reverts(
            ledger, "PeriodAfterRevocation", agreementId=aid, period=k, dueAt=agreement.due(k)
        ):
            ledger.sharing.mark_missed(ledger.admin, aid, k)
    assert [status(ledger, aid, k) for k in range(3)] == [
        PeriodStatus.MISSED,
        PeriodStatus.OPEN,
        PeriodStatus.OPEN,
    ]


# -- revokeAgreement ---------------------------------------------------------------


def test_revoke_emits_agreement_revoked(ledger: Ledger, security: Signer, agreement: Terms) -> None:
    receipt = ledger.sharing.revoke_agreement(security, "ag.population")

    block = ledger.w3.eth.get_block(receipt["blockNumber"])
    assert events(ledger, "DataSharing", "AgreementRevoked", receipt) == [
        {
            "agreementId": "ag.population",
            "policyId": POLICY,
            "providerId": SECURITY,
            "revokedAt": block["timestamp"],
        }
    ]
    assert event_names(ledger, receipt) == ["AgreementRevoked"]
    with reverts(ledger, "AgreementIsRevoked", agreementId="ag.population"):
        ledger.sharing.revoke_agreement(security, "ag.population")


def test_only_the_provider_revokes(
    ledger: Ledger, civil: Signer, stranger: Signer, agreement: Terms
) -> None:
    with reverts(ledger, "NotProvider", itemId=ITEM, callerId=CIVIL):
        ledger.sharing.revoke_agreement(civil, "ag.population")  # not even the consumer
    with reverts(ledger, "NotADepartment", account=stranger.address):
        ledger.sharing.revoke_agreement(stranger, "ag.population")
    with reverts(ledger, "AgreementUnknown", agreementId="ag.none"):
        ledger.sharing.revoke_agreement(civil, "ag.none")


# -- views -------------------------------------------------------------------------


def test_views_of_unknown_agreements_and_periods(ledger: Ledger, agreement: Terms) -> None:
    with reverts(ledger, "AgreementUnknown", agreementId="ag.none"):
        ledger.sharing.due_at("ag.none", 0)
    with reverts(ledger, "AgreementUnknown", agreementId="ag.none"):
        ledger.sharing.period_status("ag.none", 0)
    with reverts(ledger, "PeriodOutOfRange", agreementId="ag.population", period=3, periods=3):
        ledger.sharing.due_at("ag.population", 3)
    with reverts(ledger, "PeriodOutOfRange", agreementId="ag.population", period=3, periods=3):
        ledger.sharing.period_status("ag.population", 3)
    with reverts(ledger, "AgreementUnknown", agreementId=ZERO_ID):
        call(ledger, "DataSharing", "dueAt", ZERO, 0)


_agreement_ids = (f"ag.prop.{n}" for n in itertools.count())


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    period=st.integers(1, 10**9),
    periods=st.integers(1, 10**6),
    data=st.data(),
)
def test_due_times_follow_the_schedule(
    ledger: Ledger, security: Signer, terms: Terms, period: int, periods: int, data: st.DataObject
) -> None:
    """``dueAt(k) == firstDueAt + k*period`` for every k < periods; any later k is out of range."""
    aid = next(_agreement_ids)
    t = dataclasses.replace(terms, agreement_id=aid, period=period, periods=periods)
    commit(ledger, security, t)

    k = data.draw(st.integers(0, periods - 1), label="k")
    assert ledger.sharing.due_at(aid, k) == t.first_due_at + k * period
    assert ledger.sharing.due_at(aid, periods - 1) == t.first_due_at + (periods - 1) * period

    beyond = data.draw(st.integers(periods, MAX_PERIOD), label="beyond")
    with reverts(ledger, "PeriodOutOfRange", agreementId=aid, period=beyond, periods=periods):
        ledger.sharing.due_at(aid, beyond)


# -- schedules and suspended departments -----------------------------------------


def test_schedule_whose_due_times_overflow_is_invalid(
    ledger: Ledger, security: Signer, terms: Terms
) -> None:
    t = dataclasses.replace(terms, period=2**63, periods=3)
    with reverts(
        ledger, "InvalidSchedule", firstDueAt=t.first_due_at, period=t.period, periods=t.periods
    ):
        commit(ledger, security, t)


def test_an_account_stripped_of_its_department_role_no_longer_acts(
    ledger: Ledger, civil: Signer
) -> None:
    send(
        ledger,
        ledger.admin,
        "Directory",
        "revokeRole",
        role_id("DEPARTMENT"),
        civil.address,
    )
    assert not ledger.directory.has_role("DEPARTMENT", civil.address)

    with reverts(ledger, "NotADepartment", account=civil.address):
        register_item(ledger, civil, item_id="item.civil")

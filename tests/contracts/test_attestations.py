"""Attestations: statistics attested by a STATISTICIAN, each new version superseding the last."""

from __future__ import annotations

import math

import pytest
from eth_utils import keccak
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from web3.types import TxReceipt

from ledger.chain.keystore import Signer
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.mechanisms.attestations import (
    PPM,
    Attestation,
    AttestationsContract,
    StatisticCreate,
    share_to_ppm,
)
from ledger.mechanisms.base import role_id
from tests.contracts.conftest import (
    SECURITY,
    ZERO,
    ZERO_ID,
    b32,
    clause,
    contract_fixture,
    emitted,
    event_names,
    granted,
    policy_fixture,
    receipt_of,
    reverts,
)

POLICY = "test.stats"
CLAUSE = "uptake"
#: D city's attested statistics, each at 90%.
D_CITY = ("fibre-to-home", "5g-key-areas", "bus-prediction", "e-payment")
STATISTICIAN_ROLE = "0x" + role_id("STATISTICIAN").hex()


def source(key: str, period: str) -> bytes:
    return keccak(text=f"survey/{key}/{period}")


def attest_raw(
    ledger: Ledger,
    attestations: AttestationsContract,
    signer: Signer,
    key: str | bytes = "e-payment",
    value_ppm: int = 900_000,
    period: str | bytes = "2024",
    source_digest: bytes | None = None,
    policy_id: str = POLICY,
    clause_id: str = CLAUSE,
) -> TxReceipt:
    """Send ``attest`` as given, with no client-side checks."""
    digest = source("e-payment", "2024") if source_digest is None else source_digest
    fn = attestations.contract.functions.attest(
        {
            "key": b32(key),
            "valuePpm": value_ppm,
            "period": b32(period),
            "sourceDigest": digest,
            "policyId": b32(policy_id),
            "clauseId": b32(clause_id),
        }
    )
    return ledger.tx.send(signer, fn, "Attestations")


def attested_event(
    statistician: Signer, key: str, value_ppm: int, period: str, version: int
) -> dict[str, object]:
    return {
        "key": key,
        "policyId": POLICY,
        "attester": statistician.address,
        "clauseId": CLAUSE,
        "valuePpm": value_ppm,
        "period": period,
        "sourceDigest": "0x" + source(key, period).hex(),
        "version": version,
        "supersedesVersion": version - 1,
    }


attestations = contract_fixture(AttestationsContract, "attestations")

#: A digital-uptake policy in force whose clause ``uptake`` obliges T3 >= 0.9.
UPTAKE = clause(CLAUSE, "Reach 90% fibre, 5G, bus prediction and e-payment.", "T3")
policy = policy_fixture(
    POLICY, "Digital infrastructure and uptake measures", UPTAKE, element="technical_support"
)


@pytest.fixture
def statistician(ledger: Ledger, policy: str) -> Signer:
    """The health commission, granted the STATISTICIAN role."""
    return granted(ledger, "dcity.health", "STATISTICIAN")


def attest(
    attestations: AttestationsContract,
    statistician: Signer,
    key: str,
    value: float,
    period: str = "2024",
) -> TxRef:
    return attestations.attest(statistician, statistic(key, value, period))


def statistic(key: str, value: float, period: str = "2024") -> StatisticCreate:
    return StatisticCreate(
        key=key,
        value=value,
        period=period,
        source_digest="0x" + source(key, period).hex(),
        policy_id=POLICY,
        clause_id=CLAUSE,
    )


# -- attest ------------------------------------------------------------------------


def test_attest_emits_statistic_attested(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    receipt = attest(attestations, statistician, "e-payment", 0.9)

    assert emitted(attestations, "StatisticAttested", receipt) == [
        attested_event(statistician, "e-payment", 900_000, "2024", version=1)
    ]
    assert event_names(ledger, receipt) == ["StatisticAttested"]
    block = ledger.w3.eth.get_block(receipt_of(ledger.w3, receipt)["blockNumber"])
    assert attestations.latest("e-payment") == Attestation(
        key="e-payment",
        version=1,
        value_ppm=900_000,
        period="2024",
        source_digest="0x" + source("e-payment", "2024").hex(),
        policy_id=POLICY,
        clause_id=CLAUSE,
        attester=statistician.address,
        attested_at=block["timestamp"],
    )
    assert attestations.latest("e-payment").value == 0.9


def test_d_city_statistics(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    for key in D_CITY:
        receipt = attest(attestations, statistician, key, 0.9)
        assert emitted(attestations, "StatisticAttested", receipt) == [
            attested_event(statistician, key, 900_000, "2024", version=1)
        ]
    latest = [attestations.latest(key) for key in D_CITY]
    assert [(a.key, a.value_ppm, a.version) for a in latest] == [(k, 900_000, 1) for k in D_CITY]
    assert math.fsum(a.value for a in latest) / len(latest) == pytest.approx(0.9)


def test_a_new_attestation_supersedes_the_last(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    attest(attestations, statistician, "bus-prediction", 0.88, period="2023")
    second = attest(attestations, statistician, "bus-prediction", 0.9, period="2024")
    third = attest(attestations, statistician, "bus-prediction", 0.91, period="2024")

    assert emitted(attestations, "StatisticAttested", second) == [
        attested_event(statistician, "bus-prediction", 900_000, "2024", version=2)
    ]
    assert emitted(attestations, "StatisticAttested", third) == [
        attested_event(statistician, "bus-prediction", 910_000, "2024", version=3)
    ]
    latest = attestations.latest("bus-prediction")
    assert (latest.version, latest.value_ppm, latest.period) == (3, 910_000, "2024")
    first = attestations.attestation_of("bus-prediction", 1)
    assert (first.version, first.value_ppm, first.period) == (1, 880_000, "2023")
    assert attestations.attestation_of("bus-prediction", 3) == latest
    # Keys version independently.
    other = attest(attestations, statistician, "e-payment", 0.9)
    assert [e["version"] for e in emitted(attestations, "StatisticAttested", other)] == [1]


def test_the_bounds_of_a_share(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    for ppm in (0, PPM):
        receipt = attest_raw(ledger, attestations, statistician, value_ppm=ppm)
        assert [e["valuePpm"] for e in emitted(attestations, "StatisticAttested", receipt)] == [ppm]
    for ppm in (PPM + 1, 2**32 - 1):
        with reverts(ledger, "ValueOutOfRange", key="e-payment", valuePpm=ppm):
            attest_raw(ledger, attestations, statistician, value_ppm=ppm)
    assert attestations.latest("e-payment").version == 2


def test_only_a_statistician_attests(
    ledger: Ledger,
    attestations: AttestationsContract,
    security: Signer,
    stranger: Signer,
    policy: str,
) -> None:
    for signer in (security, stranger, ledger.admin):
        with reverts(ledger, "Unauthorized", account=signer.address, neededRole=STATISTICIAN_ROLE):
            attest_raw(ledger, attestations, signer)


def test_a_revoked_statistician_no_longer_attests(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    attest(attestations, statistician, "e-payment", 0.9)
    ledger.tx.send(
        ledger.admin,
        ledger.directory.contract.functions.revokeRole(
            role_id("STATISTICIAN"), statistician.address
        ),
        "Directory",
    )
    with reverts(
        ledger, "Unauthorized", account=statistician.address, neededRole=STATISTICIAN_ROLE
    ):
        attest(attestations, statistician, "e-payment", 0.95)


def test_invalid_attestations(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    with reverts(ledger, "InvalidSourceDigest", key="e-payment"):
        attest_raw(ledger, attestations, statistician, source_digest=ZERO)
    with reverts(ledger, "InvalidStatistic", key=ZERO_ID, period="2024"):
        attest_raw(ledger, attestations, statistician, key=ZERO)
    with reverts(ledger, "InvalidStatistic", key="e-payment", period=ZERO_ID):
        attest_raw(ledger, attestations, statistician, period=ZERO)


def test_attestations_cite_a_clause_in_force(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer, issuer: Signer
) -> None:
    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId="c9"):
        attest_raw(ledger, attestations, statistician, clause_id="c9")
    with reverts(ledger, "ClauseNotInForce", policyId="p.none", clauseId=CLAUSE):
        attest_raw(ledger, attestations, statistician, policy_id="p.none")

    ledger.policies.revoke(issuer, POLICY)

    with reverts(ledger, "ClauseNotInForce", policyId=POLICY, clauseId=CLAUSE):
        attest_raw(ledger, attestations, statistician)


# -- views and the wrapper -----------------------------------------------------------


def test_views_of_unknown_statistics_and_versions(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    with reverts(ledger, "StatisticUnknown", key="e-payment"):
        attestations.latest("e-payment")
    with reverts(ledger, "AttestationUnknown", key="e-payment", version=1):
        attestations.attestation_of("e-payment", 1)

    attest(attestations, statistician, "e-payment", 0.9)

    for version in (0, 2, 2**32 - 1):
        with reverts(ledger, "AttestationUnknown", key="e-payment", version=version):
            attestations.attestation_of("e-payment", version)


@pytest.mark.parametrize("share", [-0.01, 1.000001, 2, -1, math.nan, math.inf, -math.inf])
def test_a_value_outside_the_unit_interval_is_refused(
    attestations: AttestationsContract, statistician: Signer, share: float
) -> None:
    with pytest.raises(ValueError, match=r"is a share in \[0, 1\]"):
        share_to_ppm(share)
    with pytest.raises(ValidationError, match="value"):  # the request model refuses it first
        attest(attestations, statistician, "e-payment", share)


def test_a_value_must_be_a_number(attestations: AttestationsContract, statistician: Signer) -> None:
    for value in (True, "0.9", None):
        with pytest.raises(ValueError, match=r"must be a number in \[0, 1\]"):
            share_to_ppm(value)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="source_digest"):
        StatisticCreate.model_validate(
            statistic("e-payment", 0.9).model_dump() | {"source_digest": "0x" + "01" * 20}
        )


@given(share=st.floats(0, 1))
def test_shares_round_to_the_nearest_ppm(share: float) -> None:
    ppm = share_to_ppm(share)
    assert 0 <= ppm <= PPM
    assert abs(ppm - share * PPM) <= 0.5
    assert (share_to_ppm(0), share_to_ppm(1), share_to_ppm(0.9)) == (0, PPM, 900_000)


# -- the key's owner ------------------------------------------------------------------


def test_a_key_belongs_to_the_department_that_first_attested_it(
    ledger: Ledger, attestations: AttestationsContract, statistician: Signer
) -> None:
    """Another statistician department may not supersede the key (the issue's 0.5 -> 0.9)."""
    other = granted(ledger, SECURITY, "STATISTICIAN")
    attest(attestations, statistician, "e-payment", 0.5)
    owner_of = attestations.contract.functions.ownerOf
    assert bytes(owner_of(b32("e-payment")).call()) == b32("dcity.health")

    with reverts(
        ledger,
        "NotOwner",
        subject="statistic",
        subjectId="e-payment",
        ownerDepartment="dcity.health",
        callerDepartment="dcity.security",
    ):
        attest(attestations, other, "e-payment", 0.9)
    assert attestations.latest("e-payment").value_ppm == 500_000

    attest(attestations, other, "fibre", 0.9)  # a key of its own
    assert bytes(owner_of(b32("fibre")).call()) == b32("dcity.security")
    receipt = attest(attestations, statistician, "e-payment", 0.9)  # the owner supersedes
    assert emitted(attestations, "StatisticAttested", receipt) == [
        attested_event(statistician, "e-payment", 900_000, "2024", version=2)
    ]
    with reverts(ledger, "StatisticUnknown", key="none"):
        ledger.tx.call(owner_of(b32("none")), "Attestations")

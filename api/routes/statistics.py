"""Attested statistics: coverage, uptake and accuracy rates, versioned.

Attesting needs the STATISTICIAN role. A new attestation of a key supersedes the
previous one; every version stays readable.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from api.deps import DepartmentDep, LedgerDep, resource_router
from api.errors import creates, problem_responses
from api.models import StatisticAttestedDone, StatisticCreate, StatisticsPublic
from api.params import PageDep, PolicyFilter, department_filter, matching
from ledger.store import views

router = resource_router("statistics")


@router.get("", summary="List attested statistics", responses=problem_responses(422))
def list_statistics(
    ledger: LedgerDep,
    page: PageDep,
    policy_id: PolicyFilter,
    department_id: Annotated[
        str | None, Depends(department_filter("Only those it attested (the version in force)."))
    ],
) -> StatisticsPublic:
    """Each statistic's version in force, with its history of versions."""
    rows = ledger.view(lambda lg: views.statistics(lg.store))
    return StatisticsPublic.of(matching(rows, policyId=policy_id, attesterId=department_id), page)


@creates(router, "", "Attest a statistic")
def attest(
    body: StatisticCreate, department: DepartmentDep, ledger: LedgerDep
) -> StatisticAttestedDone:
    """Attest a share in [0, 1] for a period, from a source given by its digest, under a
    clause in force. Needs the STATISTICIAN role."""
    ref, latest = ledger.send_then(
        lambda lg: lg.attestations.attest(department, body),
        lambda lg: lg.attestations.latest(body.key),
    )
    return StatisticAttestedDone.landed(
        ref,
        key=body.key,
        version=latest.version,
        value=latest.value,
        value_ppm=latest.value_ppm,
        period=latest.period,
    )

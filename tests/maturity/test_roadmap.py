"""The roadmap (MATURITY.md "Roadmap"): hand-worked cases and a property.

Levels are chosen from the value as published (rounded to 6 places), so a raw value
whose element score rounds to 0.8 already reaches L5: the reported raw value is the
least (or, lower being better, the greatest) one on the 6-place grid that lifts the
level, and the tests check both that it lifts and that the next value back does not.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.maturity.engine import NOT_RATED, RATED, IndicatorInput, assess
from ledger.maturity.normalise import raw_for_score, score
from ledger.maturity.roadmap import NOT_ENOUGH_ALONE, lifts, roadmap
from ledger.maturity.spec import load_spec

SPEC = load_spec()
GRID = 1e-6


def rated(indicator: str, raw: float) -> IndicatorInput:
    ind = SPEC.indicator(indicator)
    n = max(ind.n_min, 1)
    return IndicatorInput(id=indicator, raw=raw, numerator=n, denominator=n, n=n)


def perfect(**raws: float) -> dict[str, IndicatorInput]:
    """Every indicator at its best goalpost, except those given."""
    out = {ind.id: rated(ind.id, ind.best) for ind in SPEC.indicators}
    out.update({k: rated(k, v) for k, v in raws.items()})
    return out


def level(inputs: Mapping[str, IndicatorInput]) -> int:
    return assess(SPEC, inputs).level.level


def step_of(inputs: Mapping[str, IndicatorInput], indicator: str):  # type: ignore[no-untyped-def]
    return next(s for s in roadmap(SPEC, inputs).steps if s.indicator == indicator)


def test_raw_for_score_inverts_every_normalisation() -> None:
    for ind in SPEC.indicators:
        for s in (0.0, 0.25, 0.4, 0.5, 0.9, 1.0):
            x = raw_for_score(s, ind.f, ind.worst, ind.best)
            assert score(x, ind.f, ind.worst, ind.best) == pytest.approx(s, abs=1e-9)


def test_the_capping_element_comes_first_and_its_weak_indicator_leads() -> None:
    # Technical support: T1 = 1, T3 = 1, T2 at its worst (0): E = 2/3, L4, while M =
    # (2/3)^(1/4) = 0.904 is in L5. Technical support caps the level.
    inputs = perfect(T2=0.9)
    plan = roadmap(SPEC, inputs)
    assert (plan.level, plan.target_level, plan.capping) == (4, 5, ("technical_support",))
    order = [s.indicator for s in plan.steps]
    assert order == [
        "T2", "T1", "T3",  # the capping element first, by gain, ties by id
        "D1", "D2", "D3", "D4", "I1", "I2", "I3", "M1", "M2", "M3", "M4",
    ]  # fmt: skip
    t2 = plan.steps[0]
    assert t2.caps and t2.status == RATED
    assert t2.gain == pytest.approx(1 - (2 / 3) ** 0.25, abs=1e-12)
    assert [s.gain for s in plan.steps[1:]] == [0.0] * 13


def test_nl1m_lift_is_the_inverted_normalisation() -> None:
    # E_T >= 0.8 needs T2's score >= 0.4: -ln(1-x) = -ln(0.1) + 0.4 * (ln(0.1) - ln(0.001))
    # gives 1 - x = 10^-1.8, x = 0.984151068; on the 6-place grid (with the published E
    # rounded) the least raw value that lifts is 0.984151.
    inputs = perfect(T2=0.9)
    t2 = step_of(inputs, "T2")
    assert t2.direction == "at least"
    assert t2.lift_raw == pytest.approx(1 - 10**-1.8, abs=2 * GRID)
    assert t2.advice == f"at least {t2.lift_raw:.6f}"
    assert lifts(SPEC, inputs, "T2", t2.lift_raw, 5)
    assert not lifts(SPEC, inputs, "T2", t2.lift_raw - GRID, 5)


def test_id_lift_worked_by_hand() -> None:
    # T1 at its worst, 0.2: E_T = (s + 2)/3 reaches the published 0.8 once
    # s >= 0.3999985, i.e. raw >= 0.2 + 0.8 * 0.3999985 = 0.5199988: 0.519999.
    inputs = perfect(T1=0.2)
    t1 = step_of(inputs, "T1")
    assert t1.lift_raw == 0.519999
    assert t1.advice == "at least 0.519999"
    assert level(perfect(T1=0.519999)) == 5
    assert level(perfect(T1=0.519998)) == 4


def test_ln_lift_lower_is_better() -> None:
    # I1 at 365 days (score 0) caps institutional advantage at 2/3, L4. Score 0.4 is
    # 365 * (7/365)^0.4 = 75.05 days: at most that many days lifts the level.
    inputs = perfect(I1=365.0)
    i1 = step_of(inputs, "I1")
    assert i1.direction == "at most"
    assert i1.lift_raw == pytest.approx(365 * (7 / 365) ** 0.4, abs=0.01)
    assert lifts(SPEC, inputs, "I1", i1.lift_raw, 5)
    assert not lifts(SPEC, inputs, "I1", i1.lift_raw + GRID, 5)


def test_not_enough_alone_when_another_element_also_caps() -> None:
    inputs = perfect(T2=0.9, D1=0.6)  # technical support and data governance both at L4
    plan = roadmap(SPEC, inputs)
    assert plan.capping == ("technical_support", "data_governance")
    t2 = step_of(inputs, "T2")
    assert (t2.lift_raw, t2.advice) == (None, NOT_ENOUGH_ALONE)
    assert not lifts(SPEC, inputs, "T2", SPEC.indicator("T2").best, 5)


def test_an_element_not_rated_caps_at_l1_and_its_indicators_lead() -> None:
    inputs = perfect()
    inputs["T2"] = IndicatorInput(id="T2", raw=None, n=0, not_rated_reason="no system")
    inputs["T3"] = IndicatorInput(id="T3", raw=None, n=0, not_rated_reason="no statistic")
    plan = roadmap(SPEC, inputs)
    assert (plan.level, plan.target_level, plan.m, plan.capping) == (
        1,
        2,
        None,
        ("technical_support",),
    )
    assert [s.indicator for s in plan.steps[:3]] == ["T2", "T3", "T1"]
    t2 = plan.steps[0]
    # Rated at 1 it would rate the element (E = 1) and every element would be 1: M = 1.
    assert (t2.status, t2.gain, t2.lift_raw) == (NOT_RATED, 1.0, None)
    assert t2.advice == "not rated: no system"
    # T1 alone cannot rate the element: no gain, and even at 1 no lift.
    assert (plan.steps[2].gain, plan.steps[2].advice) == (0.0, NOT_ENOUGH_ALONE)


def test_at_the_top_level_nothing_lifts() -> None:
    plan = roadmap(SPEC, perfect())
    assert (plan.level, plan.target_level) == (5, None)
    assert {s.advice for s in plan.steps} == {"already at the top level"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), min_size=14, max_size=14))
def test_the_reported_raw_value_lifts_the_level_and_nothing_less_does(
    scores: list[float],
) -> None:
    inputs = {
        ind.id: rated(ind.id, raw_for_score(s, ind.f, ind.worst, ind.best))
        for ind, s in zip(SPEC.indicators, scores, strict=True)
    }
    plan = roadmap(SPEC, inputs)
    gains = [s.gain for s in plan.steps]
    assert all(g >= -1e-12 for g in gains)
    caps = [s.caps for s in plan.steps]
    assert caps == sorted(caps, reverse=True)  # the capping element's indicators first
    if plan.target_level is None:
        return
    for step in plan.steps:
        ind = SPEC.indicator(step.indicator)
        if step.lift_raw is None:
            assert step.advice == NOT_ENOUGH_ALONE
            assert not lifts(SPEC, inputs, step.indicator, ind.best, plan.target_level)
            continue
        assert lifts(SPEC, inputs, step.indicator, step.lift_raw, plan.target_level)
        back = step.lift_raw - GRID if ind.best > ind.worst else step.lift_raw + GRID
        current = inputs[step.indicator].raw
        assert current is not None
        if not math.isclose(back, current, abs_tol=GRID):
            assert not lifts(SPEC, inputs, step.indicator, back, plan.target_level)

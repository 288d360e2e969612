"""MATURITY.md "Normalisation": s = clamp((f(x) - f(worst)) / (f(best) - f(worst)), 0, 1)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.maturity.normalise import check_goalposts, score, transform
from ledger.maturity.spec import load_spec

INF = math.inf
SCALES = [(i.id, i.f, i.worst, i.best) for i in load_spec().indicators]


@pytest.mark.parametrize(("ident", "f", "worst", "best"), SCALES)
def test_zero_at_worst_one_at_best(ident: str, f: str, worst: float, best: float) -> None:
    assert score(worst, f, worst, best) == 0.0
    assert score(best, f, worst, best) == 1.0


@pytest.mark.parametrize(
    ("x", "f", "worst", "best", "expected"),
    [
        # id, higher is better (M1 0.6 -> 0.98)
        (0.79, "id", 0.6, 0.98, 0.5),
        (0.5, "id", 0.6, 0.98, 0.0),
        (1.0, "id", 0.6, 0.98, 1.0),
        # ln, lower is better (I1 365 -> 7 days): the geometric midpoint scores 1/2
        (math.sqrt(365 * 7), "ln", 365, 7, 0.5),
        (400, "ln", 365, 7, 0.0),
        (1, "ln", 365, 7, 1.0),
        (INF, "ln", 365, 7, 0.0),  # a clause never converted
        (0.0, "ln", 365, 7, 1.0),  # ln(0) = -inf: beyond the best goalpost
        (-3.0, "ln", 365, 7, 1.0),
        (math.sqrt(72), "ln", 72, 1, 0.5),  # M4 hours
        # nl1m, higher is better (T2 0.9 -> 0.999): -ln(1-x) is 2.30, 4.61, 6.91
        (0.99, "nl1m", 0.9, 0.999, 0.5),
        (1.0, "nl1m", 0.9, 0.999, 1.0),  # -ln(0) = +inf
        (1.5, "nl1m", 0.9, 0.999, 1.0),
        (-INF, "nl1m", 0.9, 0.999, 0.0),
        (0.0, "nl1m", 0.9, 0.999, 0.0),
        # the same scales turned round: lower is better
        (INF, "ln", 7, 365, 1.0),
        (1.0, "nl1m", 0.999, 0.9, 0.0),
        (-INF, "id", 1.0, 0.0, 1.0),
        (INF, "id", 1.0, 0.0, 0.0),
    ],
)
def test_values(x: float, f: str, worst: float, best: float, expected: float) -> None:
    assert score(x, f, worst, best) == pytest.approx(expected, abs=1e-12)


def test_transforms() -> None:
    assert transform(math.e, "ln") == pytest.approx(1.0)
    assert transform(0.9, "nl1m") == pytest.approx(-math.log(0.1))
    assert transform(0.25, "id") == 0.25
    assert transform(0.0, "ln") == -INF
    assert transform(1.0, "nl1m") == INF


@pytest.mark.parametrize(
    ("x", "f", "worst", "best", "message"),
    [
        (math.nan, "id", 0.0, 1.0, "NaN"),
        (0.5, "log10", 0.0, 1.0, "unknown normalisation"),
        (0.5, "id", 0.3, 0.3, "coincide"),
        (0.5, "ln", 0.0, 1.0, "domain"),
        (0.5, "nl1m", 0.5, 1.0, "domain"),
        (0.5, "id", 0.0, INF, "finite"),
    ],
)
def test_bad_arguments(x: float, f: str, worst: float, best: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        score(x, f, worst, best)


raw_values = st.one_of(
    st.floats(allow_nan=False),
    st.floats(min_value=-2.0, max_value=2.0),
    st.floats(min_value=0.85, max_value=1.0),
    st.sampled_from([0.0, 1.0, INF, -INF]),
)


@given(st.sampled_from(SCALES), raw_values)
def test_score_always_in_unit_interval(scale: tuple[str, str, float, float], x: float) -> None:
    _, f, worst, best = scale
    assert 0.0 <= score(x, f, worst, best) <= 1.0


@given(st.sampled_from(SCALES), raw_values, raw_values)
def test_monotone_in_the_goalposts_direction(
    scale: tuple[str, str, float, float], a: float, b: float
) -> None:
    _, f, worst, best = scale
    lo, hi = min(a, b), max(a, b)
    if best > worst:
        assert score(lo, f, worst, best) <= score(hi, f, worst, best)
    else:
        assert score(lo, f, worst, best) >= score(hi, f, worst, best)


@given(st.sampled_from(SCALES), raw_values)
def test_reversing_goalposts_mirrors_the_score(
    scale: tuple[str, str, float, float], x: float
) -> None:
    _, f, worst, best = scale
    assert score(x, f, worst, best) + score(x, f, best, worst) == pytest.approx(1.0)


def test_spec_goalposts_are_valid() -> None:
    for _, f, worst, best in SCALES:
        check_goalposts(f, worst, best)

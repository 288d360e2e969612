"""Property tests over both spec versions: score bounds and the null rule for ``M``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.maturity.engine import NOT_RATED, RATED, IndicatorInput, verify_result_hash
from ledger.maturity.spec import Spec, load_spec
from tests.maturity.test_engine import input_sets, result_of

SPECS = [load_spec(1), load_spec(2)]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SPECS), input_sets())
def test_scores_are_in_the_unit_interval(spec: Spec, inputs: dict[str, IndicatorInput]) -> None:
    result = result_of(spec, inputs)
    numbers = [i["score"] for i in result["indicators"]] + [e["score"] for e in result["elements"]]
    numbers += [result["M"], result["arithmetic_mean"]]
    assert all(x is None or 0.0 <= x <= 1.0 for x in numbers)
    assert verify_result_hash(result)


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(SPECS), input_sets())
def test_m_and_the_mean_are_null_exactly_when_an_element_is_not_rated(
    spec: Spec, inputs: dict[str, IndicatorInput]
) -> None:
    result = result_of(spec, inputs)
    any_not_rated = any(e["status"] == NOT_RATED for e in result["elements"])
    assert (result["M"] is None) == any_not_rated
    assert (result["arithmetic_mean"] is None) == any_not_rated
    if any_not_rated:
        assert result["level"] == "L1"
        assert "not every element is rated" in result["level_reason"]
    else:
        assert all(e["status"] == RATED for e in result["elements"])
        assert 0.01 <= result["M"] <= 1.0


@pytest.mark.parametrize("version", [1, 2])
def test_result_names_its_version(version: int) -> None:
    spec = load_spec(version)
    result = result_of(spec, {})
    assert (result["spec_version"], result["spec_hash"]) == (version, spec.spec_hash)
    assert result["M"] is None and result["arithmetic_mean"] is None

"""The record models: what they accept, what they refuse, and how they normalise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from ledger.knowledge.models import Clause, Obligation, PolicyRecord, Relations


def record_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema_version": 1,
        "id": "dcity.sharing",
        "version": 1,
        "kind": "policy",
        "element": "data_governance",
        "title": "Sharing measures",
        "issuer": "dcity.govoffice",
        "effective": datetime(2024, 1, 1, tzinfo=UTC),
        "clauses": [
            {
                "id": "c1",
                "text": "Share.",
                "obligation": {"metric": "D1", "comparator": ">=", "target": 0.95},
            },
            {"id": "c2", "text": "Keep the catalog."},
        ],
    }
    data.update(changes)
    return data


def errors_of(**changes: Any) -> list[tuple[tuple[Any, ...], str, str]]:
    with pytest.raises(ValidationError) as info:
        PolicyRecord.model_validate(record_data(**changes))
    return [(tuple(e["loc"]), e["type"], e["msg"]) for e in info.value.errors()]


def test_defaults_and_types() -> None:
    record = PolicyRecord.model_validate(record_data())
    assert record.level == "department"
    assert record.relations == Relations(supersedes=(), implements=(), cites=())
    assert isinstance(record.clauses, tuple)
    assert record.clauses[1].obligation is None
    assert record.clause("c1").obligation == Obligation(metric="D1", comparator=">=", target=0.95)
    with pytest.raises(KeyError):
        record.clause("c9")


def test_records_are_frozen() -> None:
    record = PolicyRecord.model_validate(record_data())
    with pytest.raises(ValidationError):
        record.title = "changed"
    with pytest.raises(ValidationError):
        record.clauses[0].text = "changed"


def test_effective_is_normalised_to_utc() -> None:
    plus8 = timezone(timedelta(hours=8))
    record = PolicyRecord.model_validate(
        record_data(effective=datetime(2024, 1, 1, 8, tzinfo=plus8))
    )
    assert record.effective == datetime(2024, 1, 1, tzinfo=UTC)
    assert record.effective.tzinfo is UTC
    assert record.model_dump(mode="json")["effective"] == "2024-01-01T00:00:00Z"


def test_effective_from_text() -> None:
    record = PolicyRecord.model_validate(record_data(effective="2024-03-05T06:07:08+01:00"))
    assert record.model_dump(mode="json")["effective"] == "2024-03-05T05:07:08Z"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (datetime(2024, 1, 1), "timezone_aware"),
        (datetime(2024, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC), "fractional_seconds"),
        (datetime(1969, 12, 31, tzinfo=UTC), "before_epoch"),
    ],
)
def test_effective_refused(value: datetime, kind: str) -> None:
    assert [(loc, t) for loc, t, _ in errors_of(effective=value)] == [(("effective",), kind)]


def test_duplicate_clause_id_names_the_id() -> None:
    clauses = [{"id": "c1", "text": "a"}, {"id": "c2", "text": "b"}, {"id": "c1", "text": "c"}]
    [(loc, kind, msg)] = errors_of(clauses=clauses)
    assert (loc, kind) == (("clauses",), "duplicate_clause_id")
    assert msg == "duplicate clause id 'c1' (first used by clauses[0])"


@pytest.mark.parametrize(
    ("changes", "loc", "kind"),
    [
        ({"kind": "memo"}, ("kind",), "literal_error"),
        ({"element": "data"}, ("element",), "literal_error"),
        ({"level": "province"}, ("level",), "literal_error"),
        ({"schema_version": 2}, ("schema_version",), "literal_error"),
        ({"version": 0}, ("version",), "greater_than_equal"),
        ({"version": 2**32}, ("version",), "less_than_equal"),
        ({"version": True}, ("version",), "int_type"),
        ({"version": "1"}, ("version",), "int_type"),
        ({"id": "bad id"}, ("id",), "invalid_id"),
        ({"id": "x" * 33}, ("id",), "invalid_id"),
        ({"issuer": ""}, ("issuer",), "invalid_id"),
        ({"title": "   "}, ("title",), "blank_text"),
        ({"clauses": []}, ("clauses",), "no_clauses"),
        ({"extra": 1}, ("extra",), "extra_forbidden"),
        ({"relations": {"cites": ["dcity.sharing"]}}, ("relations", "cites", 0), "invalid_cite"),
        ({"relations": {"cites": ["a#b c"]}}, ("relations", "cites", 0), "invalid_cite"),
        (
            {"relations": {"supersedes": ["ok", "no way"]}},
            ("relations", "supersedes", 1),
            "invalid_id",
        ),
    ],
)
def test_refused(changes: dict[str, Any], loc: tuple[Any, ...], kind: str) -> None:
    assert [(where, t) for where, t, _ in errors_of(**changes)] == [(loc, kind)]


@pytest.mark.parametrize(
    ("obligation", "field", "kind"),
    [
        ({"metric": "X1", "comparator": ">=", "target": 1}, "metric", "literal_error"),
        ({"metric": "D1", "comparator": ">", "target": 1}, "comparator", "literal_error"),
        ({"metric": "D1", "comparator": ">=", "target": float("nan")}, "target", "finite_number"),
        ({"metric": "D1", "comparator": ">=", "target": float("inf")}, "target", "finite_number"),
        ({"metric": "D1", "comparator": ">=", "target": "0.9"}, "target", "float_type"),
        ({"metric": "D1", "comparator": ">=", "target": True}, "target", "float_type"),
    ],
)
def test_obligation_refused(obligation: dict[str, Any], field: str, kind: str) -> None:
    clauses = [{"id": "c1", "text": "a", "obligation": obligation}]
    assert [(where, t) for where, t, _ in errors_of(clauses=clauses)] == [
        (("clauses", 0, "obligation", field), kind)
    ]


def test_integer_target_is_a_float() -> None:
    obligation = Obligation(metric="M3", comparator="<=", target=1)
    assert obligation.target == 1.0 and isinstance(obligation.target, float)


def test_obligation_is_met() -> None:
    at_least = Obligation(metric="D1", comparator=">=", target=0.95)
    at_most = Obligation(metric="M4", comparator="<=", target=24)
    assert at_least.is_met(0.979) and at_least.is_met(0.95) and not at_least.is_met(0.94)
    assert at_most.is_met(24) and not at_most.is_met(24.5)


def test_valid_cites() -> None:
    record = PolicyRecord.model_validate(
        record_data(relations={"cites": ["dcity.law#art-3"], "implements": ["prov.sharing"]})
    )
    assert record.relations.cites == ("dcity.law#art-3",)
    assert record.relations.implements == ("prov.sharing",)


def test_clause_alone() -> None:
    clause = Clause(id="c1", text="Share.")
    assert clause.model_dump(mode="json") == {"id": "c1", "text": "Share.", "obligation": None}

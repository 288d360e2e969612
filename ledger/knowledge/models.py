"""Knowledge records: policies, their clauses, obligations and relations.

Records are frozen pydantic models, schema version 1. Their canonical form (see
:mod:`ledger.knowledge.canonical`) is what gets hashed and anchored on chain, so every
field has exactly one JSON rendering:

- ``effective`` must be timezone-aware and a whole number of seconds (the chain stores
  whole seconds). It is normalised to UTC and renders as ``YYYY-MM-DDTHH:MM:SSZ``.
- ``target`` is a finite number, kept as ``float`` (``1`` and ``1.0`` are the same).
- Lists are tuples, so a record is immutable all the way down.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    field_validator,
)
from pydantic_core import PydanticCustomError

from ledger.ids import ID_PATTERN, check_id
from ledger.times import format_time

SCHEMA_VERSION = 1

Kind = Literal["law", "regulation", "policy", "institution"]
Element = Literal[
    "institutional_advantage", "operating_mechanism", "technical_support", "data_governance"
]
Metric = Literal["I1", "I2", "I3", "M1", "M2", "M3", "M4", "T1", "T2", "T3", "D1", "D2", "D3", "D4"]
Comparator = Literal[">=", "<="]
Level = Literal["city", "department"]

#: Versions are ``uint32`` on chain.
MAX_VERSION = 2**32 - 1


def _id_checker(what: str) -> AfterValidator:
    def check(value: str) -> str:
        try:
            return check_id(value, what)
        except ValueError as err:
            raise PydanticCustomError("invalid_id", str(err)) from err

    return AfterValidator(check)


def _check_text(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_text", "must not be blank")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as err:
        raise PydanticCustomError("invalid_text", "must be valid Unicode text") from err
    return value


def _check_cite(value: str) -> str:
    policy_id, sep, clause_id = value.partition("#")
    if not sep:
        raise PydanticCustomError(
            "invalid_cite", "'{value}' must have the form 'policy-id#clause-id'", {"value": value}
        )
    try:
        check_id(policy_id, "policy id")
        check_id(clause_id, "clause id")
    except ValueError as err:
        raise PydanticCustomError("invalid_cite", str(err)) from err
    return value


def _to_utc(value: datetime) -> datetime:
    if value.microsecond:
        raise PydanticCustomError(
            "fractional_seconds", "must be a whole number of seconds (no fractional part)"
        )
    value = value.astimezone(UTC)
    if value < datetime(1970, 1, 1, tzinfo=UTC):
        raise PydanticCustomError("before_epoch", "must not be before 1970-01-01T00:00:00Z")
    return value


StrictText = Annotated[str, Field(strict=True)]
#: Not blank: the schema says so with a pattern (Python's ``\s`` is ``str.isspace``).
Text = Annotated[
    StrictText, Field(json_schema_extra={"pattern": r"\S"}), AfterValidator(_check_text)
]
#: What the schema says of an id (the checker says the same, with its own message).
_ID_SCHEMA = Field(json_schema_extra={"pattern": ID_PATTERN, "minLength": 1, "maxLength": 32})
PolicyId = Annotated[StrictText, _ID_SCHEMA, _id_checker("policy id")]
ClauseId = Annotated[StrictText, _ID_SCHEMA, _id_checker("clause id")]
DepartmentId = Annotated[StrictText, _ID_SCHEMA, _id_checker("department id")]
Cite = Annotated[StrictText, AfterValidator(_check_cite)]
UtcTime = Annotated[
    AwareDatetime,
    AfterValidator(_to_utc),
    PlainSerializer(format_time, return_type=str, when_used="json"),
]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Obligation(_Record):
    """A measurable commitment: indicator ``metric`` must satisfy ``comparator target``."""

    metric: Metric
    comparator: Comparator
    target: Annotated[float, Field(strict=True, allow_inf_nan=False)]

    def is_met(self, value: float) -> bool:
        """Whether an observed indicator value meets the obligation."""
        return value >= self.target if self.comparator == ">=" else value <= self.target


class Clause(_Record):
    """One clause of a record; ``obligation`` is None for clauses that are not measured."""

    id: ClauseId
    text: Text
    obligation: Obligation | None = None


class Relations(_Record):
    """Links to other records: ids of policies, and ``policy-id#clause-id`` citations."""

    supersedes: tuple[PolicyId, ...] = ()
    implements: tuple[PolicyId, ...] = ()
    cites: tuple[Cite, ...] = ()


class PolicyRecord(_Record):
    """A versioned knowledge record (law, regulation, policy or institution)."""

    schema_version: Literal[1]
    id: PolicyId
    version: Annotated[int, Field(strict=True, ge=1, le=MAX_VERSION)]
    kind: Kind
    element: Element
    title: Text
    issuer: DepartmentId
    effective: UtcTime
    level: Level = "department"
    # At least one clause: the validator below says so (the schema's minItems tells clients).
    clauses: tuple[Clause, ...] = Field(json_schema_extra={"minItems": 1})
    relations: Relations = Relations()

    @field_validator("clauses")
    @classmethod
    def _check_clauses(cls, clauses: tuple[Clause, ...]) -> tuple[Clause, ...]:
        # Checked here rather than with min_length, which would also complain about
        # a list whose only clause is invalid.
        if not clauses:
            raise PydanticCustomError("no_clauses", "must list at least one clause")
        first: dict[str, int] = {}
        for index, clause in enumerate(clauses):
            if clause.id in first:
                # ``at`` lets the loader point at the duplicate itself, not the whole list.
                raise PydanticCustomError(
                    "duplicate_clause_id",
                    "duplicate clause id '{clause_id}' (first used by clauses[{first}])",
                    {"clause_id": clause.id, "first": first[clause.id], "at": (index, "id")},
                )
            first[clause.id] = index
        return clauses

    def clause(self, clause_id: str) -> Clause:
        """The clause with id ``clause_id``; ``KeyError`` if there is none."""
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        raise KeyError(clause_id)

"""Request and public response models of the API.

Requests are strict and refuse unknown fields. The body of ``POST /policies`` is
the knowledge record itself (:class:`ledger.knowledge.models.PolicyRecord`, the
same fields as the YAML record format), so the API and the CLI validate records
with one model.

Responses use snake_case. They are built from the ledger's read models, whose
keys are the contracts' camelCase argument names; each public model reads those
keys through validation aliases, so the mapping is declared once, here.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasGenerator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from ledger.ids import check_id
from ledger.knowledge.models import PolicyRecord
from ledger.mechanisms.sharing import Permission

UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1


def _check_id(value: str) -> str:
    try:
        return check_id(value, "id")
    except ValueError as err:
        raise PydanticCustomError("invalid_id", str(err)) from err


Id = Annotated[
    str,
    Field(min_length=1, max_length=32, examples=["dcity.sharing"]),
    AfterValidator(_check_id),
]
"""A text id as the contracts store it (1-32 ASCII characters, see :mod:`ledger.ids`)."""

PermissionName = Literal["open", "conditional", "restricted"]


def _permission_name(value: Any) -> Any:
    """Read models carry the contract's ``uint8``; the API speaks names."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Permission(value).name.lower()
    return value


PublicPermission = Annotated[PermissionName, BeforeValidator(_permission_name)]

Digest = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="32 bytes as 0x-hex",
        examples=["0x" + "ab" * 32],
    ),
]

# -- requests ------------------------------------------------------------------


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


#: The body of ``POST /policies``: a knowledge record.
PolicyRecordIn = PolicyRecord


class CatalogItemCreate(_Request):
    """A catalog item; its provider is the department of the API key."""

    item_id: Id
    data_type: Id = Field(description="The kind of data, e.g. `population.registry`.")
    permission: PermissionName = Field(description="The most a consumer may be granted.")
    disclosure: Id = Field(description="How the item is disclosed, e.g. `api` or `file`.")


class AgreementCreate(_Request):
    """A commitment to deliver a catalog item to a consumer under a policy clause in force."""

    agreement_id: Id
    item_id: Id
    consumer_id: Id
    policy_id: Id
    clause_id: Id
    permission: PermissionName
    first_due_at: Annotated[
        int, Field(ge=1, le=UINT64_MAX, description="Unix seconds; must be in the future.")
    ]
    period_seconds: Annotated[int, Field(ge=1, le=UINT64_MAX)]
    periods: Annotated[int, Field(ge=1, le=UINT32_MAX)]
    calls_per_period: Annotated[int, Field(ge=0, le=UINT64_MAX)]


class DeliveryCreate(_Request):
    """One period's delivery; only the payload's digest goes on chain."""

    period: Annotated[int, Field(ge=0, le=UINT32_MAX, description="0-based period index.")]
    record_count: Annotated[int, Field(ge=0, le=UINT64_MAX)]
    payload_digest: Digest


# -- responses -------------------------------------------------------------------


class _Public(BaseModel):
    """A response model that can be read from a read model's camelCase keys."""

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=to_camel),
        validate_by_name=True,
        validate_by_alias=True,
    )


class TxPublic(_Public):
    tx: str = Field(description="Transaction hash.")
    block: int = Field(description="Block number the transaction landed in.")


class PolicyAnchored(_Public):
    policy: str
    version: int
    digest: str = Field(description="keccak256 of the record's canonical (RFC 8785) JSON.")
    tx: str | None = Field(description="None when this exact version was already anchored.")
    block: int | None


class PolicySummary(_Public):
    id: str
    version: int
    digest: str
    title: str | None
    issuer: str | None
    kind: str
    element: str
    effective: str
    clauses: list[str]
    revoked: bool
    block: int
    tx: str
    record_stored: bool = Field(description="Whether the record's bytes are stored and intact.")


class PolicyDetail(PolicySummary):
    record: PolicyRecord | None = Field(
        description="The stored record of the latest version; None if missing or altered."
    )


class PolicyList(BaseModel):
    data: list[PolicySummary]
    count: int


class VersionCheck(_Public):
    version: int
    anchored: str = Field(description="The digest anchored on chain.")
    stored: str | None = Field(description="The digest recomputed from the stored bytes.")
    ok: bool
    problem: str | None


class PolicyVerification(BaseModel):
    policy_id: str
    verified: bool = Field(description="Whether every version's stored bytes match the chain.")
    checks: list[VersionCheck]


class DepartmentPublic(_Public):
    id: str
    name: str
    account: str


class DepartmentList(BaseModel):
    data: list[DepartmentPublic]
    count: int


class CatalogItemPublic(_Public):
    item_id: str
    provider_id: str
    data_type: str
    permission: PublicPermission
    disclosure: str
    block: int
    tx: str
    registered_at: int


class CatalogList(BaseModel):
    data: list[CatalogItemPublic]
    count: int


class CatalogItemCreated(TxPublic):
    item_id: str
    provider_id: str


class DeliveryPublic(_Public):
    period: int
    due_at: int
    status: Literal["delivered", "missed"]
    on_time: bool | None = None
    record_count: int | None = None
    payload_digest: str | None = None
    at: int
    tx: str


class AgreementPublic(_Public):
    agreement_id: str
    policy_id: str
    clause_id: str
    provider_id: str
    consumer_id: str
    item_id: str
    permission: PublicPermission
    first_due_at: int
    period_seconds: int = Field(validation_alias="period")
    periods: int
    calls_per_period: int
    block: int
    tx: str
    committed_at: int
    on_time: int = Field(description="Periods delivered by their due time.")
    late: int = Field(description="Periods delivered after their due time.")
    missed: int = Field(description="Periods marked missed.")
    revoked: bool
    revoked_at: int | None = None
    deliveries: list[DeliveryPublic]


class AgreementList(BaseModel):
    data: list[AgreementPublic]
    count: int


class AgreementCommitted(TxPublic):
    agreement_id: str
    provider_id: str


class DeliveryRecorded(TxPublic):
    agreement_id: str
    period: int


class EventPublic(BaseModel):
    block: int
    block_hash: str
    block_time: int
    tx: str
    log_index: int
    contract: str
    event: str
    args: dict[str, Any] = Field(description="Decoded event arguments, by their ABI names.")


class EventList(BaseModel):
    data: list[EventPublic]
    count: int = Field(description="How many events are in `data`.")
    limit: int
    offset: int


class Health(BaseModel):
    status: Literal["ok"]
    chain: Literal["embedded", "rpc"]
    block: int


class Problem(BaseModel):
    """An RFC 9457 problem details object (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=["urn:govledger:problem:contract-revert"])
    title: str
    status: int
    detail: str
    instance: str | None = None

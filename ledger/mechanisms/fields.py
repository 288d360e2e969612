"""What the operations' request models share: ids, digests, limits and strictness.

One request model per operation lives beside its wrapper; the API takes it as its
body and the CLI builds it from its options, so both validate with the same rules.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ledger.errors import LedgerValueError
from ledger.ids import ID_PATTERN, check_id

UINT16_MAX = 2**16 - 1
UINT32_MAX = 2**32 - 1
UINT64_MAX = 2**64 - 1


def _check_id(value: str) -> str:
    try:
        return check_id(value, "id")
    except ValueError as err:
        raise PydanticCustomError("invalid_id", str(err)) from err


Id = Annotated[
    str,
    Field(
        min_length=1,
        max_length=32,
        examples=["dcity.sharing"],
        json_schema_extra={"pattern": ID_PATTERN},  # checked by _check_id, with its message
    ),
    AfterValidator(_check_id),
]
"""A text id as the contracts store it (1-32 ASCII characters, see :mod:`ledger.ids`)."""

Digest = Annotated[
    str,
    Field(
        pattern=r"^0x[0-9a-fA-F]{64}$",
        description="32 bytes as 0x-hex",
        examples=["0x" + "ab" * 32],
    ),
]
"""32 bytes as 0x-hex (a digest of something kept off chain)."""


def _takes_int(annotation: Any) -> bool:
    """Whether a field of this annotation holds an int (and no float)."""
    if annotation is int:
        return True
    args = get_args(annotation)
    return get_origin(annotation) in (Union, UnionType) and int in args and float not in args


class Request(BaseModel):
    """An operation's request: strict, unknown fields refused.

    A whole number written with a fraction (``5.0``) is an integer in JSON Schema, so
    an int field takes it as that int; ``5.5`` and ``"5"`` stay refused.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    @model_validator(mode="before")
    @classmethod
    def _whole_numbers(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = dict(data)
        for name, field in cls.model_fields.items():
            value = out.get(name)
            if isinstance(value, float) and value.is_integer() and _takes_int(field.annotation):
                out[name] = int(value)
        return out


def digest_bytes(value: str) -> bytes:
    """A :data:`Digest` as its 32 bytes."""
    return bytes.fromhex(value.removeprefix("0x"))


def hex_digest(value: bytes) -> str:
    """32 bytes as a :data:`Digest`."""
    return "0x" + value.hex()


M = TypeVar("M", bound=BaseModel)


def build(model: type[M], **fields: Any) -> M:
    """``model(**fields)``, refusing bad input with :class:`LedgerValueError` (what the CLI
    and the scenario runner report), the first problem named by its field."""
    try:
        return model(**fields)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise LedgerValueError(f"{where}: {message}" if where else message) from err

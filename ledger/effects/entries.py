"""Effect-log entries: the high-volume facts the ledger logs, and their canonical bytes.

Two kinds of entry, told apart by ``kind``:

- :class:`SharingCall` (``"call"``): one data-sharing API call made under an
  agreement. It carries the agreement and calling system ids, the time, the number
  of records returned, the permission level the call *used* (compared with the
  level the agreement granted for indicator D3), the latency, and optionally a
  request id and ``subject``, a salted digest of whatever identifies the person the
  data is about.
- :class:`Heartbeat` (``"heartbeat"``): a connected business system saying it is
  up (indicator T2).

Nothing personal goes into the log: there are no free-text fields, ids and request
ids are short ASCII tokens, and a person appears only as ``subject``, exactly
``0x`` + 64 hex digits. Any other field (``name``, ``phone``, ...) is rejected.

Values are normalised so that the same fact always gives the same bytes:

- ``at`` is whole Unix seconds (UTC). An ISO-8601 string with an explicit UTC
  designator (``Z`` or ``+00:00``) is accepted and converted; fractional seconds
  are dropped (floored), a time without a zone or in another zone is rejected;
- ``permission`` is stored as its level, 1 (open) < 2 (conditional) < 3
  (restricted); the names are accepted in any case;
- ``latency_ms`` is a finite number >= 0; ``12`` and ``12.0`` are the same value;
- ``subject`` is lowercased.

Integers must be JSON integers (not ``true``, ``"5"`` or ``5.0``).

:func:`canonical_entry` is RFC 8785 JSON of the model with absent optional fields
omitted; only those bytes are hashed into the log. Two identical facts therefore
have one leaf hash, and the store keeps them once: a producer that can make two
distinct calls with the same fields in the same second should set ``request_id``.

:func:`prepare_line` is the fast path for bulk ingest: it checks the common shape
of a decoded JSON object by hand and writes the canonical bytes directly, and only
falls back to pydantic (which gives the error message) when that check fails. Both
paths share the normalisers below; a property test holds them to the same bytes.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, NamedTuple

import rfc8785
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from ledger.errors import LedgerValueError
from ledger.ids import check_id

__all__ = [
    "MAX_AT",
    "MAX_COUNT",
    "PERMISSION_LEVELS",
    "Entry",
    "EntryFacts",
    "Heartbeat",
    "SharingCall",
    "canonical_entry",
    "decode_canonical",
    "entry_facts",
    "parse_entry",
    "parse_json_entry",
    "prepare_line",
]

#: Permission names and their levels, ordered as ``ledger.mechanisms.sharing.Permission``
#: (kept here so that reading the effect log does not import web3; a test keeps them equal).
PERMISSION_LEVELS: dict[str, int] = {"open": 1, "conditional": 2, "restricted": 3}

#: The latest ``at`` accepted: 9999-12-31T23:59:59Z.
MAX_AT = 253_402_300_799

#: The largest ``records`` count: RFC 8785 numbers are exact only up to 2**53 - 1.
MAX_COUNT = 2**53 - 1

_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-/]{0,31}")  # ledger.ids.check_id's, whole
_REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._:\-/]{1,64}")
_SUBJECT_RE = re.compile(r"0x[0-9a-fA-F]{64}")
_ID_MATCH = _ID_RE.fullmatch
_REQUEST_ID_MATCH = _REQUEST_ID_RE.fullmatch
_SUBJECT_MATCH = _SUBJECT_RE.fullmatch
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

#: Field names that are, or usually carry, personal data; rejected with a reason
#: that says so (any other unknown field is rejected as unknown).
_PERSONAL_FIELDS = frozenset(
    {
        "name",
        "full_name",
        "first_name",
        "last_name",
        "surname",
        "person",
        "citizen",
        "id_card",
        "id_number",
        "national_id",
        "passport",
        "phone",
        "mobile",
        "telephone",
        "email",
        "address",
        "birthday",
        "birth_date",
        "date_of_birth",
        "dob",
        "gender",
        "age",
        "licence_plate",
        "license_plate",
        "comment",
        "note",
        "notes",
        "text",
        "description",
        "remark",
    }
)


# -- normalisers, shared by the models and the fast path -------------------------------
#
# Each takes a raw JSON value and returns the normalised one, or raises ValueError
# with a reason that does not repeat the field name (the caller adds it).


def _is_int(value: object) -> bool:
    return type(value) is int  # not bool, not an int subclass


def _norm_id(value: object) -> str:
    if not isinstance(value, str) or value.endswith("\n"):
        raise LedgerValueError(
            f"must be an id: 1-32 ASCII letters, digits or . _ : - /, got {value!r}"
        )
    try:
        return check_id(value)
    except ValueError:
        raise LedgerValueError(
            f"must be an id: 1-32 ASCII letters, digits or . _ : - /, got {value!r}"
        ) from None


def _norm_at(value: object) -> int:
    if _is_int(value):
        seconds = value
    elif isinstance(value, str):
        seconds = _parse_utc(value)
    else:
        raise LedgerValueError(
            f"must be Unix seconds (an integer) or an ISO-8601 UTC time, got {value!r}"
        )
    assert isinstance(seconds, int)
    if not 0 <= seconds <= MAX_AT:
        raise LedgerValueError(f"must be between 0 (1970) and {MAX_AT} (year 9999), got {seconds}")
    return seconds


def _parse_utc(text: str) -> int:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise LedgerValueError(f"is not an ISO-8601 time: {text!r}") from None
    if moment.tzinfo is None:
        raise LedgerValueError(f"must state UTC (end with Z or +00:00): {text!r}")
    if moment.utcoffset() != timedelta(0):
        raise LedgerValueError(f"must be in UTC (Z or +00:00), not another offset: {text!r}")
    return (moment - _EPOCH) // timedelta(seconds=1)


def _norm_count(value: object) -> int:
    if not _is_int(value):
        raise LedgerValueError(f"must be an integer >= 0, got {value!r}")
    assert isinstance(value, int)
    if not 0 <= value <= MAX_COUNT:
        raise LedgerValueError(f"must be an integer between 0 and {MAX_COUNT}, got {value}")
    return value


def _norm_permission(value: object) -> int:
    if _is_int(value):
        assert isinstance(value, int)
        if 1 <= value <= 3:
            return value
    elif isinstance(value, str):
        level = PERMISSION_LEVELS.get(value.lower())
        if level is not None:
            return level
    raise LedgerValueError(f"must be open, conditional or restricted (or 1..3), got {value!r}")


def _norm_latency(value: object) -> float:
    if not (_is_int(value) or type(value) is float):
        raise LedgerValueError(f"must be a number >= 0, got {value!r}")
    assert isinstance(value, int | float)
    try:
        number = float(value)
    except OverflowError:
        raise LedgerValueError(f"must be a finite number >= 0, got {value!r}") from None
    if not math.isfinite(number) or number < 0:
        raise LedgerValueError(f"must be a finite number >= 0, got {value!r}")
    return number + 0.0  # -0.0 -> 0.0


def _norm_request_id(value: object) -> str:
    if not isinstance(value, str) or not _REQUEST_ID_RE.fullmatch(value):
        raise LedgerValueError(f"must be 1-64 ASCII letters, digits or . _ : - /, got {value!r}")
    return value


def _norm_subject(value: object) -> str:
    if not isinstance(value, str) or not _SUBJECT_RE.fullmatch(value):
        raise LedgerValueError(
            f"must be a salted digest, 0x followed by 64 hex digits, got {_clip(value)}"
        )
    return value.lower()


def _clip(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_OPTIONAL = frozenset({"request_id", "subject"})

_NORMALISERS: dict[str, Callable[[object], Any]] = {
    "agreement": _norm_id,
    "system": _norm_id,
    "at": _norm_at,
    "records": _norm_count,
    "permission": _norm_permission,
    "latency_ms": _norm_latency,
    "request_id": _norm_request_id,
    "subject": _norm_subject,
}


# -- the models --------------------------------------------------------------------------


class _EntryModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


def _normalise(value: object, info: ValidationInfo) -> object:
    """Run the field's normaliser on the raw value (``None`` stays for optional fields)."""
    name = info.field_name
    assert name is not None
    if value is None and name in _OPTIONAL:
        return value
    return _NORMALISERS[name](value)


class SharingCall(_EntryModel):
    """One data-sharing API call under an agreement."""

    kind: Literal["call"] = "call"
    agreement: str
    system: str
    at: int
    records: int
    permission: int
    latency_ms: float
    request_id: str | None = None
    subject: str | None = None

    _check = field_validator(
        "agreement",
        "system",
        "at",
        "records",
        "permission",
        "latency_ms",
        "request_id",
        "subject",
        mode="before",
    )(_normalise)


class Heartbeat(_EntryModel):
    """A connected business system reporting that it is up."""

    kind: Literal["heartbeat"] = "heartbeat"
    system: str
    at: int

    _check = field_validator("system", "at", mode="before")(_normalise)


Entry = Annotated[SharingCall | Heartbeat, Field(discriminator="kind")]

_ENTRY_ADAPTER: TypeAdapter[SharingCall | Heartbeat] = TypeAdapter(Entry)


class EntryFacts(NamedTuple):
    """The columns the store keeps beside an entry's bytes, for aggregation.

    ``agreement``, ``records`` and ``permission`` are ``None`` for heartbeats.
    """

    kind: str
    agreement: str | None
    system: str
    at: int
    permission: int | None
    records: int | None


def parse_entry(obj: object) -> SharingCall | Heartbeat:
    """Validate one entry (a JSON object, or JSON text) into its model.

    Raises :class:`ValueError` with a one-line reason that names the field.
    """
    if isinstance(obj, str | bytes | bytearray):
        obj = _loads(obj)
    if not isinstance(obj, Mapping):
        raise LedgerValueError(f"an entry must be a JSON object, got {type(obj).__name__}")
    try:
        return _ENTRY_ADAPTER.validate_python(obj)
    except ValidationError as err:
        raise LedgerValueError(_reason(err)) from None


def canonical_entry(entry: SharingCall | Heartbeat) -> bytes:
    """RFC 8785 bytes of an entry, absent optional fields omitted: what the log hashes."""
    return rfc8785.dumps(entry.model_dump(exclude_none=True))


def entry_facts(entry: SharingCall | Heartbeat) -> EntryFacts:
    """The aggregation columns of a validated entry."""
    if isinstance(entry, SharingCall):
        return EntryFacts(
            "call", entry.agreement, entry.system, entry.at, entry.permission, entry.records
        )
    return EntryFacts("heartbeat", None, entry.system, entry.at, None, None)


def parse_json_entry(line: str | bytes) -> tuple[bytes, EntryFacts]:
    """Validate one line of JSON: its canonical bytes and aggregation columns.

    The common shape takes a hand-written fast path; anything it does not accept
    goes through :func:`parse_entry`, which either accepts it too or raises
    :class:`ValueError` with the reason.
    """
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError):
        obj = None  # _loads below says why
    else:
        prepared = prepare_line(obj, line)
        if prepared is not None:
            return prepared
    entry = parse_entry(line)
    return canonical_entry(entry), entry_facts(entry)


def decode_canonical(data: bytes) -> EntryFacts:
    """The aggregation columns of bytes that must already be a canonical entry.

    Raises :class:`ValueError` if ``data`` is not a valid entry, or is one but not
    in canonical form (so that the log never holds two spellings of one fact).

    The canonical form is so regular that one regular expression per kind, plus a
    range check of the integers and a round trip of the latency's number text,
    decides it, several times faster than decoding JSON; a property test holds it
    to ``canonical_entry``. Bytes it refuses are decoded once more to say why.
    """
    match = _CANONICAL_CALL(data)
    if match is not None:
        agreement, at, plain, other, permission, records, system = match.groups()
        if (
            int(at) <= MAX_AT
            and int(records) <= MAX_COUNT
            and (
                # at most 15 significant digits, >= 1e-6: its own shortest round trip
                (len(plain) <= 16 and not plain.startswith(b"0.000000"))
                if plain is not None
                else _is_number_text(other)
            )
        ):
            return _new_tuple(
                EntryFacts,
                (
                    "call",
                    agreement.decode("ascii"),
                    system.decode("ascii"),
                    int(at),
                    int(permission),
                    int(records),
                ),
            )
    else:
        match = _CANONICAL_HEARTBEAT(data)
        if match is not None:
            at, system = match.groups()
            if int(at) <= MAX_AT:
                return _new_tuple(
                    EntryFacts, ("heartbeat", None, system.decode("ascii"), int(at), None, None)
                )
    canonical, facts = parse_json_entry(data)
    if canonical != data:
        raise LedgerValueError(
            "entry is valid but not in canonical form (RFC 8785, as canonical_entry)"
        )
    return facts  # pragma: no cover - the patterns above accept every canonical entry


_ID_BYTES = rb"([A-Za-z0-9][A-Za-z0-9._:\-/]{0,31})"
_AT_BYTES = rb"(0|[1-9][0-9]{0,11})"
_CANONICAL_CALL = re.compile(
    rb'\{"agreement":"'
    + _ID_BYTES
    + rb'","at":'
    + _AT_BYTES
    + rb',"kind":"call","latency_ms":'
    + rb"(?:((?:0|[1-9][0-9]*)(?:\.[0-9]*[1-9])?)|([0-9][0-9.e+\-]{0,30}))"
    rb',"permission":([123]),"records":(0|[1-9][0-9]{0,15}),'
    rb'(?:"request_id":"[A-Za-z0-9._:\-/]{1,64}",)?(?:"subject":"0x[0-9a-f]{64}",)?'
    rb'"system":"' + _ID_BYTES + rb'"\}'
).fullmatch
_CANONICAL_HEARTBEAT = re.compile(
    rb'\{"at":' + _AT_BYTES + rb',"kind":"heartbeat","system":"' + _ID_BYTES + rb'"\}'
).fullmatch


_new_tuple = tuple.__new__  # builds an EntryFacts without its (slower) Python-level __new__


def _is_number_text(text: bytes) -> bool:
    """Whether ``text`` is the RFC 8785 form of a finite number >= 0."""
    try:
        value = float(text)
    except ValueError:
        return False
    return math.isfinite(value) and _number(value).encode("ascii") == text


# -- the fast path -----------------------------------------------------------------------

_CALL_REQUIRED = frozenset(
    {"kind", "agreement", "system", "at", "records", "permission", "latency_ms"}
)
_CALL_ALLOWED = _CALL_REQUIRED | {"request_id", "subject"}
_HEARTBEAT_KEYS = frozenset({"kind", "system", "at"})


def _fast_at(at: object) -> tuple[int, int] | None:
    """``at`` as Unix seconds within range, and 1 if it was written as a (quoted) UTC
    string, else 0; ``None`` if the fast path declines it."""
    if type(at) is int:
        quoted = 0
    elif type(at) is str:
        try:
            at = _parse_utc(at)
        except ValueError:
            return None
        quoted = 1
    else:
        return None
    if not 0 <= at <= MAX_AT:
        return None
    return at, quoted


def prepare_line(obj: object, raw: str | bytes | None = None) -> tuple[bytes, EntryFacts] | None:
    """Canonical bytes and columns of a decoded entry, or ``None`` if the fast path declines.

    ``None`` does not mean the entry is invalid, only that :func:`parse_entry` must
    decide (and explain). The checks are the normalisers' checks, inlined.

    ``raw``, the JSON text ``obj`` was decoded from, lets the fast path rule out
    duplicate keys (which ``json.loads`` silently collapses) without a slow
    ``object_pairs_hook``: none of the string values accepted here contains a quote,
    so the text holds exactly two quotes per key and per string value if, and only
    if, no key or value was written twice.
    """
    if type(obj) is not dict:
        return None
    kind = obj.get("kind")
    if kind == "call":
        if not (_CALL_REQUIRED <= obj.keys() <= _CALL_ALLOWED):
            return None
        agreement = obj["agreement"]
        system = obj["system"]
        records = obj["records"]
        permission = obj["permission"]
        latency = obj["latency_ms"]
        if type(agreement) is not str or not _ID_MATCH(agreement):
            return None
        placed = _fast_system_at(system, obj["at"])
        if placed is None:
            return None
        at, quoted = placed
        strings = 3 + quoted  # kind, agreement, system, and the time if quoted
        if type(records) is not int or not 0 <= records <= MAX_COUNT:
            return None
        if type(permission) is str:
            permission = PERMISSION_LEVELS.get(permission.lower())
            if permission is None:
                return None
            strings += 1
        elif type(permission) is not int or not 1 <= permission <= 3:
            return None
        if type(latency) is float and 1e-4 <= latency < 1e16:
            latency_text = repr(latency)
            if latency_text.endswith(".0"):
                latency_text = latency_text[:-2]
        elif type(latency) is int and 0 <= latency <= MAX_COUNT:
            latency_text = str(latency)
        else:
            try:
                latency_text = _number(_norm_latency(latency))
            except ValueError:
                return None
        text = (
            f'{{"agreement":"{agreement}","at":{at},"kind":"call","latency_ms":{latency_text},'
            f'"permission":{permission},"records":{records},'
        )
        request_id = obj.get("request_id")
        if request_id is not None:
            if type(request_id) is not str or not _REQUEST_ID_MATCH(request_id):
                return None
            text += f'"request_id":"{request_id}",'
            strings += 1
        subject = obj.get("subject")
        if subject is not None:
            if type(subject) is not str or not _SUBJECT_MATCH(subject):
                return None
            text += f'"subject":"{subject.lower()}",'
            strings += 1
        if raw is not None and _quotes(raw) != 2 * (len(obj) + strings):
            return None
        facts = EntryFacts("call", agreement, system, at, permission, records)
        return (text + f'"system":"{system}"}}').encode("ascii"), facts
    if kind == "heartbeat":
        if obj.keys() != _HEARTBEAT_KEYS:
            return None
        system = obj["system"]
        placed = _fast_system_at(system, obj["at"])
        if placed is None:
            return None
        at, quoted = placed
        strings = 2 + quoted  # kind, system, and the time if quoted
        if raw is not None and _quotes(raw) != 2 * (3 + strings):
            return None
        data = f'{{"at":{at},"kind":"heartbeat","system":"{system}"}}'.encode("ascii")
        return data, EntryFacts("heartbeat", None, system, at, None, None)
    return None


def _fast_system_at(system: object, at: object) -> tuple[int, int] | None:
    """``at`` as :func:`_fast_at` reads it, when ``system`` is an id; otherwise None."""
    if type(system) is not str or not _ID_MATCH(system):
        return None
    return _fast_at(at)


def _quotes(raw: str | bytes) -> int:
    return raw.count(b'"') if isinstance(raw, bytes) else raw.count('"')


def _number(value: float) -> str:
    """RFC 8785 (ECMAScript) text of a finite, non-negative float."""
    if value == 0.0:
        return "0"
    if 1e-4 <= value < 1e16:  # Python's repr has no exponent here; nor has ECMAScript's
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return rfc8785.dumps(value).decode("ascii")


# -- JSON and error text -----------------------------------------------------------------


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise LedgerValueError(f"{key}: field appears twice")
            seen.add(key)
    return obj


def _loads(text: str | bytes | bytearray) -> object:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as err:
        raise LedgerValueError(f"not JSON: {err.msg} at column {err.pos + 1}") from None
    except UnicodeDecodeError:
        raise LedgerValueError("not JSON: the line is not valid UTF-8") from None
    except RecursionError:
        raise LedgerValueError("not JSON: nested too deeply") from None


def _reason(err: ValidationError) -> str:
    """One line naming the field of the error that matters most (and how many more there
    are): personal data first, whatever else is wrong with the line, then the first error."""
    errors = err.errors(include_url=False)
    first = min(errors, key=_rank)  # min keeps the first of equal rank
    kind = first["type"]
    loc = [str(part) for part in first["loc"]]
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        got = first.get("input")
        got_kind = got.get("kind") if isinstance(got, Mapping) else None
        text = (
            "kind: missing; must be call or heartbeat"
            if kind == "union_tag_not_found"
            else f"kind: must be call or heartbeat, got {_clip(got_kind)}"
        )
    else:
        field = loc[-1] if len(loc) > 1 else (loc[0] if loc else "entry")
        if kind == "extra_forbidden":
            if _is_personal(first):
                text = (
                    f"{field}: personal data is not allowed in the effect log;"
                    " identify a person only by the salted digest 'subject'"
                )
            else:
                allowed = ", ".join(_allowed_fields(loc[0] if len(loc) > 1 else ""))
                text = f"{field}: unknown field (allowed: {allowed})"
        elif kind == "missing":
            missing = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"]
            if len(missing) == len(errors) and len(missing) > 1:
                return f"missing fields: {', '.join(missing)}"
            text = f"{field}: missing"
        elif kind == "value_error":
            message = str(first.get("ctx", {}).get("error", first["msg"]))
            text = f"{field}: {message}"
        else:
            text = f"{field}: {first['msg']}"
    more = len(errors) - 1
    if more:
        text += f" (and {more} more {'problem' if more == 1 else 'problems'})"
    return text.replace("\n", " ")


def _is_personal(error: Mapping[str, Any]) -> bool:
    loc = error["loc"]
    return (
        error["type"] == "extra_forbidden"
        and bool(loc)
        and str(loc[-1]).lower() in _PERSONAL_FIELDS
    )


def _rank(error: Mapping[str, Any]) -> int:
    return 0 if _is_personal(error) else 1


def _allowed_fields(tag: str) -> list[str]:
    model: type[BaseModel] = Heartbeat if tag == "heartbeat" else SharingCall
    return list(model.model_fields)

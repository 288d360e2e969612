"""The maturity scoring engine: a pure function of a spec and indicator measurements.

MATURITY.md is the contract; this module implements its "Normalisation",
"Aggregation and levels", "Output and evidence" and "Robustness report" sections.
The indicator functions (elsewhere) turn events into :class:`IndicatorInput`; this
module rates, scores, aggregates and renders them. Same spec and same inputs give the
same bytes, hence the same ``result_hash``.

Rating an indicator
    In this order, the first rule that applies makes it ``NOT_RATED`` with a reason:
    no input for it ("no observations"); the input's own ``not_rated_reason``;
    ``n < n_min``; no raw value; a coverage rule of the spec not met (D4: the input's
    ``numerator / denominator``, evaluated over completed orders, below 30%).
    Otherwise it is ``RATED`` with ``score = normalise.score(raw, f, worst, best)``.

Aggregation
    ``E`` = mean of the rated scores of an element; the element is ``NOT_RATED`` when
    rated / total < 2/3 (exact rational comparison). ``M`` = weighted geometric mean
    ``exp(sum(w * ln(max(E, 0.01))) / sum(w))`` with the spec's element weights (all
    1.0 in v1, so the plain geometric mean); the arithmetic mean ``sum(w * E) / sum(w)``
    of the *unfloored* scores is reported beside it. Both are ``null`` when any element
    is not rated. Sums use :func:`math.fsum`. Every computation uses unrounded values;
    only the choice of a band looks at the value as published (rounded to 6 places), so
    that a published ``E`` or ``M`` of 0.2 is always L2 and last-bit differences
    between maths libraries cannot change a level. Overall level = min(band(M), every
    element's band); L1 if any element is not rated. (Since a mean is never below its
    smallest term, band(M) is never below the weakest element's band: under equal or
    varied weights the overall level is the weakest element's level.)

Output
    :func:`compute_result` returns a JSON-ready dict; its canonical form is RFC 8785
    (:func:`canonical_result_bytes`). Non-integer numbers are rounded half-even to 6
    decimal places at output only: the float's exact binary value is quantized with
    :mod:`decimal` (``ROUND_HALF_EVEN``) and the result converted back to the nearest
    double, which RFC 8785 then prints in its shortest form. Integers stay integers.
    RFC 8785 has no infinity: a raw value or sample value of ``+inf`` (I1's clause with
    no execution event) is written as the string ``"inf"`` (``-inf`` as ``"-inf"``).
    ``sample`` values are written sorted ascending. An indicator whose input lists
    things beside it (``IndicatorInput.listed``, version 2's T1) carries a ``listed``
    member; no other indicator has one, so version 1 results are unchanged. Times are
    integer UTC seconds
    (block time), with an ISO 8601 ``..._utc`` copy beside each.

    ``result_hash`` = lowercase hex SHA-256 of the RFC 8785 bytes of the result
    without its ``result_hash`` member.

Evidence keys and ``evidence_root`` (for auditors re-implementing it)
    An evidence key is an on-chain event ``(block_number, tx_hash, log_index)``, an
    effect-log entry ``(log_id, sequence)``, or an effect-log range
    ``(log_id, first, last)`` standing for every entry from ``first`` to ``last``
    inclusive (high-volume indicators name the ranges their entries came from, not
    millions of single keys). Each indicator's evidence list is normalised: tx hashes
    lowercased, duplicates removed, then sorted with all on-chain keys first, ordered by
    ``(block_number, tx_hash, log_index)`` (the hash compared as a string), then all
    effect-log keys and ranges, ordered as tuples (``log_id`` compared by Unicode code
    points, then ``sequence`` or ``first``; an entry sorts before a range starting at the
    same sequence). Encoded as JSON arrays this is
    ``[[12, "0xab..", 0], ["dcity.sharing", 7], ["dcity.calls", 0, 99999]]``.

    The evidence root is the RFC 9162 Merkle tree hash (``ledger.effects.merkle.root``:
    leaf ``SHA-256(0x00 || entry)``, node ``SHA-256(0x01 || l || r)``) over exactly one
    entry per indicator of the spec, in spec order (I1, I2, I3, M1, ..., D4), whether
    rated or not. The entry of an indicator is the RFC 8785 canonical JSON, as UTF-8
    bytes, of its normalised evidence list; an indicator with no input or no evidence
    has the entry ``[]``. ``evidence_root`` is that 32-byte root in lowercase hex. The
    same lists appear in the result as each indicator's ``evidence``.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from typing import Any, Literal, TypeGuard, TypeVar

import rfc8785

from ledger.effects import merkle
from ledger.errors import LedgerValueError
from ledger.maturity.normalise import score as normalise_score
from ledger.maturity.spec import Band, CoverageRule, ElementSpec, IndicatorSpec, Spec
from ledger.times import format_timestamp

__all__ = [
    "NOT_RATED",
    "RATED",
    "Assessment",
    "ChainKey",
    "ElementOutcome",
    "EvidenceKey",
    "IndicatorInput",
    "IndicatorOutcome",
    "LogKey",
    "assess",
    "canonical_result_bytes",
    "compute_result",
    "evidence_leaf",
    "evidence_root",
    "normalise_evidence",
    "result_hash",
    "robustness",
    "round_half_even",
    "verify_result_hash",
    "weakest_element",
]

RATED = "RATED"
NOT_RATED = "NOT_RATED"

#: An on-chain event: ``(block number, tx hash as 0x-hex, log index)``.
ChainKey = tuple[int, str, int]
#: An effect-log entry: ``(log id, sequence)``.
LogKey = tuple[str, int]
#: A range of effect-log entries: ``(log id, first sequence, last sequence)``, inclusive.
LogRange = tuple[str, int, int]
EvidenceKey = ChainKey | LogKey | LogRange

Mean = Literal["geometric", "arithmetic"]
_T = TypeVar("_T")

_MAX_SAFE_INT = 2**53 - 1
_HEX_RE = re.compile(r"^0x[0-9a-f]+$")
_EXACT = Context(prec=800, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class IndicatorInput:
    """One indicator's measurement over a scope and window, made by an indicator function.

    - ``raw``: the raw value ``x`` (``None`` if it could not be computed; ``+inf``
      allowed, e.g. I1 when the median clause never converted);
    - ``numerator`` / ``denominator``: for ratio indicators, the counts behind ``raw``.
      For D4 they are the evaluation coverage instead, evaluated completed orders over
      completed orders, which the spec's 30% rule is checked on;
    - ``sample``: for medians and means (I1, M4, T3, D4), the values they were taken of;
    - ``n``: the number of observations, compared with the indicator's ``n_min``;
    - ``evidence``: the keys of every event and effect-log entry that entered the
      numerator, denominator or sample (any order; the engine sorts and de-duplicates);
    - ``not_rated_reason``: set by the indicator function when it knows the indicator
      cannot be rated (e.g. "no delivery due in the window");
    - ``listed``: ids shown beside the indicator but not counted (see the field).
    """

    id: str
    raw: float | None
    numerator: float | None = None
    denominator: float | None = None
    sample: Sequence[float] | None = None
    n: int = 0
    evidence: Sequence[EvidenceKey] = ()
    not_rated_reason: str | None = None
    #: Things listed beside the indicator but not counted (version 2's T1: reserved
    #: slots and systems of other kinds), by what they are. Written as ``listed`` only
    #: when set.
    listed: Mapping[str, Sequence[str]] | None = None


@dataclass(frozen=True)
class IndicatorOutcome:
    spec: IndicatorSpec
    input: IndicatorInput | None
    status: str
    reason: str | None
    score: float | None
    evidence: tuple[EvidenceKey, ...]


@dataclass(frozen=True)
class ElementOutcome:
    spec: ElementSpec
    indicators: tuple[IndicatorOutcome, ...]
    rated: int
    needed: int
    status: str
    reason: str | None
    score: float | None
    band: Band | None


@dataclass(frozen=True)
class Assessment:
    """Everything the result says, unrounded."""

    indicators: tuple[IndicatorOutcome, ...]
    elements: tuple[ElementOutcome, ...]
    m: float | None
    arithmetic_mean: float | None
    level: Band
    level_reason: str


# -- evidence ------------------------------------------------------------------------


def normalise_evidence(keys: Iterable[EvidenceKey]) -> tuple[EvidenceKey, ...]:
    """Check, de-duplicate and sort evidence keys: on-chain keys first, then log keys."""
    chain: set[ChainKey] = set()
    logs: set[LogKey | LogRange] = set()
    for key in keys:
        parts = tuple(key)
        if len(parts) == 3 and isinstance(parts[0], str):
            log_id, first, last = parts
            if not (log_id and _is_count(first) and _is_count(last) and first <= last):
                raise LedgerValueError(f"bad effect-log range {key!r}")
            logs.add((str(log_id), first, last))
        elif len(parts) == 3:
            block, tx_hash, log_index = parts
            tx = tx_hash.lower() if isinstance(tx_hash, str) else tx_hash
            if not (_is_count(block) and _is_count(log_index) and isinstance(tx, str)):
                raise LedgerValueError(f"bad on-chain evidence key {key!r}")
            if not _HEX_RE.match(tx):
                raise LedgerValueError(f"bad tx hash in evidence key {key!r}: expected 0x-hex")
            chain.add((block, tx, log_index))
        elif len(parts) == 2:
            log_id, sequence = parts
            if not (isinstance(log_id, str) and log_id and _is_count(sequence)):
                raise LedgerValueError(f"bad effect-log evidence key {key!r}")
            logs.add((log_id, sequence))
        else:
            raise LedgerValueError(
                f"an evidence key has 3 (on-chain) or 2 (effect-log) parts: {key!r}"
            )
    return (*sorted(chain), *sorted(logs, key=lambda k: (k[0], k[1], k[2] if len(k) == 3 else -1)))


def evidence_leaf(keys: Iterable[EvidenceKey]) -> bytes:
    """The Merkle entry of one indicator: RFC 8785 JSON of its normalised evidence list."""
    return rfc8785.dumps([list(k) for k in normalise_evidence(keys)])


def evidence_root(spec: Spec, evidence: Mapping[str, Iterable[EvidenceKey]]) -> str:
    """RFC 9162 root (hex) over one entry per spec indicator, in spec order."""
    leaves = [evidence_leaf(evidence.get(ind.id, ())) for ind in spec.indicators]
    return merkle.root(leaves).hex()


def _root_of_normalised(outcomes: Sequence[IndicatorOutcome]) -> str:
    """:func:`evidence_root` of outcomes in spec order, whose evidence lists are already
    normalised (normalising is idempotent, so the bytes are the same; this skips doing
    it twice)."""
    leaves = [rfc8785.dumps([list(k) for k in o.evidence]) for o in outcomes]
    return merkle.root(leaves).hex()


# -- assessment ----------------------------------------------------------------------


def assess(
    spec: Spec,
    inputs: Mapping[str, IndicatorInput],
    *,
    weights: Mapping[str, float] | None = None,
    mean: Mean = "geometric",
    goalposts: Mapping[str, tuple[float, float]] | None = None,
) -> Assessment:
    """Rate, score and aggregate. ``weights``, ``mean`` and ``goalposts`` (indicator id
    to ``(worst, best)``) override the spec for the robustness report."""
    _check_inputs(spec, inputs)
    indicators = tuple(
        _rate(spec, ind, inputs.get(ind.id), (goalposts or {}).get(ind.id))
        for ind in spec.indicators
    )
    elements = tuple(_element(spec, el, indicators) for el in spec.elements)
    not_rated = [e for e in elements if e.status != RATED]
    if not_rated:
        names = ", ".join(e.spec.name for e in not_rated)
        return Assessment(
            indicators=indicators,
            elements=elements,
            m=None,
            arithmetic_mean=None,
            level=spec.bands[0],
            level_reason=(
                f"{spec.bands[0].code} because not every element is rated; not rated: {names}"
            ),
        )
    w = [float((weights or {}).get(e.spec.id, e.spec.weight)) for e in elements]
    if any(not (math.isfinite(x) and x > 0) for x in w):
        raise LedgerValueError(f"element weights must be positive, got {w}")
    scores = [_known(e.score) for e in elements]
    floor = spec.element_score_floor
    total = math.fsum(w)
    m = math.exp(
        math.fsum(wi * math.log(max(s, floor)) for wi, s in zip(w, scores, strict=True)) / total
    )
    a = math.fsum(wi * s for wi, s in zip(w, scores, strict=True)) / total
    m, a = min(1.0, m), min(1.0, a)
    driver, label = (m, "M") if mean == "geometric" else (a, "the arithmetic mean")
    band_m = spec.band(round_half_even(driver, spec.decimal_places))
    lowest = min(_known(e.band).level for e in elements)
    if band_m.level <= lowest:
        level, reason = band_m, f"{band_m.code}: {label} is in band {band_m.code}"
    else:
        level = next(_known(e.band) for e in elements if _known(e.band).level == lowest)
        capped = ", ".join(e.spec.name for e in elements if _known(e.band).level == lowest)
        reason = (
            f"{level.code}: {label} is in band {band_m.code}, capped at {level.code}"
            f" by the weakest element: {capped}"
        )
    return Assessment(indicators, elements, m, a, level, reason)


def _check_inputs(spec: Spec, inputs: Mapping[str, IndicatorInput]) -> None:
    known = {ind.id for ind in spec.indicators}
    for key, value in inputs.items():
        if key not in known:
            raise LedgerValueError(
                f"unknown indicator {key!r}; spec v{spec.version} has {sorted(known)}"
            )
        if value.id != key:
            raise LedgerValueError(f"input filed under {key!r} is for indicator {value.id!r}")
        if not _is_count(value.n):
            raise LedgerValueError(f"{key}: n must be a non-negative integer, got {value.n!r}")
        if value.raw is not None and math.isnan(value.raw):
            raise LedgerValueError(f"{key}: raw value is NaN")


def rating_problem(spec: Spec, inp: IndicatorInput) -> str | None:
    """Why ``inp`` would be NOT_RATED under ``spec`` (n_min, coverage), or None if rated."""
    return _not_rated_reason(spec.indicator(inp.id), inp, spec.coverage_rule(inp.id))


def _rate(
    spec: Spec,
    ind: IndicatorSpec,
    inp: IndicatorInput | None,
    goalposts: tuple[float, float] | None,
) -> IndicatorOutcome:
    if inp is None:
        return IndicatorOutcome(ind, None, NOT_RATED, "no observations", None, ())
    evidence = normalise_evidence(inp.evidence)
    reason = _not_rated_reason(ind, inp, spec.coverage_rule(ind.id))
    if reason is not None:
        return IndicatorOutcome(ind, inp, NOT_RATED, reason, None, evidence)
    worst, best = goalposts if goalposts is not None else (ind.worst, ind.best)
    value = normalise_score(_known(inp.raw), ind.f, worst, best)
    return IndicatorOutcome(ind, inp, RATED, None, value, evidence)


def _not_rated_reason(
    ind: IndicatorSpec, inp: IndicatorInput, rule: CoverageRule | None
) -> str | None:
    if inp.not_rated_reason:
        return inp.not_rated_reason
    if inp.n < ind.n_min:
        return f"{ind.count(inp.n)} observed, fewer than the {ind.count(ind.n_min)} required"
    if inp.raw is None:
        return "no raw value"
    if rule is not None:
        num, den = inp.numerator, inp.denominator
        if num is None or den is None or den <= 0:
            return f"no {rule.denominator} to judge coverage on"
        if Fraction(num) / Fraction(den) < rule.min_share:
            return (
                f"{_plain(num)} of {_plain(den)} {rule.denominator} {rule.numerator},"
                f" fewer than {_percent(rule.min_share)}"
            )
    return None


def _element(
    spec: Spec, el: ElementSpec, indicators: tuple[IndicatorOutcome, ...]
) -> ElementOutcome:
    mine = tuple(o for o in indicators if o.spec.element == el.id)
    rated = [_known(o.score) for o in mine if o.status == RATED]
    needed = spec.min_rated(len(mine))
    if Fraction(len(rated), len(mine)) < spec.element_min_rated_share:
        reason = (
            f"{len(rated)} of {len(mine)} indicators rated, fewer than the {needed} needed"
            f" ({_fraction_text(spec.element_min_rated_share)})"
        )
        return ElementOutcome(el, mine, len(rated), needed, NOT_RATED, reason, None, None)
    value = min(1.0, math.fsum(rated) / len(rated))
    band = spec.band(round_half_even(value, spec.decimal_places))
    return ElementOutcome(el, mine, len(rated), needed, RATED, None, value, band)


# -- the result ----------------------------------------------------------------------


def compute_result(
    spec: Spec,
    inputs: Mapping[str, IndicatorInput],
    *,
    scope: str | None,
    window_start: int | datetime,
    window_end: int | datetime,
    as_of_block: int,
    as_of_hash: str,
    as_of_time: int | datetime,
    chain_id: int,
) -> dict[str, Any]:
    """The score result of MATURITY.md "Output and evidence", with its ``result_hash``.

    ``scope`` is a department id, or ``None`` (or ``"city"``) for the whole city; the
    result says ``"city"`` or the id. Times are UTC seconds (block time) or aware
    datetimes.
    """
    start, end, at = _seconds(window_start), _seconds(window_end), _seconds(as_of_time)
    if start > end:
        raise LedgerValueError(f"window starts ({start}) after it ends ({end})")
    if not (_is_count(as_of_block) and _is_count(chain_id)):
        raise LedgerValueError("as_of_block and chain_id must be non-negative integers")
    block_hash = as_of_hash.lower()
    if not _HEX_RE.match(block_hash):
        raise LedgerValueError(f"as_of_hash must be 0x-hex, got {as_of_hash!r}")
    assessment = assess(spec, inputs)
    places = spec.decimal_places
    result: dict[str, Any] = {
        "spec_version": spec.version,
        "spec_hash": spec.spec_hash,
        "scope": scope or "city",
        "window": {"start": start, "end": end, "start_utc": _iso(start), "end_utc": _iso(end)},
        "as_of": {"block": as_of_block, "hash": block_hash, "time": at, "time_utc": _iso(at)},
        "chain_id": chain_id,
        "indicators": [_render_indicator(o, places) for o in assessment.indicators],
        "elements": [_render_element(e, places) for e in assessment.elements],
        "M": _out(assessment.m, places),
        "arithmetic_mean": _out(assessment.arithmetic_mean, places),
        "level": assessment.level.code,
        "level_name": assessment.level.name,
        "level_reason": assessment.level_reason,
        "evidence_root": _root_of_normalised(assessment.indicators),
    }
    result["result_hash"] = result_hash(result)
    return result


def canonical_result_bytes(result: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical JSON of a result, as it is given."""
    return rfc8785.dumps(dict(result))


def result_hash(result: Mapping[str, Any]) -> str:
    """SHA-256 hex of the canonical result without its ``result_hash`` member."""
    body = {k: v for k, v in result.items() if k != "result_hash"}
    return hashlib.sha256(canonical_result_bytes(body)).hexdigest()


def verify_result_hash(result: Mapping[str, Any]) -> bool:
    """Whether a result's ``result_hash`` matches its content."""
    return result.get("result_hash") == result_hash(result)


def _render_indicator(o: IndicatorOutcome, places: int) -> dict[str, Any]:
    inp = o.input
    sample = None
    if inp is not None and inp.sample is not None:
        sample = [_out(float(v), places) for v in sorted(_checked_sample(o.spec.id, inp.sample))]
    rendered: dict[str, Any] = {
        "id": o.spec.id,
        "element": o.spec.element,
        "name": o.spec.name,
        "status": o.status,
        "reason": o.reason,
        "raw": _out(inp.raw if inp else None, places),
        "numerator": _out(inp.numerator if inp else None, places),
        "denominator": _out(inp.denominator if inp else None, places),
        "sample": sample,
        "n": inp.n if inp else 0,
        "n_min": o.spec.n_min,
        "score": _out(o.score, places),
        "evidence": [list(k) for k in o.evidence],
    }
    if inp is not None and inp.listed is not None:
        rendered["listed"] = {k: sorted(str(v) for v in vs) for k, vs in inp.listed.items()}
    return rendered


def _render_element(e: ElementOutcome, places: int) -> dict[str, Any]:
    return {
        "id": e.spec.id,
        "name": e.spec.name,
        "status": e.status,
        "reason": e.reason,
        "score": _out(e.score, places),
        "level": e.band.code if e.band else None,
        "level_name": e.band.name if e.band else None,
        "rated": e.rated,
        "total": len(e.indicators),
        "needed": e.needed,
    }


def weakest_element(result: Mapping[str, Any]) -> dict[str, Any]:
    """The element that holds the score back, from a result, with a one-line explanation.

    Not-rated elements come first (the one with the fewest rated indicators), then the
    lowest element score; ties go to the element first in spec order. Not part of the
    hashed result: the CLI and API derive it for display.
    """
    elements = list(result["elements"])
    indicators = list(result["indicators"])

    def rank(item: tuple[int, Mapping[str, Any]]) -> tuple[int, float, int]:
        order, el = item
        if el["status"] != RATED:
            return (0, el["rated"] / el["total"], order)
        return (1, float(el["score"]), order)

    _, el = min(enumerate(elements), key=rank)
    mine = [i for i in indicators if i["element"] == el["id"]]
    unrated = [i for i in mine if i["status"] != RATED]
    if el["status"] != RATED:
        listed = "; ".join(f"{i['id']} {i['name']} ({i['reason']})" for i in unrated)
        explanation = (
            f"{el['name']} is not rated: {el['rated']} of {el['total']} indicators rated,"
            f" {el['needed']} needed. Not rated: {listed}"
        )
    else:
        rated = [i for i in mine if i["status"] == RATED]
        low = min(rated, key=lambda i: float(i["score"]))
        explanation = (
            f"{el['name']} has the lowest element score, {float(el['score']):.3f}"
            f" ({el['level']} {el['level_name']}); its weakest indicator is {low['id']}"
            f" {low['name']} at {float(low['score']):.3f}"
        )
        if unrated:
            explanation += "; not rated: " + ", ".join(i["id"] for i in unrated)
    return {
        "element": el["id"],
        "name": el["name"],
        "status": el["status"],
        "score": el["score"],
        "level": el["level"],
        "explanation": explanation,
    }


# -- robustness ----------------------------------------------------------------------


def robustness(spec: Spec, inputs: Mapping[str, IndicatorInput]) -> dict[str, Any]:
    """How the overall level moves under the changes of MATURITY.md "Robustness report".

    One change at a time, each from the spec as published:

    - each element weight times ``1 - 0.2`` and ``1 + 0.2`` (weighted geometric mean);
    - the arithmetic mean in place of the geometric mean;
    - each goalpost of each indicator moved 10% of the way toward the other, in raw
      ``x`` space (the space the goalposts are written in):
      ``worst' = worst + 0.1 * (best - worst)`` or ``best' = best + 0.1 * (worst - best)``.

    ``fragile`` is true when any change gives another overall level than the spec's.
    When an element is not rated the level is L1 whatever these change, so it never
    flips.
    """
    places = spec.decimal_places
    base = assess(spec, inputs)
    variants: list[dict[str, Any]] = []

    def record(change: dict[str, Any], outcome: Assessment) -> None:
        variants.append(
            {
                **change,
                "M": _out(outcome.m, places),
                "arithmetic_mean": _out(outcome.arithmetic_mean, places),
                "level": outcome.level.code,
                "flips": outcome.level.level != base.level.level,
            }
        )

    delta = spec.weight_change
    for el in spec.elements:
        for factor in (1.0 - delta, 1.0 + delta):
            weight = el.weight * factor
            change = {"change": "weight", "element": el.id, "weight": _out(weight, places)}
            record(change, assess(spec, inputs, weights={el.id: weight}))
    record({"change": "mean", "mean": "arithmetic"}, assess(spec, inputs, mean="arithmetic"))
    shift = spec.goalpost_shift
    for ind in spec.indicators:
        moved_worst = ind.worst + shift * (ind.best - ind.worst)
        moved_best = ind.best + shift * (ind.worst - ind.best)
        for which, posts in (("worst", (moved_worst, ind.best)), ("best", (ind.worst, moved_best))):
            old = ind.worst if which == "worst" else ind.best
            new = posts[0] if which == "worst" else posts[1]
            change = {
                "change": "goalpost",
                "indicator": ind.id,
                "goalpost": which,
                "from": _out(old, places),
                "to": _out(new, places),
            }
            record(change, assess(spec, inputs, goalposts={ind.id: posts}))
    return {
        "spec_version": spec.version,
        "spec_hash": spec.spec_hash,
        "M": _out(base.m, places),
        "arithmetic_mean": _out(base.arithmetic_mean, places),
        "level": base.level.code,
        "variants": variants,
        "fragile": any(v["flips"] for v in variants),
        "flipped_by": [_describe(v) for v in variants if v["flips"]],
    }


def _describe(variant: Mapping[str, Any]) -> str:
    if variant["change"] == "weight":
        return f"weight of {variant['element']} at {variant['weight']}: {variant['level']}"
    if variant["change"] == "mean":
        return f"arithmetic mean: {variant['level']}"
    return (
        f"{variant['indicator']} {variant['goalpost']} goalpost"
        f" {variant['from']} -> {variant['to']}: {variant['level']}"
    )


# -- small helpers -------------------------------------------------------------------


def _is_count(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_SAFE_INT


def _known(value: _T | None) -> _T:
    """``value``, which the logic guarantees is set (narrows the type for mypy)."""
    if value is None:
        raise AssertionError("a value the engine set is missing")
    return value


def _checked_sample(indicator: str, sample: Sequence[float]) -> list[float]:
    values = [float(v) for v in sample]
    if any(math.isnan(v) for v in values):
        raise LedgerValueError(f"{indicator}: sample holds NaN")
    return values


def _out(value: float | int | None, places: int) -> float | int | str | None:
    """A number as the result writes it: ints as they are, floats rounded half-even."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise LedgerValueError(f"a number was expected, got {value!r}")
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INT:
            raise LedgerValueError(f"integer {value} is outside the exact range of JSON numbers")
        return value
    x = float(value)
    if math.isnan(x):
        raise LedgerValueError("NaN cannot be written")
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return round_half_even(x, places)


def round_half_even(x: float, places: int) -> float:
    """``x``'s exact binary value rounded half-even to ``places`` decimals, as a double."""
    rounded = float(Decimal(x).quantize(Decimal(1).scaleb(-places), context=_EXACT))
    return rounded + 0.0  # turns -0.0 into 0.0


def _plain(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _percent(share: Fraction) -> str:
    pct = share * 100
    return f"{pct.numerator}%" if pct.denominator == 1 else f"{float(pct)}%"


def _fraction_text(share: Fraction) -> str:
    return "two thirds" if share == Fraction(2, 3) else f"{share.numerator}/{share.denominator}"


def _seconds(value: int | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise LedgerValueError("times must be timezone-aware (UTC)")
        return math.floor(value.timestamp())
    if not (isinstance(value, int) and not isinstance(value, bool)):
        raise LedgerValueError(f"a time is UTC seconds or an aware datetime, got {value!r}")
    return value


def _iso(seconds: int) -> str:
    return format_timestamp(seconds)

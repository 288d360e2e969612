"""The versioned scoring spec (MATURITY.md) as data: goalposts, thresholds, bands.

Every parameter of the engine lives in ``spec_v<N>.json`` beside this module. Its
``spec_hash`` is the SHA-256 (lowercase hex) of that file's bytes exactly as
packaged, read through :mod:`importlib.resources`; a changed goalpost, weight or
threshold is a new file and a new version, never an edit.

Thresholds that must be compared exactly are written in the file as strings holding
a rational number (``"2/3"``, ``"0.3"``) and loaded as :class:`fractions.Fraction`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, cast

from ledger.errors import LedgerError, LedgerValueError
from ledger.maturity.normalise import TRANSFORMS, Transform, check_goalposts

__all__ = [
    "Band",
    "CoverageRule",
    "ElementSpec",
    "IndicatorSpec",
    "Spec",
    "SpecError",
    "Transform",
    "load_spec",
    "spec_bytes",
]


class SpecError(LedgerError):
    """A scoring spec is missing or malformed."""

    def __init__(self, version: int, message: str) -> None:
        self.version = version
        super().__init__(f"maturity spec v{version}: {message}")


@dataclass(frozen=True)
class ElementSpec:
    """One of the four elements, with the weight the robustness report varies."""

    id: str
    name: str
    weight: float


@dataclass(frozen=True)
class IndicatorSpec:
    """One row of the indicator table: normalisation and the observations it needs."""

    id: str
    element: str
    name: str
    unit_of_x: str
    f: Transform
    worst: float
    best: float
    n_min: int
    unit: str
    units: str

    def count(self, n: int) -> str:
        """``n`` with this indicator's unit: ``1 clause``, ``2 clauses``."""
        return f"{n} {self.unit if n == 1 else self.units}"


@dataclass(frozen=True)
class Band:
    """A level: ``[lower, next band's lower)``, the last one closed at 1."""

    level: int
    code: str
    name: str
    lower: float


@dataclass(frozen=True)
class CoverageRule:
    """An indicator is not rated unless ``numerator / denominator >= min_share``.

    The share is the indicator input's own ``numerator / denominator`` (for D4:
    evaluated completed orders over completed orders). ``numerator`` and
    ``denominator`` here are the words the not-rated reason uses for them.
    """

    indicator: str
    min_share: Fraction
    numerator: str
    denominator: str


@dataclass(frozen=True)
class Spec:
    """A loaded scoring spec. ``spec_hash`` pins the exact file it came from."""

    version: int
    spec_hash: str
    elements: tuple[ElementSpec, ...]
    indicators: tuple[IndicatorSpec, ...]
    coverage_rules: tuple[CoverageRule, ...]
    element_min_rated_share: Fraction
    element_score_floor: float
    bands: tuple[Band, ...]
    default_window_days: int
    decimal_places: int
    weight_change: float
    goalpost_shift: float

    def indicator(self, indicator_id: str) -> IndicatorSpec:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def element(self, element_id: str) -> ElementSpec:
        for el in self.elements:
            if el.id == element_id:
                return el
        raise KeyError(element_id)

    def indicators_of(self, element_id: str) -> tuple[IndicatorSpec, ...]:
        """The indicators of an element, in spec order."""
        return tuple(ind for ind in self.indicators if ind.element == element_id)

    def coverage_rule(self, indicator_id: str) -> CoverageRule | None:
        for rule in self.coverage_rules:
            if rule.indicator == indicator_id:
                return rule
        return None

    def min_rated(self, total: int) -> int:
        """The fewest rated indicators out of ``total`` for an element to be rated."""
        share = self.element_min_rated_share
        return math.ceil(share * total)

    def band(self, value: float) -> Band:
        """The band holding a score in [0, 1]."""
        if not 0.0 <= value <= 1.0:
            raise LedgerValueError(f"a score must lie in [0, 1], got {value!r}")
        chosen = self.bands[0]
        for band in self.bands:
            if value >= band.lower:
                chosen = band
        return chosen


def spec_bytes(version: int = 1) -> bytes:
    """The spec file's bytes exactly as packaged."""
    resource = resources.files("ledger.maturity").joinpath(f"spec_v{version}.json")
    try:
        return resource.read_bytes()
    except FileNotFoundError as err:
        raise SpecError(version, "no such spec version") from err


def load_spec(version: int = 1) -> Spec:
    """Load and check spec ``version``; the result is cached and immutable."""
    return _load(version)


@cache
def _load(version: int) -> Spec:
    raw = spec_bytes(version)
    try:
        data = json.loads(raw)
        spec = _build(version, hashlib.sha256(raw).hexdigest(), data)
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as err:
        raise SpecError(version, f"malformed: {err}") from err
    return spec


def _fraction(value: Any) -> Fraction:
    if not isinstance(value, str):
        raise LedgerValueError(f"exact thresholds are written as strings, got {value!r}")
    return Fraction(value)


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LedgerValueError(f"expected a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise LedgerValueError(f"expected a finite number, got {value!r}")
    return number


def _build(version: int, digest: str, data: dict[str, Any]) -> Spec:
    if data["spec_version"] != version:
        raise LedgerValueError(f"file says version {data['spec_version']}")
    elements = tuple(
        ElementSpec(id=str(e["id"]), name=str(e["name"]), weight=_number(e["weight"]))
        for e in data["elements"]
    )
    element_ids = [e.id for e in elements]
    if len(set(element_ids)) != len(element_ids):
        raise LedgerValueError("duplicate element id")
    indicators = tuple(_indicator(i, element_ids) for i in data["indicators"])
    indicator_ids = [i.id for i in indicators]
    if len(set(indicator_ids)) != len(indicator_ids):
        raise LedgerValueError("duplicate indicator id")
    for element_id in element_ids:
        if element_id not in {i.element for i in indicators}:
            raise LedgerValueError(f"element {element_id} has no indicator")
    rules = tuple(
        CoverageRule(
            indicator=str(r["indicator"]),
            min_share=_fraction(r["min_share"]),
            numerator=str(r["numerator"]),
            denominator=str(r["denominator"]),
        )
        for r in data["coverage_rules"]
    )
    for rule in rules:
        if rule.indicator not in indicator_ids:
            raise LedgerValueError(f"coverage rule for unknown indicator {rule.indicator}")
    bands = tuple(
        Band(
            level=int(b["level"]),
            code=str(b["code"]),
            name=str(b["name"]),
            lower=_number(b["lower"]),
        )
        for b in data["bands"]
    )
    if not bands or bands[0].lower != 0.0:
        raise LedgerValueError("the first band must start at 0")
    if any(a.lower >= b.lower or a.level >= b.level for a, b in itertools.pairwise(bands)):
        raise LedgerValueError("bands must rise")
    if bands[-1].lower > 1.0:
        raise LedgerValueError("bands must lie in [0, 1]")
    rounding = data["rounding"]
    if rounding["mode"] != "half-even":
        raise LedgerValueError(f"unsupported rounding mode {rounding['mode']!r}")
    return Spec(
        version=version,
        spec_hash=digest,
        elements=elements,
        indicators=indicators,
        coverage_rules=rules,
        element_min_rated_share=_fraction(data["element_min_rated_share"]),
        element_score_floor=_number(data["element_score_floor"]),
        bands=bands,
        default_window_days=int(data["default_window_days"]),
        decimal_places=int(rounding["decimal_places"]),
        weight_change=_number(data["robustness"]["weight_change"]),
        goalpost_shift=_number(data["robustness"]["goalpost_shift"]),
    )


def _indicator(row: dict[str, Any], element_ids: list[str]) -> IndicatorSpec:
    f = row["f"]
    if f not in TRANSFORMS:
        raise LedgerValueError(f"indicator {row['id']}: unknown f {f!r}")
    if row["element"] not in element_ids:
        raise LedgerValueError(f"indicator {row['id']}: unknown element {row['element']!r}")
    n_min = row["n_min"]
    if isinstance(n_min, bool) or not isinstance(n_min, int) or n_min < 1:
        raise LedgerValueError(f"indicator {row['id']}: n_min must be a positive integer")
    worst, best = _number(row["worst"]), _number(row["best"])
    check_goalposts(cast(Transform, f), worst, best)
    return IndicatorSpec(
        id=str(row["id"]),
        element=str(row["element"]),
        name=str(row["name"]),
        unit_of_x=str(row["unit_of_x"]),
        f=cast(Transform, f),
        worst=worst,
        best=best,
        n_min=n_min,
        unit=str(row["unit"]),
        units=str(row["units"]),
    )

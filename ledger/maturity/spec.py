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
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from importlib import resources
from typing import Any, Literal, cast

from ledger.errors import LedgerError, LedgerValueError
from ledger.maturity.normalise import TRANSFORMS, Transform, check_goalposts

__all__ = [
    "LATEST_VERSION",
    "Band",
    "CoverageRule",
    "Definitions",
    "ElementSpec",
    "IndicatorSpec",
    "Spec",
    "SpecError",
    "Transform",
    "UnknownSpecVersion",
    "load_spec",
    "spec_bytes",
    "spec_for_hash",
    "spec_versions",
]


class SpecError(LedgerError):
    """A scoring spec is missing or malformed."""

    def __init__(self, version: int, message: str) -> None:
        self.version = version
        super().__init__(f"maturity spec v{version}: {message}")


class UnknownSpecVersion(SpecError, LedgerValueError):
    """No packaged spec has this version (or ``spec_hash``): the caller asked for it."""


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


ClauseStart = Literal["effective", "later_of_effective_and_anchor"]
M4Observation = Literal["last_transfer_per_order", "per_transfer"]


@dataclass(frozen=True)
class Definitions:
    """The definitions that differ between versions ("Definitions the indicators rely on").

    A spec file without a ``definitions`` member (version 1) gets these defaults, which
    are version 1's definitions; version 2 writes its own in its file.
    """

    #: Event names that count as execution events for I1.
    execution_events: tuple[str, ...] = ("DeliveryRecorded", "DrillHeld", "OrderCompleted")
    #: An anchored checkpoint covering entries that cite a clause executes it (I1).
    checkpoints_execute: bool = False
    #: A clause's start: its effective time, or the later of that and its anchor's time.
    clause_start: ClauseStart = "effective"
    #: I1 sample: clauses started within this many days of the window's end, plus the
    #: older ones not executed; ``None``: every in-force clause.
    i1_horizon_days: int | None = None
    #: Effect-log entries cite clauses (through agreement, system or log) for I1 and I3.
    effect_log_citations: bool = False
    #: T1 counts systems of these kinds only (``None``: every kind).
    t1_system_kinds: tuple[str, ...] | None = None
    #: T1 counts reserved slots in its denominator.
    t1_count_reserved: bool = True
    #: T2 rounds each system's expected heartbeats down to a whole number.
    t2_round_expected: bool = True
    #: M4: one observation per handled order (from its last transfer), or per transfer.
    m4_observation: M4Observation = "last_transfer_per_order"


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
    definitions: Definitions = Definitions()

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


def spec_versions() -> tuple[int, ...]:
    """Every spec version in the package, oldest first."""
    found = []
    for entry in resources.files("ledger.maturity").iterdir():
        match = _FILE_RE.match(entry.name)
        if match:
            found.append(int(match.group(1)))
    return tuple(sorted(found))


_FILE_RE = re.compile(r"^spec_v([1-9][0-9]*)\.json$")
#: The newest version in the package: a new score uses it unless asked otherwise.
LATEST_VERSION = 2


def spec_bytes(version: int = LATEST_VERSION) -> bytes:
    """The spec file's bytes exactly as packaged."""
    resource = resources.files("ledger.maturity").joinpath(f"spec_v{version}.json")
    try:
        return resource.read_bytes()
    except FileNotFoundError as err:
        raise UnknownSpecVersion(version, "no such spec version") from err


def load_spec(version: int | None = None) -> Spec:
    """Load and check spec ``version`` (default: the latest); cached and immutable."""
    if version is None:
        version = LATEST_VERSION
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise UnknownSpecVersion(0, f"a spec version is a positive integer, got {version!r}")
    return _load(version)


def spec_for_hash(spec_hash: str) -> Spec:
    """The packaged spec whose ``spec_hash`` this is (a published score names its spec so)."""
    wanted = spec_hash.lower().removeprefix("0x")
    for version in spec_versions():
        spec = load_spec(version)
        if spec.spec_hash == wanted:
            return spec
    raise UnknownSpecVersion(0, f"no packaged spec has spec_hash {spec_hash}")


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
        definitions=_definitions(data.get("definitions")),
    )


def _definitions(raw: Any) -> Definitions:
    if raw is None:
        return Definitions()
    if not isinstance(raw, dict):
        raise LedgerValueError("definitions must be an object")
    known = set(Definitions.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise LedgerValueError(f"unknown definitions {unknown}")
    defaults = Definitions()
    start = raw.get("clause_start", defaults.clause_start)
    if start not in ("effective", "later_of_effective_and_anchor"):
        raise LedgerValueError(f"unknown clause_start {start!r}")
    m4 = raw.get("m4_observation", defaults.m4_observation)
    if m4 not in ("last_transfer_per_order", "per_transfer"):
        raise LedgerValueError(f"unknown m4_observation {m4!r}")
    horizon = raw.get("i1_horizon_days", defaults.i1_horizon_days)
    if horizon is not None and (isinstance(horizon, bool) or not isinstance(horizon, int)):
        raise LedgerValueError(f"i1_horizon_days must be an integer, got {horizon!r}")
    kinds = raw.get("t1_system_kinds", defaults.t1_system_kinds)
    return Definitions(
        execution_events=tuple(
            str(e) for e in raw.get("execution_events", defaults.execution_events)
        ),
        checkpoints_execute=_flag(raw, "checkpoints_execute", defaults.checkpoints_execute),
        clause_start=cast(ClauseStart, start),
        i1_horizon_days=horizon,
        effect_log_citations=_flag(raw, "effect_log_citations", defaults.effect_log_citations),
        t1_system_kinds=None if kinds is None else tuple(str(k) for k in kinds),
        t1_count_reserved=_flag(raw, "t1_count_reserved", defaults.t1_count_reserved),
        t2_round_expected=_flag(raw, "t2_round_expected", defaults.t2_round_expected),
        m4_observation=cast(M4Observation, m4),
    )


def _flag(raw: dict[str, Any], name: str, default: bool) -> bool:
    value = raw.get(name, default)
    if not isinstance(value, bool):
        raise LedgerValueError(f"{name} must be true or false, got {value!r}")
    return value


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

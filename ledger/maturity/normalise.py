"""Normalisation of a raw indicator value to a 0-1 score (MATURITY.md, "Normalisation").

    s = clamp((f(x) - f(worst)) / (f(best) - f(worst)), 0, 1)

with ``f`` one of ``id`` (identity), ``ln`` (natural log) and ``nl1m``
(``-ln(1 - x)``, for rates close to 1). The order of the goalposts gives the
direction: where lower is better, ``worst > best``.

``f`` is extended to the whole real line, monotonically, so that every raw value
has a score:

- ``ln``: ``f(x) = -inf`` for ``x <= 0`` and ``f(+inf) = +inf``;
- ``nl1m``: ``f(x) = +inf`` for ``x >= 1`` (``-ln(0)``) and ``f(-inf) = -inf``;
- ``id``: ``f(±inf) = ±inf``.

An infinite ``f(x)`` sits beyond one goalpost and so scores exactly 0 or 1 after
the clamp: with I1's goalposts ``365 -> 7`` (lower is better), a cycle of ``+inf``
days scores 0; with T2's ``0.9 -> 0.999``, an availability of 1 scores 1.

A NaN raw value, an unknown ``f`` and goalposts that are infinite, outside
``f``'s domain (``ln`` needs ``> 0``, ``nl1m`` needs ``< 1``) or equal after ``f``
raise :class:`ValueError`.
"""

from __future__ import annotations

import math
from typing import Literal

from ledger.errors import LedgerValueError

__all__ = ["TRANSFORMS", "Transform", "check_goalposts", "raw_for_score", "score", "transform"]

Transform = Literal["id", "ln", "nl1m"]
TRANSFORMS: tuple[Transform, ...] = ("id", "ln", "nl1m")


def transform(x: float, f: str) -> float:
    """``f(x)``, extended to ``±inf`` outside ``f``'s domain as the module says."""
    if math.isnan(x):
        raise LedgerValueError("a raw value cannot be NaN")
    if f == "id":
        return float(x)
    if f == "ln":
        if x <= 0.0:
            return -math.inf
        return math.inf if math.isinf(x) else math.log(x)
    if f == "nl1m":
        if x >= 1.0:
            return math.inf
        return -math.inf if math.isinf(x) else -math.log(1.0 - x)
    raise LedgerValueError(
        f"unknown normalisation f {f!r}; expected one of {', '.join(TRANSFORMS)}"
    )


def check_goalposts(f: str, worst: float, best: float) -> None:
    """Raise :class:`ValueError` unless ``worst`` and ``best`` make a usable scale for ``f``."""
    for name, value in (("worst", worst), ("best", best)):
        if not math.isfinite(value):
            raise LedgerValueError(f"goalpost {name} must be finite, got {value!r}")
        if not math.isfinite(transform(value, f)):
            raise LedgerValueError(f"goalpost {name}={value!r} is outside the domain of {f}")
    if transform(worst, f) == transform(best, f):
        raise LedgerValueError(f"goalposts worst={worst!r} and best={best!r} coincide under {f}")


def score(x: float, f: str, worst: float, best: float) -> float:
    """The score of raw value ``x`` on goalposts ``worst -> best``, in [0, 1].

    Exactly 0 at ``worst`` (and beyond it), exactly 1 at ``best`` (and beyond it).
    """
    check_goalposts(f, worst, best)
    fx, fw, fb = transform(x, f), transform(worst, f), transform(best, f)
    if math.isinf(fx):
        # Beyond every finite goalpost: the side it lies on decides.
        return 1.0 if (fx > 0) == (fb > fw) else 0.0
    s = (fx - fw) / (fb - fw)
    return min(1.0, max(0.0, s))


def raw_for_score(s: float, f: str, worst: float, best: float) -> float:
    """The raw value whose score is ``s`` in [0, 1]: :func:`score` inverted,
    ``x = f^-1(f(worst) + s * (f(best) - f(worst)))`` (``exp`` for ``ln``,
    ``1 - exp(-y)`` for ``nl1m``). The goalposts' order gives the direction, as in
    :func:`score`: 0 gives ``worst`` and 1 gives ``best``."""
    check_goalposts(f, worst, best)
    if not (math.isfinite(s) and 0.0 <= s <= 1.0):
        raise LedgerValueError(f"a score must lie in [0, 1], got {s!r}")
    if s == 0.0:
        return float(worst)
    if s == 1.0:
        return float(best)
    fw, fb = transform(worst, f), transform(best, f)
    y = fw + s * (fb - fw)
    if f == "ln":
        return math.exp(y)
    if f == "nl1m":
        return -math.expm1(-y)
    return y

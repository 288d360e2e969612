"""One audit check and a report of many: what was checked, whether it held, and where not."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Check:
    """The outcome of one check.

    ``area`` groups checks (records, index, effects, scores, findings, bundle);
    ``subject`` names what was checked; on a failure ``detail`` says what differs and
    ``where`` locates it (a record and version, a block/tx/log index, a log sequence
    number, an indicator, a file).
    """

    area: str
    subject: str
    ok: bool
    detail: str
    where: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AuditReport:
    checks: list[Check] = field(default_factory=list)
    #: Facts worth telling that are neither pass nor fail (say, an index behind the head).
    notes: list[str] = field(default_factory=list)

    def add(self, area: str, subject: str, ok: bool, detail: str, where: str | None = None) -> None:
        self.checks.append(Check(area, subject, ok, detail, where))

    def extend(self, checks: list[Check]) -> None:
        self.checks.extend(checks)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.checks)

    @property
    def failures(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    def verdict(self) -> str:
        total, failed = len(self.checks), len(self.failures)
        if failed == 0:
            return f"all {total} checks passed"
        return f"{failed} of {total} checks failed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "verdict": self.verdict(),
            "checks": [c.to_dict() for c in self.checks],
            "notes": list(self.notes),
        }


__all__ = ["AuditReport", "Check"]

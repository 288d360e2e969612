"""A page is made of panels; a panel whose data cannot be read shows why, alone.

Each panel's data is read through :meth:`Panels.run`: an error becomes the same
problem detail the JSON API would answer (its status, title and ``detail``), shown
in that panel while the rest of the page renders.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from fastapi import Request

from api.errors import problem_for

T = TypeVar("T")


@dataclass(frozen=True)
class Problem:
    status: int
    title: str
    detail: str

    @classmethod
    def of(cls, request: Request, exc: Exception) -> Problem:
        response = problem_for(request, exc)
        body = json.loads(bytes(response.body))
        return cls(int(body["status"]), str(body["title"]), str(body["detail"]))


@dataclass(frozen=True)
class Panel(Generic[T]):
    """A panel's data, or the problem that kept it from being read."""

    value: T | None = None
    problem: Problem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


class Panels:
    """Reads panels for one request."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def run(self, read: Callable[[], T]) -> Panel[T]:
        try:
            return Panel(read())
        except Exception as exc:  # every failure degrades only its panel
            return Panel(None, Problem.of(self.request, exc))

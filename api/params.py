"""Query parameters shared by the list routes: one page, and one set of filter names.

Every list route pages with ``limit`` (1..:data:`MAX_LIMIT`, default
:data:`DEFAULT_LIMIT`) and ``offset`` (0..:data:`MAX_OFFSET`), and answers the
envelope ``{data, count, total, limit, offset}`` (:class:`api.models.ListPublic`):
``count`` rows in this page, ``total`` rows matching the filters.

Filters are named after the ids they match, the same on every route:

- ``policy_id``: rows of this policy;
- ``department_id``: rows this department is party to (provider or consumer,
  operator or handler, owner, attester, addressee: the route's description says which);
- ``status``: rows in this state (findings).

``policy`` and ``department``, the names some routes used before, are still
accepted as deprecated aliases, read only when the new name is absent.

(No ``from __future__ import annotations`` here: FastAPI reads the annotations of the
dependencies :func:`department_filter` makes at run time, and they name its argument.)
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query

from ledger.ids import ID_PATTERN

#: A transaction or block hash: 0x and 64 hex digits.
HASH_PATTERN = r"^0x[0-9a-fA-F]{64}$"

#: The largest page a list route answers.
MAX_LIMIT = 1000
#: The page size when ``limit`` is not given.
DEFAULT_LIMIT = 100
#: The largest ``offset`` (beyond any ledger's rows; keeps SQL's 64-bit OFFSET safe).
MAX_OFFSET = 1_000_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class Page:
    """Which rows of a list: ``limit`` of them from ``offset``."""

    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def of(self, rows: Sequence[T]) -> list[T]:
        """This page of ``rows``."""
        return list(rows[self.offset : self.offset + self.limit])


def _page(
    limit: Annotated[
        int, Query(ge=1, le=MAX_LIMIT, description="Rows in a page, at most 1000.")
    ] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="Rows to skip before the page.")
    ] = 0,
) -> Page:
    return Page(limit, offset)


PageDep = Annotated[Page, Depends(_page)]


def id_path(what: str) -> Any:
    """A path parameter holding the id of a ``what`` (its pattern in the schema)."""
    return Path(pattern=ID_PATTERN, description=f"The {what}'s id.")


def id_filter(name: str, description: str) -> Callable[..., str | None]:
    """A dependency reading the id filter ``name`` (``policy_id``) or else its deprecated
    old name (``policy``), each with the id pattern."""
    old = name.removesuffix("_id")

    def either(
        value: Annotated[
            str | None, Query(alias=name, pattern=ID_PATTERN, description=description)
        ] = None,
        old_value: Annotated[
            str | None,
            Query(
                alias=old,
                pattern=ID_PATTERN,
                deprecated=True,
                description=f"The old name of {name} (read only when it is absent).",
            ),
        ] = None,
    ) -> str | None:
        return value if value is not None else old_value

    return either


def department_filter(description: str) -> Callable[..., str | None]:
    """A dependency reading ``department_id`` (or the deprecated ``department``)."""
    return id_filter("department_id", description)


#: ``policy_id`` (or the deprecated ``policy``).
PolicyFilter = Annotated[str | None, Depends(id_filter("policy_id", "Only rows of this policy."))]


def matching(rows: Sequence[dict[str, Any]], **wanted: Any) -> list[dict[str, Any]]:
    """The rows whose key ``k`` equals ``v`` for each ``k=v`` in ``wanted`` that is not None."""
    wanted = {k: v for k, v in wanted.items() if v is not None}
    return [r for r in rows if all(r.get(k) == v for k, v in wanted.items())]

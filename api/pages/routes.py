"""The dashboard's pages, each at a permanent URL; hidden from the OpenAPI document.

Each handler reads what its page shows under the ledger's lock (the index synced to
the head first) and renders it; anything the page cannot show is the same problem
the JSON API would answer, as an HTML page with that status.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from api.deps import LedgerDep, ReadAccess
from api.pages import search as searching
from api.pages import views
from api.pages.jurisdictions import jurisdictions_page, roadmap_view
from api.pages.panels import Panels, Problem
from api.pages.render import render, render_problem
from ledger.core import Ledger
from ledger.errors import LedgerValueError

router = APIRouter(include_in_schema=False, dependencies=[ReadAccess])


def _page(
    request: Request, ledger: LedgerDep, template: str, read: Callable[[Ledger], dict[str, Any]]
) -> Response:
    try:
        context = ledger.chain_view(read)
    except Exception as exc:  # the page's problem, as a page
        return render_problem(request, Problem.of(request, exc))
    return render(request, template, context)


def whole(value: str, what: str, minimum: int = 0) -> int:
    """A path segment as a whole number; :class:`LedgerValueError` otherwise. Handlers
    parse inside their read, so :func:`_page` shows it as a 422 page."""
    if not value.isdigit() or int(value) < minimum:
        raise LedgerValueError(f"{what} must be a whole number from {minimum}, not {value!r}")
    return int(value)


@router.get("/")
def overview(request: Request, ledger: LedgerDep) -> Response:
    panels = Panels(request)
    return _page(request, ledger, "overview.html", lambda lg: views.overview(panels, lg))


@router.get("/scope/{scope}")
def scope(
    request: Request,
    scope: str,
    ledger: LedgerDep,
    window_days: Annotated[int | None, Query(ge=1, le=3660)] = None,
    windows: Annotated[int, Query(ge=1, le=48)] = 4,
) -> Response:
    panels = Panels(request)

    def read(lg: Ledger) -> dict[str, Any]:
        context = views.scope_page(panels, lg, scope, window_days, windows)
        jurisdiction = scope.removeprefix("@") if scope.startswith("@") else None
        context["roadmap"] = (
            panels.run(lambda: roadmap_view(lg, jurisdiction, window_days))
            if jurisdiction is not None
            else None
        )
        return context

    return _page(request, ledger, "scope.html", read)


@router.get("/scope/{scope}/indicators/{indicator}")
def indicator(request: Request, scope: str, indicator: str, ledger: LedgerDep) -> Response:
    return _page(
        request, ledger, "indicator.html", lambda lg: views.indicator_page(lg, scope, indicator)
    )


@router.get("/events/{tx}/{log_index}")
def event(request: Request, tx: str, log_index: str, ledger: LedgerDep) -> Response:
    return _page(
        request,
        ledger,
        "event.html",
        lambda lg: views.event_page(lg, tx, whole(log_index, "log index")),
    )


@router.get("/tx/{tx}")
def transaction(request: Request, tx: str, ledger: LedgerDep) -> Response:
    return _page(request, ledger, "tx.html", lambda lg: views.tx_page(lg, tx))


@router.get("/blocks/{number}")
def block(request: Request, number: str, ledger: LedgerDep) -> Response:
    return _page(
        request, ledger, "block.html", lambda lg: views.block_page(lg, whole(number, "block"))
    )


@router.get("/policies/{policy}/{version}")
def policy(request: Request, policy: str, version: str, ledger: LedgerDep) -> Response:
    return _page(
        request,
        ledger,
        "policy.html",
        lambda lg: views.policy_page(lg, policy, whole(version, "version", 1)),
    )


@router.get("/scores/{score_id}")
def score(request: Request, score_id: str, ledger: LedgerDep) -> Response:
    panels = Panels(request)
    return _page(
        request,
        ledger,
        "score.html",
        lambda lg: views.score_page(panels, lg, whole(score_id, "score", 1)),
    )


@router.get("/findings/{finding_id}")
def finding(request: Request, finding_id: str, ledger: LedgerDep) -> Response:
    return _page(request, ledger, "finding.html", lambda lg: views.finding_page(lg, finding_id))


@router.get("/checkpoints/{index}")
def checkpoint(request: Request, index: str, ledger: LedgerDep) -> Response:
    return _page(
        request,
        ledger,
        "checkpoint.html",
        lambda lg: views.checkpoint_page(lg, whole(index, "checkpoint", 1)),
    )


@router.get("/checkpoints/{first}/consistency/{second}")
def consistency(request: Request, first: str, second: str, ledger: LedgerDep) -> Response:
    return _page(
        request,
        ledger,
        "consistency.html",
        lambda lg: views.consistency_page(lg, whole(first, "first", 1), whole(second, "second", 1)),
    )


@router.get("/effects/{sequence}")
def effect(request: Request, sequence: str, ledger: LedgerDep) -> Response:
    return _page(
        request,
        ledger,
        "effect.html",
        lambda lg: views.effect_page(lg, whole(sequence, "sequence")),
    )


@router.get("/jurisdiction-tree")
def jurisdictions(request: Request, ledger: LedgerDep) -> Response:
    return _page(request, ledger, "jurisdictions.html", jurisdictions_page)


@router.get("/search")
def search(request: Request, ledger: LedgerDep, q: str = "") -> Response:
    try:
        hits = ledger.chain_view(lambda lg: searching.search(lg, q))
    except Exception as exc:
        return render_problem(request, Problem.of(request, exc))
    if len(hits) == 1:
        return RedirectResponse(hits[0].href, status_code=303)
    return render(request, "search.html", {"q": q, "hits": hits})

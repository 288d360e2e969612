"""Rendering the pages: one Jinja2 environment per language, CSV export, error pages.

Templates live in ``api/pages/templates`` (autoescape, ``StrictUndefined``); every
label goes through ``_()``, bound to the viewer's language (:mod:`api.pages.i18n`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from api.pages import links
from api.pages.i18n import (
    LANG_COOKIE,
    LANGUAGE_NAMES,
    LANGUAGES,
    choose_language,
    translations,
)
from api.pages.labels import level_reason
from api.pages.panels import Panel, Problem
from api.pages.tables import Table, shorten, to_csv
from ledger.errors import NotFoundError
from ledger.times import format_timestamp

#: How many rows of a table a page shows (its CSV export has every row).
SHOWN_ROWS = 500
#: A year: how long the language cookie remembers a choice.
_COOKIE_AGE = 365 * 86_400


class _Urls:
    """``url.tx(hash)`` and kin in templates."""

    def __getattr__(self, name: str) -> Any:
        try:
            return links.URLS[name]
        except KeyError as err:
            raise AttributeError(name) from err


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=PackageLoader("api.pages", "templates"),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
    gettext = translations(lang).gettext
    env.filters["gettext_all"] = lambda values: [gettext(str(v)) for v in values]
    env.filters["level_reason"] = lambda reason: level_reason(str(reason), gettext)
    env.globals.update(
        url=_Urls(),
        utc=format_timestamp,
        short=shorten,
        shown_rows=SHOWN_ROWS,
        LANGUAGES=LANGUAGES,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
    )
    return env


def language(request: Request) -> str:
    return choose_language(
        request.query_params.get("lang"),
        request.cookies.get(LANG_COOKIE),
        request.headers.get("accept-language"),
    )


def _tables(value: Any) -> Iterator[Table]:
    if isinstance(value, Table):
        yield value
    elif isinstance(value, Panel):
        yield from _tables(value.value)
    elif isinstance(value, Mapping):
        for v in value.values():
            yield from _tables(v)


def _switch_url(request: Request, lang: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "csv")]
    return request.url.path + "?" + urlencode([*params, ("lang", lang)])


def _csv_url(request: Request, table: str) -> str:
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in ("lang", "csv")]
    return request.url.path + "?" + urlencode([*params, ("csv", table)])


def render(
    request: Request, template: str, context: Mapping[str, Any], status: int = 200
) -> Response:
    """The page, or with ``?csv=<table>`` that table of it as CSV."""
    lang = language(request)
    wanted = request.query_params.get("csv")
    if wanted is not None and status == 200:
        table = next((t for t in _tables(context) if t.id == wanted), None)
        if table is None:
            return render_problem(request, Problem.of(request, NotFoundError("table", wanted)))
        name = (request.url.path.strip("/").replace("/", "-") or "overview") + f"-{wanted}.csv"
        return Response(
            to_csv(table, translations(lang)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    html = (
        environment(lang)
        .get_template(template)
        .render(
            **context,
            lang=lang,
            path=request.url.path,
            query=request.query_params.get("q", ""),
            switch_url=lambda to: _switch_url(request, to),
            csv_url=lambda table: _csv_url(request, table),
        )
    )
    response = HTMLResponse(html, status_code=status)
    chosen = request.query_params.get("lang")
    if chosen is not None and chosen in LANGUAGES:
        response.set_cookie(LANG_COOKIE, chosen, max_age=_COOKIE_AGE, samesite="lax")
    return response


def render_problem(request: Request, problem: Problem) -> Response:
    """A page that could not be made: its status, title and the problem's detail."""
    return render(request, "problem.html", {"problem": problem}, status=problem.status)

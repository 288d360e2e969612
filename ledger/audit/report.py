"""The auditor's report of one policy: a self-contained HTML5 page.

:func:`render_report` turns what the audit gathered about a policy (its anchored
versions, its trail of events, the effect-log checkpoints, the maturity score and its
publication, the findings, and the verification checks) into one HTML document. The
markup lives in Jinja2 templates (``templates/``), the style in ``static/report.css``;
this module only shapes the data into a view model (the frozen dataclasses below) and
renders it.

The page is a document: a table of contents, the trail grouped by clause and, within
each clause, by month (with an overview of events by month and clause), every part a
collapsible ``<details>``. It is one file with no external resource: the stylesheet
(``static/report.css``, with a print stylesheet that prints hashes in full and opens
every part) and the script (``static/report.js``) are inlined at render time and the
score chart is inline SVG, so the page opens offline and can be archived beside the
audit bundle. The script only filters the trail (by clause, department, event, or any
text) and opens every part before printing; without it the grouped sections are all
there.

Every string taken from ``data`` is untrusted (departments write event arguments,
issuers write titles). The templates are rendered with autoescape on, attribute
values included, and the view model holds plain text only. Control and
bidirectional-override characters, which could hide or reorder text in the auditor's
view, are turned into visible ``[U+XXXX]`` marks while the view model is built. A
Content-Security-Policy in the page forbids external loads and every script but the
package's own (allowed by its SHA-256), should a value ever slip through.

Every label of the page goes through ``_()`` (``jinja2.ext.i18n``), translated by the
``report`` catalogue of :mod:`ledger.i18n`: ``render_report(data, lang="zh-CN")``.
Values from ``data`` (event names, check details, ids) are shown as they are, but for
the spec's level and element names (:data:`SPEC_LABELS`), which are labels too.

The output is a pure function of ``data`` and the language: the same data gives the
same bytes. Times
are block times (UTC seconds) written as ISO 8601 UTC; event arguments are listed by
key.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, Protocol

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ledger.i18n import DEFAULT_LANG, Lang, html_lang, parse_lang, translations
from ledger.maturity.spec import load_spec
from ledger.times import format_timestamp

__all__ = [
    "ReportView",
    "Translations",
    "render_report",
    "render_view",
    "report_environment",
    "report_view",
    "script",
    "stylesheet",
]

#: Hex strings longer than this (``0x`` included) are shown as ``0x1234…abcd``.
_HEX_SHOWN_IN_FULL = 14
_HEX_RE = re.compile(r"0x[0-9a-fA-F]+")
_ISO_UTC_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z")
#: Strings in event arguments longer than this are cut, the full value in a tooltip.
_ARG_TEXT_MAX = 80
#: C0/C1 controls (tab and newline kept) and the bidirectional marks and overrides.
_HIDDEN_RE = re.compile(
    "[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)
#: What the page shows for a missing value.
_DASH = "—"


def N_(message: str) -> str:
    """Marks ``message`` as a label for the catalogue (``scripts/i18n_catalogues.py``)
    without translating it here."""
    return message


#: The spec's level and element names: the only values of ``data`` the page translates
#: (as labels); any other value is shown as it is.
SPEC_LABELS = frozenset(
    {
        N_("Initial"),
        N_("Managed"),
        N_("Defined"),
        N_("Quantitatively managed"),
        N_("Optimizing"),
        N_("institutional advantage"),
        N_("operating mechanism"),
        N_("technical support"),
        N_("data governance"),
    }
)
#: Translates a label (``gettext``).
Translate = Callable[[str], str]

#: The event arguments that name the department an event concerns, in order of preference.
_DEPARTMENT_ARGS = ("departmentId", "providerId", "ownerId", "handlerId")
#: The finding statuses that have a badge colour of their own.
_STATUS_TONES = ("Open", "Responded", "Accepted", "Overdue")

# Chart geometry (SVG user units).
_PLOT_LEFT = 230
_PLOT_TOP = 34
_PLOT_HEIGHT = 240
_SLOT = 140
_BAR_WIDTH = 64
_PLOT_RIGHT_PAD = 16
_LABEL_SPACE = 56
_BAND_FILLS = ("#fbe3e1", "#fdeede", "#fdf7dc", "#e8f3df", "#d9eedd")


def render_report(data: Mapping[str, Any], lang: str = DEFAULT_LANG) -> str:
    """The complete HTML5 report of one policy's audit, deterministic in ``data`` and
    ``lang`` (``en`` or ``zh-CN``; see :func:`ledger.i18n.parse_lang`, which raises
    :class:`~ledger.i18n.UnsupportedLanguageError` for another).

    ``data`` holds ``generated_at``, ``chain``, ``policy``, ``events``,
    ``checkpoints``, ``effect_entries``, ``score`` (a result of
    :func:`ledger.maturity.engine.compute_result`, or ``None``), ``publication``
    (or ``None``), ``findings`` and ``checks``. Sections follow in that reading
    order: header and verdict, contents, checks, versions, trail, checkpoints, score,
    findings.
    """
    language = parse_lang(lang)
    translate = None if language == DEFAULT_LANG else translations("report", language).gettext
    return render_view(report_view(data, translate), _environment(language), language)


def render_view(view: ReportView, environment: Environment, lang: Lang = DEFAULT_LANG) -> str:
    """The page of ``view`` from the templates of ``environment`` (see
    :func:`report_environment`), with the package's stylesheet and script inlined;
    ``lang`` is the page's language (its ``<html lang>``)."""
    template = environment.get_template("report.html")
    # The stylesheet and the script are the package's own files, not data: inlined as
    # they are, the script allowed by the page's Content-Security-Policy by its hash.
    code = script()
    digest = base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii")
    return template.render(
        report=view,
        lang=html_lang(lang),
        stylesheet=Markup(stylesheet()),
        script=Markup(code),
        script_hash=f"sha256-{digest}",
    )


def report_environment(translations: Translations | None = None) -> Environment:
    """The Jinja2 environment of the report's templates: autoescape on, undefined
    names an error, and ``_``/``gettext``/``ngettext`` from ``translations``
    (identity when ``None``). Messages take ``%(name)s`` placeholders, whose values
    are escaped."""
    env = Environment(
        loader=PackageLoader("ledger.audit", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        keep_trailing_newline=True,
    )
    if translations is None:
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    else:
        env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    return env


def stylesheet() -> str:
    """The report's stylesheet, read from the package file the page inlines."""
    return (files("ledger.audit") / "static" / "report.css").read_text(encoding="utf-8")


def script() -> str:
    """The report's script (the trail's filter, opening every part to print), read from
    the package file the page inlines."""
    return (files("ledger.audit") / "static" / "report.js").read_text(encoding="utf-8")


@cache
def _environment(lang: Lang) -> Environment:
    return report_environment(None if lang == DEFAULT_LANG else translations("report", lang))


class Translations(Protocol):
    """What ``jinja2.ext.i18n`` needs of a catalogue (``gettext.GNUTranslations`` has it)."""

    def gettext(self, message: str) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


# -- the view model ------------------------------------------------------------------

ShownKind = Literal["text", "code", "hex", "time", "quoted", "cut"]


@dataclass(frozen=True)
class Shown:
    """One value as the page shows it; ``text`` is plain text, never markup.

    ``kind`` says how: ``text`` as is, ``code`` in monospace, ``hex`` abbreviated with
    the full value (``full``) as its title, ``time`` as a ``<time>`` element whose
    ``datetime`` is ``full``, ``quoted`` in quotation marks, ``cut`` quoted and cut
    short with the full value as its title.
    """

    text: str
    kind: ShownKind = "text"
    full: str = ""


@dataclass(frozen=True)
class Bracketed:
    """A list (``[a, b]``) or a mapping (``{k: v}``) among an event's arguments."""

    kind: Literal["list", "map"]
    items: tuple[tuple[str, ArgValue], ...]  # keys are empty in a list


ArgValue = Shown | Bracketed


@dataclass(frozen=True)
class Facts:
    """The figures of the header; their labels are the template's."""

    policy: Shown
    issuer: Shown
    kind: Shown
    element: Shown
    chain_id: Shown
    genesis: Shown
    generated: Shown


@dataclass(frozen=True)
class Verdict:
    tone: Literal["pass", "fail", "none"]
    total: int
    failed: int


@dataclass(frozen=True)
class CheckRow:
    ok: bool
    check: Shown
    detail: Shown
    where: Shown


@dataclass(frozen=True)
class VersionRow:
    version: Shown
    digest: Shown
    block: Shown
    tx: Shown
    anchored: Shown
    effective: Shown


@dataclass(frozen=True)
class EventArg:
    key: Shown
    value: ArgValue


@dataclass(frozen=True)
class EventItem:
    when: Shown
    contract: Shown
    event: Shown
    args: tuple[EventArg, ...]
    block_hash: Shown | None  # the block's hash, when known
    block: Shown
    tx: Shown
    log: Shown
    clause: str  # the clause it executes ("" for none), for the filter
    department: str  # the department it concerns ("" when none is named), for the filter
    name: str  # the event's name, for the filter


@dataclass(frozen=True)
class MonthGroup:
    """The events of one clause in one UTC month."""

    anchor: str  # the group's id in the page
    month: str | None  # ``YYYY-MM``; ``None`` for events without a usable block time
    events: tuple[EventItem, ...]


@dataclass(frozen=True)
class ClauseGroup:
    """The events that execute one clause (``clause`` ``None``: those that name none)."""

    anchor: str
    clause: Shown | None
    count: int
    first: str | None  # the first and last month it has events in
    last: str | None
    months: tuple[MonthGroup, ...]


@dataclass(frozen=True)
class MonthCell:
    count: int
    anchor: str  # the month group it links to ("" when ``count`` is 0)


@dataclass(frozen=True)
class MonthRow:
    """A row of the overview: one month, its events under each clause group."""

    month: str | None
    total: int
    cells: tuple[MonthCell, ...]  # in the order of ``Trail.clauses``


@dataclass(frozen=True)
class Trail:
    """The trail grouped by clause, then month; the overview by month; the filter's choices."""

    count: int
    clauses: tuple[ClauseGroup, ...]
    months: tuple[MonthRow, ...]
    departments: tuple[str, ...]
    events: tuple[str, ...]


@dataclass(frozen=True)
class CheckpointRow:
    index: Shown
    tree_size: Shown
    root: Shown
    anchored: Shown


@dataclass(frozen=True)
class ChartBand:
    code: Shown
    name: Shown
    y: str
    height: str
    fill: str
    label_y: str


@dataclass(frozen=True)
class ChartTick:
    y: str
    label_y: str
    label: str


@dataclass(frozen=True)
class ChartBar:
    element: Shown
    rated: bool
    score: str  # rated bars: the score in plain decimal (``data-score``)
    score_label: str  # rated bars: the score with three decimals
    level: Shown
    x: str
    y: str
    height: str
    centre: str
    label_y: str
    name_lines: tuple[Shown, ...]


@dataclass(frozen=True)
class Chart:
    """The score chart with every coordinate computed (SVG user units, as text)."""

    width: int
    height: int
    plot_left: int
    plot_top: int
    plot_right: int
    plot_width: int
    plot_height: int
    bar_width: int
    bottom: int
    band_label_x: int
    tick_x: int
    tick_label_x: int
    name_y: int
    bands: tuple[ChartBand, ...]
    ticks: tuple[ChartTick, ...]
    bars: tuple[ChartBar, ...]


@dataclass(frozen=True)
class ElementRow:
    name: Shown
    rated: bool
    score: Shown
    level: Shown
    level_name: Shown
    indicators_rated: Shown
    indicators_total: Shown
    reason: Shown


@dataclass(frozen=True)
class Score:
    scope: Shown
    window_start: Shown
    window_end: Shown
    as_of_block: Shown
    as_of_hash: Shown
    as_of_time: Shown
    spec_version: Shown
    spec_hash: Shown
    chart: Chart
    elements: tuple[ElementRow, ...]
    m: Shown
    arithmetic_mean: Shown
    level: Shown
    level_name: Shown
    level_reason: Shown
    evidence_root: Shown
    result_hash: Shown


@dataclass(frozen=True)
class Publication:
    score_id: Shown
    block: Shown
    tx: Shown
    final: bool


@dataclass(frozen=True)
class FindingRow:
    finding_id: Shown
    status: Shown
    tone: str
    policy: Shown
    clause: Shown
    metric: Shown
    department: Shown
    deadline: Shown
    was_overdue: bool


@dataclass(frozen=True)
class ReportView:
    """Everything the report template shows, computed from the audit data."""

    policy_id: Shown
    title: Shown
    facts: Facts
    verdict: Verdict
    checks: tuple[CheckRow, ...]
    versions: tuple[VersionRow, ...]
    trail: Trail
    effect_entries: Shown
    checkpoints: tuple[CheckpointRow, ...]
    score: Score | None
    publication: Publication | None
    findings: tuple[FindingRow, ...]
    generated_at: Shown
    chain_id: Shown


def report_view(data: Mapping[str, Any], translate: Translate | None = None) -> ReportView:
    """The view model of the report: ``data`` (see :func:`render_report`) shaped for
    the templates, the spec's level and element names (:data:`SPEC_LABELS`) translated
    by ``translate`` when given. ``data`` is not modified."""
    label = _labeller(translate)
    policy: Mapping[str, Any] = data["policy"]
    chain: Mapping[str, Any] = data["chain"]
    checks: Sequence[Mapping[str, Any]] = data["checks"]
    events = sorted(data["events"], key=_event_order)
    publication: Mapping[str, Any] | None = data["publication"]
    return ReportView(
        policy_id=_text(policy.get("id")),
        title=_text(policy.get("title")),
        facts=Facts(
            policy=_code(policy.get("id"), dash=False),
            issuer=_text(policy.get("issuer")),
            kind=_text(policy.get("kind")),
            element=_text(policy.get("element")),
            chain_id=_text(chain.get("chain_id")),
            genesis=_hex(chain.get("genesis_hash")),
            generated=_time(data.get("generated_at")),
        ),
        verdict=_verdict(checks),
        checks=tuple(
            CheckRow(
                ok=_passed(c),
                check=_text(c.get("check")),
                detail=_text(c.get("detail")),
                where=_code(c.get("where")),
            )
            for c in checks
        ),
        versions=tuple(
            VersionRow(
                version=_text(v.get("version")),
                digest=_hex(v.get("digest")),
                block=_text(v.get("block")),
                tx=_hex(v.get("tx")),
                anchored=_time(v.get("time")),
                effective=_time(v.get("effective")),
            )
            for v in policy.get("versions") or []
        ),
        trail=_trail(events),
        effect_entries=_count(data["effect_entries"]),
        checkpoints=tuple(
            CheckpointRow(
                index=_text(c.get("index")),
                tree_size=_count(c.get("tree_size")),
                root=_hex(c.get("root")),
                anchored=_time(c.get("timestamp")),
            )
            for c in data["checkpoints"]
        ),
        score=None if data["score"] is None else _score(data["score"], label),
        publication=None if publication is None else _publication(publication),
        findings=tuple(_finding(f) for f in data["findings"]),
        generated_at=_text(data.get("generated_at")),
        chain_id=_text(chain.get("chain_id")),
    )


def _verdict(checks: Sequence[Mapping[str, Any]]) -> Verdict:
    failed = sum(1 for c in checks if not _passed(c))
    total = len(checks)
    tone: Literal["pass", "fail", "none"] = (
        "none" if total == 0 else "pass" if failed == 0 else "fail"
    )
    return Verdict(tone=tone, total=total, failed=failed)


def _trail(events: Sequence[Mapping[str, Any]]) -> Trail:
    """The events (in chain order already) grouped by clause, then by UTC month.

    Clauses come in natural order (``c2`` before ``c10``), the events that name no
    clause last; months in time order, events without a usable block time last. Anchors
    are made of positions, never of the data, so any clause id makes a valid id.
    """
    by_clause: dict[str | None, dict[str | None, list[EventItem]]] = {}
    for ev in events:
        item = _event(ev)
        iso = _iso(ev.get("block_time"))
        month = iso[:7] if iso is not None else None
        by_clause.setdefault(item.clause or None, {}).setdefault(month, []).append(item)
    clause_keys = sorted(by_clause, key=lambda c: (c is None, _natural(c or "")))
    all_months = sorted({m for months in by_clause.values() for m in months}, key=_month_order)
    clauses = []
    for number, clause in enumerate(clause_keys, start=1):
        anchor = f"clause-{number}"
        months = by_clause[clause]
        ordered = sorted(months, key=_month_order)
        dated = [m for m in ordered if m is not None]
        clauses.append(
            ClauseGroup(
                anchor=anchor,
                clause=None if clause is None else _code(clause),
                count=sum(len(items) for items in months.values()),
                first=dated[0] if dated else None,
                last=dated[-1] if dated else None,
                months=tuple(
                    MonthGroup(_month_anchor(anchor, m), m, tuple(months[m])) for m in ordered
                ),
            )
        )
    rows = tuple(
        MonthRow(
            month=month,
            total=sum(len(by_clause[c].get(month, ())) for c in clause_keys),
            cells=tuple(
                MonthCell(
                    count=len(by_clause[c].get(month, ())),
                    anchor=_month_anchor(group.anchor, month) if month in by_clause[c] else "",
                )
                for c, group in zip(clause_keys, clauses, strict=True)
            ),
        )
        for month in all_months
    )
    items = [i for months in by_clause.values() for group in months.values() for i in group]
    return Trail(
        count=len(events),
        clauses=tuple(clauses),
        months=rows,
        departments=tuple(sorted({i.department for i in items if i.department})),
        events=tuple(sorted({i.name for i in items if i.name})),
    )


def _month_anchor(clause_anchor: str, month: str | None) -> str:
    return f"{clause_anchor}-{month or 'undated'}"


def _month_order(month: str | None) -> tuple[bool, str]:
    return (month is None, month or "")


def _natural(text: str) -> tuple[tuple[int, int | str], ...]:
    """A sort key that orders the digit runs of ``text`` by value: c2 before c10."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


def _event(ev: Mapping[str, Any]) -> EventItem:
    args = ev.get("args") or {}
    items = sorted(args.items(), key=lambda kv: str(kv[0])) if isinstance(args, Mapping) else []
    block_hash = ev.get("block_hash")
    named = args if isinstance(args, Mapping) else {}
    clause = named.get("clauseId")
    department = next(
        (named[k] for k in _DEPARTMENT_ARGS if isinstance(named.get(k), str) and named[k]), ""
    )
    name = ev.get("event")
    return EventItem(
        when=_time(ev.get("block_time")),
        contract=_text(ev.get("contract")),
        event=_text(name),
        args=tuple(EventArg(key=_text(k), value=_arg(v)) for k, v in items),
        block_hash=_hex(block_hash) if block_hash else None,
        block=_text(ev.get("block_number")),
        tx=_hex(ev.get("tx_hash")),
        log=_text(ev.get("log_index")),
        clause=_visible(clause) if isinstance(clause, str) else "",
        department=_visible(department),
        name=_visible(name) if isinstance(name, str) else "",
    )


def _arg(value: Any) -> ArgValue:
    """An event argument, compactly: hex abbreviated, long text cut, lists bracketed."""
    if isinstance(value, Mapping):
        pairs = sorted(value.items(), key=lambda kv: str(kv[0]))
        return Bracketed("map", tuple((_text(k).text, _arg(v)) for k, v in pairs))
    if isinstance(value, list | tuple):
        return Bracketed("list", tuple(("", _arg(v)) for v in value))
    if isinstance(value, str):
        if _HEX_RE.fullmatch(value):
            return _hex(value)
        if len(value) > _ARG_TEXT_MAX:
            return Shown(_visible(value[: _ARG_TEXT_MAX - 1]), "cut", _visible(value))
        return Shown(_visible(value), "quoted")
    if value is None:
        return Shown("null")
    return _text(value)


def _labeller(translate: Translate | None) -> Callable[[Any], str]:
    """A value as the page names it: a spec name translated, anything else as text."""

    def label(value: Any) -> str:
        if translate is not None and isinstance(value, str) and value in SPEC_LABELS:
            return _visible(translate(value))
        return _text(value).text

    return label


def _score(score: Mapping[str, Any], label: Callable[[Any], str]) -> Score:
    window = score.get("window") or {}
    as_of = score.get("as_of") or {}
    elements: Sequence[Mapping[str, Any]] = score.get("elements") or []
    return Score(
        scope=_text(score.get("scope")),
        window_start=_time(window.get("start")),
        window_end=_time(window.get("end")),
        as_of_block=_text(as_of.get("block")),
        as_of_hash=_hex(as_of.get("hash")),
        as_of_time=_time(as_of.get("time")),
        spec_version=_text(score.get("spec_version")),
        spec_hash=_hex(score.get("spec_hash")),
        chart=_chart(elements, label),
        elements=tuple(_element_row(el, label) for el in elements),
        m=_number(score.get("M")),
        arithmetic_mean=_number(score.get("arithmetic_mean")),
        level=_text(score.get("level")),
        level_name=Shown(label(score.get("level_name"))),
        level_reason=_text(score.get("level_reason")),
        evidence_root=_hex(score.get("evidence_root")),
        result_hash=_hex(score.get("result_hash")),
    )


def _element_row(el: Mapping[str, Any], label: Callable[[Any], str]) -> ElementRow:
    return ElementRow(
        name=Shown(label(el.get("name"))),
        rated=_rated_score(el) is not None,
        score=_number(el.get("score")),
        level=_text(el.get("level")),
        level_name=Shown(label(el.get("level_name"))),
        indicators_rated=_text(el.get("rated")),
        indicators_total=_text(el.get("total")),
        reason=_text(el.get("reason") or ""),
    )


def _publication(publication: Mapping[str, Any]) -> Publication:
    return Publication(
        score_id=_text(publication.get("score_id")),
        block=_text(publication.get("block")),
        tx=_hex(publication.get("tx")),
        final=publication.get("provisional") is False,
    )


def _finding(f: Mapping[str, Any]) -> FindingRow:
    status = str(f.get("status"))
    return FindingRow(
        finding_id=_code(f.get("finding_id"), dash=False),
        status=_text(status),
        tone=status.lower() if status in _STATUS_TONES else "other",
        policy=_code(f.get("policy_id")),
        clause=_code(f.get("clause_id")),
        metric=_text(f.get("metric")),
        department=_code(f.get("department_id")),
        deadline=_time(f.get("deadline")),
        was_overdue=f.get("was_overdue") is True,
    )


# -- the chart -----------------------------------------------------------------------


def _chart(elements: Sequence[Mapping[str, Any]], label: Callable[[Any], str]) -> Chart:
    """Bars of the element scores over the level bands; not-rated elements hatched."""
    bands = load_spec().bands
    width = _PLOT_LEFT + _SLOT * max(len(elements), 1) + _PLOT_RIGHT_PAD
    plot_right = width - _PLOT_RIGHT_PAD
    chart_bands = []
    for i, band in enumerate(bands):
        upper = bands[i + 1].lower if i + 1 < len(bands) else 1.0
        y_top, y_low = _y(upper), _y(band.lower)
        chart_bands.append(
            ChartBand(
                code=_text(band.code),
                name=Shown(label(band.name)),
                y=_n(y_top),
                height=_n(y_low - y_top),
                fill=_BAND_FILLS[min(i, len(_BAND_FILLS) - 1)],
                label_y=_n((y_top + y_low) / 2 + 4),
            )
        )
    ticks = tuple(
        ChartTick(y=_n(_y(tick)), label_y=_n(_y(tick) + 4), label=f"{tick:.1f}")
        for tick in [b.lower for b in bands] + [1.0]
    )
    return Chart(
        width=width,
        height=_PLOT_TOP + _PLOT_HEIGHT + _LABEL_SPACE,
        plot_left=_PLOT_LEFT,
        plot_top=_PLOT_TOP,
        plot_right=plot_right,
        plot_width=plot_right - _PLOT_LEFT,
        plot_height=_PLOT_HEIGHT,
        bar_width=_BAR_WIDTH,
        bottom=_PLOT_TOP + _PLOT_HEIGHT,
        band_label_x=_PLOT_LEFT - 40,
        tick_x=_PLOT_LEFT - 4,
        tick_label_x=_PLOT_LEFT - 8,
        name_y=_PLOT_TOP + _PLOT_HEIGHT + 20,
        bands=tuple(chart_bands),
        ticks=ticks,
        bars=tuple(_bar(i, el, label) for i, el in enumerate(elements)),
    )


def _bar(i: int, el: Mapping[str, Any], label: Callable[[Any], str]) -> ChartBar:
    x = _PLOT_LEFT + i * _SLOT + (_SLOT - _BAR_WIDTH) / 2
    name = label(el.get("name") if el.get("name") is not None else el.get("id"))
    score = _rated_score(el)
    if score is None:
        top, height, label_y = float(_PLOT_TOP), float(_PLOT_HEIGHT), float(_PLOT_TOP - 8)
    else:
        drawn = min(max(score, 0.0), 1.0)
        top = _y(drawn)
        height, label_y = drawn * _PLOT_HEIGHT, top - 8
    return ChartBar(
        element=_text(el.get("id")),
        rated=score is not None,
        score="" if score is None else _number(score).text,
        score_label="" if score is None else f"{score:.3f}",
        level=Shown(_visible(str(el.get("level")))),
        x=_n(x),
        y=_n(top),
        height=_n(height),
        centre=_n(x + _BAR_WIDTH / 2),
        label_y=_n(label_y),
        name_lines=tuple(_text(line) for line in _split_label(name)),
    )


def _y(value: float) -> float:
    return _PLOT_TOP + (1.0 - value) * _PLOT_HEIGHT


def _split_label(name: str) -> list[str]:
    """An element name on at most two lines, split at the space nearest its middle."""
    words = name.split()
    if len(name) <= 18 or len(words) < 2:
        return [name]
    cut = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - len(name) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _rated_score(el: Mapping[str, Any]) -> float | None:
    """The element's score if it is rated and a finite number, else ``None``."""
    score = el.get("score")
    if el.get("status") != "RATED" or isinstance(score, bool):
        return None
    if not isinstance(score, int | float) or not math.isfinite(score):
        return None
    return float(score)


# -- values as shown -----------------------------------------------------------------


def _visible(text: str) -> str:
    """``text`` with hidden controls and direction overrides as ``[U+XXXX]`` marks."""
    return _HIDDEN_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


def _text(value: Any) -> Shown:
    """A value as plain text; ``None`` is a dash, booleans are ``true``/``false``."""
    if value is None:
        return Shown(_DASH)
    if isinstance(value, bool):
        return Shown("true" if value else "false")
    return Shown(_visible(str(value)))


def _code(value: Any, *, dash: bool = True) -> Shown:
    """A value in monospace; ``None`` is a plain dash unless ``dash`` is false."""
    if value is None and dash:
        return Shown(_DASH)
    return Shown(_text(value).text, "code")


def _hex(value: Any) -> Shown:
    """A hex value, abbreviated as ``0x1234…abcd`` with the full value as its title."""
    if value is None:
        return Shown(_DASH)
    text = _visible(str(value))
    if _HEX_RE.fullmatch(text) and len(text) > _HEX_SHOWN_IN_FULL:
        return Shown(f"{text[:6]}…{text[-4:]}", "hex", text)
    return Shown(text, "code")


def _time(value: Any) -> Shown:
    """A time as ISO 8601 UTC: UTC seconds are converted, ISO strings shown as given."""
    iso = _iso(value)
    if iso is None and isinstance(value, str) and _ISO_UTC_RE.fullmatch(value):
        iso = value
    if iso is None:
        return _text(value)
    return Shown(iso, "time", iso)


def _iso(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return format_timestamp(value)
    except (OverflowError, OSError, ValueError):
        return None


def _number(value: Any) -> Shown:
    """A published number in plain decimal (results carry at most 6 places)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return Shown(str(value))
    if isinstance(value, float) and math.isfinite(value):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return Shown("0" if text in ("-0", "") else text)
    return _text(value)


def _count(value: Any) -> Shown:
    if isinstance(value, int) and not isinstance(value, bool):
        return Shown(f"{value:,}")
    return _text(value)


def _n(x: float) -> str:
    """An SVG coordinate: at most 2 decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _event_order(ev: Mapping[str, Any]) -> tuple[int, int, str]:
    def whole(x: Any) -> int:
        return x if isinstance(x, int) and not isinstance(x, bool) else -1

    return (whole(ev.get("block_number")), whole(ev.get("log_index")), str(ev.get("tx_hash")))


def _passed(check: Mapping[str, Any]) -> bool:
    """Only ``ok is True`` passes: anything else is reported as a failure."""
    return check.get("ok") is True

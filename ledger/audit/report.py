"""The auditor's report of one policy: a self-contained HTML5 page.

:func:`render_report` turns what the audit gathered about a policy (its anchored
versions, its trail of events, the effect-log checkpoints, the maturity score and its
publication, the findings, and the verification checks) into one HTML document with
inline CSS and an inline SVG chart: no JavaScript, no external resource, so it opens
offline from a file and can be archived beside the audit bundle.

Every string taken from ``data`` is untrusted (departments write event arguments,
issuers write titles) and passes through :func:`html.escape`, attribute values
included. Control and bidirectional-override characters, which could hide or reorder
text in the auditor's view, are shown as visible ``[U+XXXX]`` marks. A
Content-Security-Policy in the page forbids scripts and external loads, should a
value ever slip through.

The output is a pure function of ``data``: the same data gives the same bytes. Times
are block times (UTC seconds) written as ISO 8601 UTC; event arguments are listed by
key.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ledger.maturity.spec import load_spec
from ledger.times import format_timestamp

__all__ = ["render_report"]

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
_DASH = "—"
_NO_ARGUMENTS = '<span class="empty">no arguments</span>'

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: #1d232a; background: #f4f5f7; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.6em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 2px solid #d8dce1; }
h3 { font-size: 1em; margin: 16px 0 6px; }
code, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
  font-size: 0.9em; }
abbr.hex { text-decoration: underline dotted #8a94a0; cursor: help; }
.subtitle { font-size: 1.15em; margin: 0 0 12px; color: #39424c; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: #5b6672; }
dl.facts dd { margin: 0; }
.verdict { display: inline-block; margin: 14px 0 4px; padding: 8px 16px; border-radius: 6px;
  font-size: 1.25em; font-weight: 700; color: #fff; }
.verdict.pass { background: #1e7b34; }
.verdict.fail { background: #b3261e; }
.verdict.none { background: #a05a00; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; vertical-align: top; padding: 4px 8px;
  border-bottom: 1px solid #e3e6ea; }
th { background: #eef0f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 0.85em;
  font-weight: 600; white-space: nowrap; }
.badge.pass, .badge.accepted { background: #d4edda; color: #155724; }
.badge.fail, .badge.overdue { background: #f8d7da; color: #842029; }
.badge.open { background: #fff3cd; color: #664d03; }
.badge.responded { background: #cfe2ff; color: #084298; }
.badge.other { background: #e2e3e5; color: #41464b; }
tr.failed td { background: #fdf1f0; }
.empty { color: #5b6672; font-style: italic; }
ol.timeline, ol.timeline ol { list-style: none; margin: 0; padding: 0; }
ol.timeline > li { margin: 0 0 10px; }
ol.timeline h3 { margin: 12px 0 4px; }
ol.timeline ol { border-left: 3px solid #c7cdd4; margin-left: 6px; padding-left: 14px; }
li.event { position: relative; padding: 4px 0 6px; }
li.event::before { content: ""; position: absolute; left: -21px; top: 10px; width: 11px;
  height: 11px; border-radius: 50%; background: #2b5797; border: 2px solid #fff; }
.event .when { color: #5b6672; margin-right: 6px; }
.event .contract { color: #5b6672; }
.event .name { font-weight: 700; }
.event .args { display: block; margin: 2px 0; }
.event .arg { display: inline-block; margin-right: 12px; }
.event .arg .key { color: #5b6672; }
.event .ref { display: block; color: #5b6672; font-size: 0.85em; }
figure.chart { margin: 8px 0; }
figure.chart svg { width: 100%; max-width: 820px; height: auto; }
.provisional { display: inline-block; padding: 0 8px; border-radius: 4px; background: #a05a00;
  color: #fff; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; }
.final { color: #1e7b34; font-weight: 600; }
footer { margin-top: 36px; color: #5b6672; font-size: 0.85em; }
@media print {
  body { background: #fff; }
  main { max-width: none; padding: 0; }
  tr, li.event, figure { break-inside: avoid; }
}
"""

# Chart geometry (SVG user units).
_PLOT_LEFT = 230
_PLOT_TOP = 34
_PLOT_HEIGHT = 240
_SLOT = 140
_BAR_WIDTH = 64
_PLOT_RIGHT_PAD = 16
_LABEL_SPACE = 56
_BAND_FILLS = ("#fbe3e1", "#fdeede", "#fdf7dc", "#e8f3df", "#d9eedd")


def render_report(data: Mapping[str, Any]) -> str:
    """The complete HTML5 report of one policy's audit, deterministic in ``data``.

    ``data`` holds ``generated_at``, ``chain``, ``policy``, ``events``,
    ``checkpoints``, ``effect_entries``, ``score`` (a result of
    :func:`ledger.maturity.engine.compute_result`, or ``None``), ``publication``
    (or ``None``), ``findings`` and ``checks``. Sections follow in that reading
    order: header and verdict, checks, versions, trail, checkpoints, score, findings.
    """
    policy: Mapping[str, Any] = data["policy"]
    body = "\n".join(
        [
            _header(data, policy),
            _checks(data["checks"]),
            _versions(policy.get("versions") or []),
            _trail(data["events"]),
            _checkpoints(data["checkpoints"], data["effect_entries"]),
            _score(data["score"], data["publication"]),
            _findings(data["findings"]),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Audit report: {_e(policy.get('id'))}</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
        f"<footer>Generated {_e(data.get('generated_at'))} from the chain"
        f" {_e(data['chain'].get('chain_id'))}. Hex values are abbreviated; hover"
        " over one to see it in full.</footer>\n"
        "</main>\n</body>\n</html>\n"
    )


# -- sections ------------------------------------------------------------------------


def _header(data: Mapping[str, Any], policy: Mapping[str, Any]) -> str:
    chain: Mapping[str, Any] = data["chain"]
    checks: Sequence[Mapping[str, Any]] = data["checks"]
    failed = sum(1 for c in checks if not _passed(c))
    total = len(checks)
    if total == 0:
        verdict, tone = "no checks were run", "none"
    elif failed == 0:
        verdict, tone = f"all {total} {_plural(total, 'check')} passed", "pass"
    else:
        verdict, tone = f"{failed} of {total} {_plural(total, 'check')} failed", "fail"
    facts = _facts(
        [
            ("Policy", f"<code>{_e(policy.get('id'))}</code>"),
            ("Issuer", _e(policy.get("issuer"))),
            ("Kind", _e(policy.get("kind"))),
            ("Element", _e(policy.get("element"))),
            ("Chain id", _e(chain.get("chain_id"))),
            ("Genesis", _hex(chain.get("genesis_hash"))),
            ("Generated", _time(data.get("generated_at"))),
        ]
    )
    return (
        '<header id="summary">\n'
        f"<h1>Audit report: {_e(policy.get('id'))}</h1>\n"
        f'<p class="subtitle">{_e(policy.get("title"))}</p>\n'
        f"{facts}\n"
        f'<p class="verdict {tone}" role="status">Verification: {verdict}</p>\n'
        "</header>"
    )


def _checks(checks: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for c in checks:
        ok = _passed(c)
        badge = (
            '<span class="badge pass">pass</span>' if ok else '<span class="badge fail">FAIL</span>'
        )
        row_class = "" if ok else ' class="failed"'
        rows.append(
            f"<tr{row_class}><td>{badge}</td>"
            f"<td>{_e(c.get('check'))}</td><td>{_e(c.get('detail'))}</td>"
            f"<td>{_code(c.get('where'))}</td></tr>"
        )
    return _section(
        "checks",
        "Verification checks",
        _table(["Result", "Check", "Detail", "Where"], rows, "no checks were run"),
    )


def _versions(versions: Sequence[Mapping[str, Any]]) -> str:
    rows = [
        f'<tr><td class="num">{_e(v.get("version"))}</td><td>{_hex(v.get("digest"))}</td>'
        f'<td class="num">{_e(v.get("block"))}</td><td>{_hex(v.get("tx"))}</td>'
        f"<td>{_time(v.get('time'))}</td><td>{_time(v.get('effective'))}</td></tr>"
        for v in versions
    ]
    return _section(
        "versions",
        "Policy versions",
        _table(
            ["Version", "Digest", "Block", "Transaction", "Anchored", "Effective"],
            rows,
            "no anchored version",
        ),
    )


def _trail(events: Sequence[Mapping[str, Any]]) -> str:
    ordered = sorted(events, key=_event_order)
    days: list[tuple[str, list[Mapping[str, Any]]]] = []
    for ev in ordered:
        day = _day(ev.get("block_time"))
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(ev)
    if not days:
        return _section("trail", "Trail", '<p class="empty">no events</p>')
    out = [f"<p>{len(ordered)} {_plural(len(ordered), 'event')}, by block and log index.</p>"]
    out.append('<ol class="timeline">')
    for day, evs in days:
        out.append(f'<li class="day"><h3><time datetime="{_e(day)}">{_e(day)}</time></h3>\n<ol>')
        out.extend(_event(ev) for ev in evs)
        out.append("</ol></li>")
    out.append("</ol>")
    return _section("trail", "Trail", "\n".join(out))


def _event(ev: Mapping[str, Any]) -> str:
    args = ev.get("args") or {}
    items = sorted(args.items(), key=lambda kv: str(kv[0])) if isinstance(args, Mapping) else []
    summary = "".join(
        f'<span class="arg"><span class="key">{_e(k)}</span>=<span class="value">{_value(v)}'
        "</span></span>"
        for k, v in items
    )
    block_hash = ev.get("block_hash")
    block_title = f' title="block hash {_e(block_hash)}"' if block_hash else ""
    return (
        '<li class="event">'
        f'<span class="when">{_time(ev.get("block_time"))}</span>'
        f'<span class="contract">{_e(ev.get("contract"))}</span>.'
        f'<span class="name">{_e(ev.get("event"))}</span>'
        f'<span class="args">{summary or _NO_ARGUMENTS}</span>'
        f'<span class="ref"><span{block_title}>block {_e(ev.get("block_number"))}</span>'
        f" · tx {_hex(ev.get('tx_hash'))} · log {_e(ev.get('log_index'))}</span>"
        "</li>"
    )


def _checkpoints(checkpoints: Sequence[Mapping[str, Any]], entries: Any) -> str:
    rows = [
        f'<tr><td class="num">{_e(c.get("index"))}</td><td class="num">{_count(c.get("tree_size"))}'
        f"</td><td>{_hex(c.get('root'))}</td><td>{_time(c.get('timestamp'))}</td></tr>"
        for c in checkpoints
    ]
    return _section(
        "checkpoints",
        "Effect-log checkpoints",
        f"<p>Effect-log entries: <strong>{_count(entries)}</strong></p>\n"
        + _table(["Index", "Tree size", "Root", "Anchored"], rows, "no checkpoints"),
    )


def _score(score: Mapping[str, Any] | None, publication: Mapping[str, Any] | None) -> str:
    if score is None:
        parts = ['<p class="empty">no published score</p>']
    else:
        window = score.get("window") or {}
        as_of = score.get("as_of") or {}
        context = _facts(
            [
                ("Scope", _e(score.get("scope"))),
                ("Window", f"{_time(window.get('start'))} to {_time(window.get('end'))}"),
                (
                    "As of",
                    f"block {_e(as_of.get('block'))} ({_hex(as_of.get('hash'))}),"
                    f" {_time(as_of.get('time'))}",
                ),
                ("Spec", f"v{_e(score.get('spec_version'))}, {_hex(score.get('spec_hash'))}"),
            ]
        )
        elements: Sequence[Mapping[str, Any]] = score.get("elements") or []
        level = f"{_e(score.get('level'))} {_e(score.get('level_name'))}"
        figures = _facts(
            [
                ("M (geometric mean)", f"<strong>{_number(score.get('M'))}</strong>"),
                ("Arithmetic mean", _number(score.get("arithmetic_mean"))),
                ("Overall level", f"<strong>{level}</strong>"),
                ("Why", _e(score.get("level_reason"))),
                ("Evidence root", _hex(score.get("evidence_root"))),
                ("Result hash", _hex(score.get("result_hash"))),
            ]
        )
        parts = [context, _chart(elements), _element_table(elements), figures]
    parts.append(_publication(publication))
    return _section("score", "Maturity score", "\n".join(parts))


def _publication(publication: Mapping[str, Any] | None) -> str:
    if publication is None:
        return '<p class="publication">Publication: <span class="empty">not published</span></p>'
    if publication.get("provisional") is False:
        state = '<span class="final">final</span>'
    else:
        state = (
            '<span class="provisional">provisional</span>'
            " (its block is not final yet; the score may still be reorganised away)"
        )
    return (
        f'<p class="publication">Publication: score {_e(publication.get("score_id"))},'
        f" block {_e(publication.get('block'))}, tx {_hex(publication.get('tx'))}, {state}</p>"
    )


def _element_table(elements: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for el in elements:
        rated = _rated_score(el) is not None
        status = "rated" if rated else "NOT RATED"
        level = f"{_e(el.get('level'))} {_e(el.get('level_name'))}" if rated else _DASH
        rows.append(
            f"<tr><td>{_e(el.get('name'))}</td><td>{status}</td>"
            f'<td class="num">{_number(el.get("score"))}</td><td>{level}</td>'
            f'<td class="num">{_e(el.get("rated"))} of {_e(el.get("total"))}</td>'
            f"<td>{_e(el.get('reason') or '')}</td></tr>"
        )
    return _table(
        ["Element", "Status", "Score", "Level", "Indicators rated", "Reason"], rows, "no elements"
    )


def _findings(findings: Sequence[Mapping[str, Any]]) -> str:
    rows = []
    for f in findings:
        status = str(f.get("status"))
        tone = status.lower() if status in ("Open", "Responded", "Accepted", "Overdue") else "other"
        overdue = "yes" if f.get("was_overdue") is True else "no"
        rows.append(
            f"<tr><td><code>{_e(f.get('finding_id'))}</code></td>"
            f'<td><span class="badge {tone}">{_e(status)}</span></td>'
            f"<td>{_code(f.get('policy_id'))}</td><td>{_code(f.get('clause_id'))}</td>"
            f"<td>{_e(f.get('metric'))}</td><td>{_code(f.get('department_id'))}</td>"
            f"<td>{_time(f.get('deadline'))}</td><td>{overdue}</td></tr>"
        )
    return _section(
        "findings",
        "Findings",
        _table(
            [
                "Finding",
                "Status",
                "Policy",
                "Clause",
                "Metric",
                "Department",
                "Deadline",
                "Was overdue",
            ],
            rows,
            "no findings",
        ),
    )


# -- the chart -----------------------------------------------------------------------


def _chart(elements: Sequence[Mapping[str, Any]]) -> str:
    """Bars of the element scores over the level bands; not-rated elements hatched."""
    bands = load_spec().bands
    width = _PLOT_LEFT + _SLOT * max(len(elements), 1) + _PLOT_RIGHT_PAD
    height = _PLOT_TOP + _PLOT_HEIGHT + _LABEL_SPACE
    plot_right = width - _PLOT_RIGHT_PAD
    bottom = _PLOT_TOP + _PLOT_HEIGHT
    out = [
        f'<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img"'
        f' aria-labelledby="chart-title" viewBox="0 0 {width} {height}"'
        f' width="{width}" height="{height}" font-family="system-ui, sans-serif" font-size="12">',
        '<title id="chart-title">Element scores against the maturity levels</title>',
        '<defs><pattern id="not-rated-hatch" width="8" height="8" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)"><rect width="8" height="8" fill="#f2f2f2"/>'
        '<line x1="0" y1="0" x2="0" y2="8" stroke="#9aa3ad" stroke-width="3"/></pattern></defs>',
    ]
    for i, band in enumerate(bands):
        upper = bands[i + 1].lower if i + 1 < len(bands) else 1.0
        y_top, y_low = _y(upper), _y(band.lower)
        fill = _BAND_FILLS[min(i, len(_BAND_FILLS) - 1)]
        out.append(
            f'<rect class="band" data-level="{_e(band.code)}" x="{_PLOT_LEFT}" y="{_n(y_top)}"'
            f' width="{plot_right - _PLOT_LEFT}" height="{_n(y_low - y_top)}" fill="{fill}"/>'
        )
        out.append(
            f'<text x="{_PLOT_LEFT - 40}" y="{_n((y_top + y_low) / 2 + 4)}" text-anchor="end"'
            f' fill="#39424c">{_e(band.code)} {_e(band.name)}</text>'
        )
    for tick in [b.lower for b in bands] + [1.0]:
        y = _y(tick)
        out.append(
            f'<line x1="{_PLOT_LEFT - 4}" y1="{_n(y)}" x2="{plot_right}" y2="{_n(y)}"'
            ' stroke="#ffffff" stroke-width="1"/>'
        )
        out.append(
            f'<text x="{_PLOT_LEFT - 8}" y="{_n(y + 4)}" text-anchor="end" fill="#5b6672"'
            f' font-size="11">{tick:.1f}</text>'
        )
    for i, el in enumerate(elements):
        out.append(_bar(i, el))
    out.append(
        f'<line x1="{_PLOT_LEFT}" y1="{bottom}" x2="{plot_right}" y2="{bottom}"'
        ' stroke="#39424c" stroke-width="1.5"/>'
    )
    out.append("</svg>")
    out.append(
        "<figcaption>Element scores (0 to 1) over the five level bands;"
        " hatched bars are elements not rated.</figcaption></figure>"
    )
    return "\n".join(out)


def _bar(i: int, el: Mapping[str, Any]) -> str:
    x = _PLOT_LEFT + i * _SLOT + (_SLOT - _BAR_WIDTH) / 2
    centre = _n(x + _BAR_WIDTH / 2)
    name = str(el.get("name") if el.get("name") is not None else el.get("id"))
    score = _rated_score(el)
    ident = _e(el.get("id"))
    if score is None:
        shape = (
            f'<rect class="bar not-rated" data-element="{ident}" x="{_n(x)}" y="{_PLOT_TOP}"'
            f' width="{_BAR_WIDTH}" height="{_PLOT_HEIGHT}" fill="url(#not-rated-hatch)"'
            ' stroke="#6c757d" stroke-width="1.5" stroke-dasharray="5 3"/>'
        )
        label, label_y = "not rated", float(_PLOT_TOP - 8)
    else:
        drawn = min(max(score, 0.0), 1.0)
        top = _y(drawn)
        shape = (
            f'<rect class="bar rated" data-element="{ident}" data-score="{_number(score)}"'
            f' x="{_n(x)}" y="{_n(top)}" width="{_BAR_WIDTH}" height="{_n(drawn * _PLOT_HEIGHT)}"'
            ' fill="#2b5797"/>'
        )
        label, label_y = f"{score:.3f} · {el.get('level')}", top - 8
    lines = _split_label(name)
    name_text = "".join(
        f'<tspan x="{centre}" dy="{0 if k == 0 else 15}">{_e(line)}</tspan>'
        for k, line in enumerate(lines)
    )
    return (
        f'<g class="element">{shape}'
        f'<text class="score-label" x="{centre}" y="{_n(label_y)}" text-anchor="middle"'
        f' font-weight="700" fill="#1d232a">{_e(label)}</text>'
        f'<text class="name-label" x="{centre}" y="{_PLOT_TOP + _PLOT_HEIGHT + 20}"'
        f' text-anchor="middle" fill="#1d232a">{name_text}</text></g>'
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


# -- small pieces --------------------------------------------------------------------


def _e(value: Any) -> str:
    """Escaped text, with hidden controls made visible; ``None`` is a dash."""
    if value is None:
        return _DASH
    if isinstance(value, bool):
        return "true" if value else "false"
    text = _HIDDEN_RE.sub(lambda m: f"[U+{ord(m.group()):04X}]", str(value))
    return html.escape(text, quote=True)


def _code(value: Any) -> str:
    return _DASH if value is None else f"<code>{_e(value)}</code>"


def _hex(value: Any) -> str:
    """A hex value, abbreviated as ``0x1234…abcd`` with the full value as its title."""
    if value is None:
        return _DASH
    text = str(value)
    if _HEX_RE.fullmatch(text) and len(text) > _HEX_SHOWN_IN_FULL:
        full = _e(text)
        return f'<abbr class="hex mono" title="{full}">{_e(text[:6])}…{_e(text[-4:])}</abbr>'
    return f"<code>{_e(text)}</code>"


def _value(value: Any) -> str:
    """An event argument, compactly: hex abbreviated, long text cut, lists bracketed."""
    if isinstance(value, Mapping):
        inner = ", ".join(
            f"{_e(k)}: {_value(v)}" for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))
        )
        return "{" + inner + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, str):
        if _HEX_RE.fullmatch(value):
            return _hex(value)
        if len(value) > _ARG_TEXT_MAX:
            return f'<span title="{_e(value)}">“{_e(value[: _ARG_TEXT_MAX - 1])}…”</span>'
        return f"“{_e(value)}”"
    if value is None:
        return "null"
    return _e(value)


def _time(value: Any) -> str:
    """A time as ISO 8601 UTC: UTC seconds are converted, strings are shown as given."""
    if value is None:
        return _DASH
    iso = _iso(value)
    if iso is None and isinstance(value, str) and _ISO_UTC_RE.fullmatch(value):
        iso = _e(value)
    if iso is None:
        return _e(value)
    return f'<time datetime="{iso}">{iso}</time>'


def _iso(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    try:
        return format_timestamp(value)
    except (OverflowError, OSError, ValueError):
        return None


def _day(value: Any) -> str:
    iso = _iso(value)
    return iso[:10] if iso is not None else "unknown date"


def _event_order(ev: Mapping[str, Any]) -> tuple[int, int, str]:
    def whole(x: Any) -> int:
        return x if isinstance(x, int) and not isinstance(x, bool) else -1

    return (whole(ev.get("block_number")), whole(ev.get("log_index")), str(ev.get("tx_hash")))


def _passed(check: Mapping[str, Any]) -> bool:
    """Only ``ok is True`` passes: anything else is reported as a failure."""
    return check.get("ok") is True


def _number(value: Any) -> str:
    """A published number in plain decimal (results carry at most 6 places)."""
    if value is None:
        return _DASH
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        text = f"{value:.6f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    return _e(value)


def _count(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return _e(value)


def _n(x: float) -> str:
    """An SVG coordinate: at most 2 decimals, no trailing zeros."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _facts(pairs: Iterable[tuple[str, str]]) -> str:
    """A definition list; values are HTML already escaped by the caller."""
    items = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in pairs)
    return f'<dl class="facts">{items}</dl>'


def _table(headers: Sequence[str], rows: Sequence[str], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return (
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
        + "\n".join(rows)
        + "\n</tbody>\n</table>"
    )


def _section(ident: str, title: str, content: str) -> str:
    return f'<section id="{ident}">\n<h2>{_e(title)}</h2>\n{content}\n</section>'

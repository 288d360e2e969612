"""The dashboard's pages, server-rendered: links, content, errors, CSV, languages.

They run against the dashboard ledger (:mod:`tests.dashboard_ledger`: the short D-city
case, a published score, its findings, an effect log with two checkpoints), through
the app's test client, without JavaScript. The browser suite (``tests/browser``) drives
the same pages in Chromium.
"""

from __future__ import annotations

import csv
import io
import re
import runpy
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from api.main import create_app
from api.pages.i18n import LANGUAGES, choose_language, translations
from api.pages.labels import level_reason
from api.pages.render import environment
from api.pages.routes import router
from api.pages.tables import Cell, Table, to_csv
from ledger.errors import LedgerValueError
from ledger.times import format_timestamp
from tests.conftest import make_settings
from tests.dashboard_ledger import FIRST, LOG_ID, SECOND, dashboard_home

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return dashboard_home(tmp_path_factory)


@pytest.fixture(scope="module")
def client(home: Path) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(home))) as c:
        yield c


class _Page(HTMLParser):
    """The links, ids and text of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if named.get("id"):
            self.ids.add(str(named["id"]))
        if tag == "a" and named.get("href"):
            self.links.append(str(named["href"]))
        if tag in ("script", "link", "img") and (named.get("src") or named.get("href")):
            self.sources.append(str(named.get("src") or named.get("href")))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


#: What a browser sends: HTML first (a JSON client at the same URL gets the API).
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def page(client: TestClient, path: str, status: int = 200, **kwargs: Any) -> _Page:
    kwargs["headers"] = BROWSER | kwargs.get("headers", {})
    response = client.get(path, **kwargs)
    assert response.status_code == status, (path, response.text[:2000])
    assert response.headers["content-type"].startswith("text/html")
    parsed = _Page()
    parsed.feed(response.text)
    return parsed


def words(p: _Page) -> str:
    return " ".join(" ".join(p.text).split())


def problem_of(p: _Page) -> str:
    found = re.search(r"\((\d{3})\): (.*?)(?: Back to| 返回)", words(p))
    assert found, words(p)
    return found.group(2)


def events(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    return list(client.get("/events", params={"limit": 1000, **params}).json()["data"])


# -- every page, every link ------------------------------------------------------------


def test_every_link_from_the_overview_leads_to_a_page(client: TestClient) -> None:
    """A crawl from ``/`` over the pages' own links (up to 8 pages of each kind): none is
    broken, none is a 500, and every kind of page is reached."""
    seen: set[str] = set()
    queue = ["/"]
    kinds: dict[str, int] = {}
    while queue:
        path = queue.pop(0)
        kind = path.split("/")[1]
        if path in seen or kinds.get(kind, 0) >= 8:
            continue
        seen.add(path)
        kinds[kind] = kinds.get(kind, 0) + 1
        p = page(client, path)
        for href in p.links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                pytest.fail(f"{path} links outside the server: {href}")
            target = parts.path
            if not target or parts.query or target.startswith(("/effects/entries", "/static")):
                continue
            if target not in seen:
                queue.append(target)
    assert {
        "",
        "scope",
        "events",
        "tx",
        "blocks",
        "policies",
        "scores",
        "findings",
        "checkpoints",
        "effects",
        "jurisdiction-tree",
    } <= set(kinds)


def test_the_overview_shows_the_city_and_labels_each_result_hash(client: TestClient) -> None:
    p = page(client, "/")
    live = client.get("/maturity").json()
    scores = client.get("/scores").json()["data"]
    text = words(p)

    assert {
        "maturity",
        "elements",
        "scores",
        "findings",
        "policies",
        "agreements",
        "checkpoints",
        "departments",
        "radar-data",
    } <= p.ids
    assert f"result_hash (live, computed now from the index) {live['result_hash']}" in text
    assert (
        f"result_hash (published on chain as score {scores[-1]['score_id']})"
        f" {scores[-1]['result_hash']}" in text
    )
    assert f"/scores/{scores[-1]['score_id']}" in p.links
    assert "/policies/dcity.sharing/1" in p.links
    assert "/scope/dcity.civil" in p.links
    assert "/checkpoints/2" in p.links
    assert all(s.startswith("/") for s in p.sources)  # nothing from a CDN


def test_the_scope_page_shows_level_indicators_trend_and_clause_cycles(
    client: TestClient,
) -> None:
    p = page(client, "/scope/city?windows=3")
    series = client.get("/maturity/series", params={"windows": 3}).json()
    cycle = client.get("/maturity/clauses").json()
    text = words(p)

    assert {"maturity", "indicators", "trend", "clauses", "trend-data", "radar-data"} <= p.ids
    assert client.get("/maturity").json()["level_reason"] in text
    for indicator in ("I1", "M3", "D1"):
        assert f"/scope/city/indicators/{indicator}" in p.links
    for point in series["points"]:
        assert point["result_hash"][:8] in text
    executed = [c for c in cycle["clauses"] if c["executed"]]
    assert executed
    for c in executed:
        assert f"/events/{c['executed']['tx']}/{c['executed']['log_index']}" in p.links
        assert f"/policies/{c['policy_id']}/{c['version']}#clause-{c['clause_id']}" in p.links


def test_the_indicator_page_lists_each_piece_of_its_evidence(client: TestClient) -> None:
    indicator = next(i for i in client.get("/maturity").json()["indicators"] if i["id"] == "M3")
    p = page(client, "/scope/city/indicators/M3")

    assert indicator["evidence"]
    for _block, tx, log in indicator["evidence"]:
        assert f"/events/{tx}/{log}" in p.links
    assert "sharing fulfilment" in words(p)


def test_the_event_page_decodes_its_arguments_and_quotes_its_clause(
    client: TestClient, home: Path
) -> None:
    e = next(e for e in events(client) if e["event"] == "AgreementCommitted")
    p = page(client, f"/events/{e['tx']}/{e['log_index']}")
    record = client.get("/policies/dcity.sharing").json()["record"]
    clause = next(c for c in record["clauses"] if c["id"] == e["args"]["clauseId"])
    text = words(p)

    assert f"/tx/{e['tx']}" in p.links and f"/blocks/{e['block']}" in p.links
    assert f"/policies/dcity.sharing/1#clause-{clause['id']}" in p.links
    assert " ".join(clause["text"].split()) in text
    assert f"/scope/{e['args']['providerId']}" in p.links
    assert f"/search?q={e['args']['agreementId']}" in p.links


def test_tx_and_block_pages_list_their_events(client: TestClient) -> None:
    e = next(e for e in events(client) if e["event"] == "DeliveryRecorded")
    tx = page(client, f"/tx/{e['tx']}")
    block = page(client, f"/blocks/{e['block']}")

    assert f"/events/{e['tx']}/{e['log_index']}" in tx.links
    assert f"/blocks/{e['block']}" in tx.links
    assert "succeeded" in words(tx) and "DataSharing" in words(tx)
    assert f"/tx/{e['tx']}" in block.links
    assert f"/events/{e['tx']}/{e['log_index']}" in block.links
    assert f"/blocks/{e['block'] - 1}" in block.links


def test_the_policy_page_shows_the_record_its_digest_and_its_anchor(client: TestClient) -> None:
    detail = client.get("/policies/dcity.sharing").json()
    p = page(client, "/policies/dcity.sharing/1")
    text = words(p)

    assert f"digest (anchored on chain) {detail['digest']}" in text
    assert f"digest (recomputed from the stored record) {detail['digest']}" in text
    assert "yes: the stored record hashes to the anchored digest" in text
    assert f"/tx/{detail['tx']}" in p.links
    for clause in detail["record"]["clauses"]:
        assert f"clause-{clause['id']}" in p.ids
    assert '"schema_version":1' in text  # the canonical JSON itself


def test_the_score_page_says_whether_it_still_verifies(client: TestClient) -> None:
    score = client.get("/scores").json()["data"][0]
    p = page(client, f"/scores/{score['score_id']}")
    text = words(p)

    assert "verified: recomputed from the chain, it gives the published result_hash" in text
    assert f"result_hash (published on chain) {score['result_hash']}" in text
    assert f"result_hash (recomputed now from the chain) {score['result_hash']}" in text
    assert any(link.startswith("/findings/") for link in p.links)


def test_the_finding_page_shows_its_history_and_deadline(client: TestClient) -> None:
    finding = client.get("/findings").json()["data"][0]
    p = page(client, f"/findings/{finding['finding_id']}")
    text = words(p)

    assert f"deadline {format_timestamp(finding['deadline'])}" in text
    assert "Findings.FindingRaised" in text
    assert f"/scores/{finding['score_id']}" in p.links
    assert f"/scope/{finding['department_id']}" in p.links


def test_checkpoint_and_entry_pages_carry_what_the_browser_verifies_against(
    client: TestClient,
) -> None:
    status = client.get("/effects").json()
    cp = page(client, "/checkpoints/2")
    entry = client.get("/effects/1")
    text = words(cp)

    assert status["log_id"] == LOG_ID and status["anchored_size"] == FIRST + SECOND
    assert f"root (anchored on chain) {status['root']}" in text
    assert "/checkpoints/1/consistency/2" in cp.links
    assert [f"/effects/{n}" for n in range(FIRST, FIRST + SECOND)] == [
        link for link in cp.links if link.startswith("/effects/")
    ]
    assert f'data-root="{status["root"]}"' in entry.text
    assert f'data-size="{FIRST + SECOND}"' in entry.text
    assert 'data-url="/effects/entries/1"' in entry.text
    assert '<script type="module" src="/assets/proofs.js">' in entry.text
    fields = page(client, "/effects/1")
    assert {"/search?q=agr.clinics-bigdata", "/search?q=sys.bigdata"} <= set(fields.links)


def test_times_are_utc_without_javascript(client: TestClient) -> None:
    e = events(client)[0]
    response = client.get(f"/events/{e['tx']}/{e['log_index']}")
    utc = format_timestamp(e["block_time"])

    assert f'<time datetime="{utc}" title="{utc}" data-utc>{utc}</time>' in response.text


def test_the_jurisdiction_tree_shows_level_expected_level_and_gap(client: TestClient) -> None:
    p = page(client, "/jurisdiction-tree")
    nodes = client.get("/progress").json()["nodes"]
    rows = list(csv.reader(io.StringIO(client.get("/jurisdiction-tree?csv=tree").text)))

    assert [n["id"] for n in nodes] == ["l.province", "d.city", "d.east"]
    assert rows[0] == [
        "jurisdiction",
        "name",
        "tier",
        "level",
        "M",
        "expected level",
        "gap",
        "status",
        "trend",
        "departments",
    ]
    for node, row in zip(nodes, rows[1:], strict=True):
        assert row[0] == node["id"] and row[3] == node["level"]
        assert row[5] == node["expected_level"] and row[7] == node["status"]
        assert f"/scope/@{node['id']}" in p.links
        for department in node["departments"]:
            assert f"/scope/{department}" in p.links


def test_a_jurisdiction_is_a_scope_with_its_roadmap(client: TestClient) -> None:
    p = page(client, "/scope/@d.east")
    roadmap = client.get("/roadmap", params={"jurisdiction": "d.east"}).json()
    score = client.get("/maturity", params={"department": "dcity.civil"})

    assert {"maturity", "indicators", "roadmap"} <= p.ids
    assert roadmap["note"] in words(p)
    for step in roadmap["steps"]:
        assert f"/scope/@d.east/indicators/{step['indicator']}" in p.links
    assert score.status_code == 200
    assert problem_of(page(client, "/scope/@nowhere", 404)) == "jurisdiction 'nowhere' not found"


# -- problems ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "status", "detail"),
    [
        ("/blocks/999999", 404, "block '999999' not found"),
        ("/blocks/x", 422, "block must be a whole number from 0, not 'x'"),
        ("/tx/0x12", 422, "transaction '0x12' is not a 32-byte 0x-hex hash"),
        ("/tx/0x" + "ab" * 32, 404, f"transaction '0x{'ab' * 32}' not found"),
        ("/events/0x" + "ab" * 32 + "/0", 404, f"event '0x{'ab' * 32}/0' not found"),
        (
            "/events/0x" + "ab" * 32 + "/-1",
            422,
            "log index must be a whole number from 0, not '-1'",
        ),
        ("/scope/nobody", 404, "scope 'nobody' not found"),
        ("/scope/city/indicators/Z9", 404, "indicator 'Z9' not found"),
        ("/policies/nothing/1", 404, "policy 'nothing' not found"),
        ("/policies/dcity.sharing/9", 404, "policy version 'dcity.sharing version 9' not found"),
        ("/scores/99", 404, "published score '99' not found"),
        ("/findings/F9-9", 404, "finding 'F9-9' not found"),
        ("/checkpoints/0", 422, "checkpoint must be a whole number from 1, not '0'"),
        ("/checkpoints/7", 404, "checkpoint '7' not found"),
        ("/checkpoints/2/consistency/1", 422, "the first checkpoint must not follow the second"),
        ("/effects/999", 404, "effect-log entry '999' not found"),
        ("/?csv=nothing", 404, "table 'nothing' not found"),
    ],
)
def test_a_page_that_cannot_be_shown_says_why_with_its_status(
    client: TestClient, path: str, status: int, detail: str
) -> None:
    assert problem_of(page(client, path, status)) == detail


def test_a_failing_panel_degrades_alone(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Refusing:
        def score(self, **_: Any) -> dict[str, Any]:
            raise LedgerValueError("window_days must be at least 1")

    monkeypatch.setattr(client.app.state.ledger, "scorer", Refusing())  # type: ignore[attr-defined]
    p = page(client, "/")
    text = words(p)

    assert "Maturity of the city Invalid input (422): window_days must be at least 1" in text
    assert "/policies/dcity.sharing/1" in p.links  # the other panels are there
    assert "radar-data" not in p.ids


def test_an_unexpected_failure_shows_the_500_message_in_its_panel(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken() -> list[dict[str, Any]]:
        raise RuntimeError("a bug")

    monkeypatch.setattr(client.app.state.ledger.departments, "list", broken)  # type: ignore[attr-defined]
    text = words(page(client, "/"))

    assert re.search(
        r"Departments Internal server error \(500\): an unexpected error occurred; the server"
        r" log has the details under request [0-9a-f]{32}",
        text,
    )
    assert "a bug" not in text


# -- CSV -------------------------------------------------------------------------------


def test_every_table_exports_as_csv(client: TestClient) -> None:
    response = client.get("/", params={"csv": "policies"})
    rows = list(csv.reader(io.StringIO(response.text)))

    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == 'attachment; filename="overview-policies.csv"'
    assert rows[0][:3] == ["policy", "version", "title"]
    policy = client.get("/policies/dcity.sharing").json()
    assert rows[1][:2] == ["dcity.sharing", "1"]
    assert rows[1][-1] == policy["tx"]  # whole hashes, not the shortened ones
    for path in ("/", "/scope/city", "/checkpoints/1", "/scope/city/indicators/M3"):
        p = page(client, path)
        exports = [link for link in p.links if "csv=" in link]
        assert exports
        for link in exports:
            assert client.get(link).headers["content-type"].startswith("text/csv")


@given(
    rows=st.lists(
        st.lists(st.text(st.characters(exclude_categories=("Cs",))), min_size=3, max_size=3),
        max_size=5,
    )
)
def test_csv_gives_back_every_cell_as_exported(rows: list[list[str]]) -> None:
    """Commas, quotes, line breaks and CJK in a cell survive the export unchanged."""
    table = Table.of("t", ["a", "b", "c"], [[Cell(v) for v in row] for row in rows])
    back = list(csv.reader(io.StringIO(to_csv(table, translations("en")), newline="")))
    assert back == [["a", "b", "c"], *rows]


def test_a_long_table_shows_its_first_rows_and_exports_them_all(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(environment("en").globals, "shown_rows", 3)
    response = client.get("/")
    body = response.text[response.text.index('id="table-agreements"') :]
    body = body[: body.index("</table>")]
    exported = list(csv.reader(io.StringIO(client.get("/?csv=agreements").text)))

    assert body.count("<tr>") == 1 + 3  # the header and three rows
    assert "The first 3 of 8 rows; the CSV export has them all." in response.text
    assert len(exported) == 1 + 8


def test_csv_headers_follow_the_language(client: TestClient) -> None:
    text = client.get("/", params={"csv": "findings", "lang": "zh-CN"}).text
    assert next(csv.reader(io.StringIO(text)))[:3] == ["问题", "状态", "部门"]


# -- languages --------------------------------------------------------------------------


def test_accept_language_picks_chinese_and_lang_switches_and_sticks(client: TestClient) -> None:
    zh = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"})
    assert '<html lang="zh-CN">' in zh.text and "全市成熟度" in zh.text

    en = client.get("/", params={"lang": "en"}, headers={"Accept-Language": "zh-CN"})
    assert '<html lang="en">' in en.text and "Maturity of the city" in en.text
    assert en.cookies.get("lang") == "en"

    client.cookies.set("lang", "zh-CN")
    try:
        assert '<html lang="zh-CN">' in client.get("/scope/city").text
    finally:
        client.cookies.clear()


@given(
    query=st.one_of(st.none(), st.text(max_size=12)),
    cookie=st.one_of(st.none(), st.text(max_size=12)),
    accept=st.one_of(st.none(), st.text(max_size=40)),
)
def test_any_request_gets_one_of_the_languages(
    query: str | None, cookie: str | None, accept: str | None
) -> None:
    assert choose_language(query, cookie, accept) in LANGUAGES


@given(accept=st.text(max_size=40))
def test_an_explicit_choice_beats_accept_language(accept: str) -> None:
    assert choose_language("zh-CN", None, accept) == "zh-CN"
    assert choose_language(None, "en", accept) == "en"


def test_every_label_of_the_pages_has_a_chinese_translation() -> None:
    """The ``dashboard`` catalogue holds every label of the templates and of the data
    the pages show (marked ``N_``), each translated, with the same placeholders
    (``%(name)s`` for the templates, ``{name}`` for the proof messages of the script)."""
    catalogues = runpy.run_path(str(ROOT / "scripts" / "i18n_catalogues.py"))
    assert catalogues["problems"]("dashboard", "zh_CN") == []
    used = {m.id for m in catalogues["extract"]("dashboard") if m.id}
    assert {"Maturity of the city", "institutional advantage", "rated indicators"} <= used
    zh = translations("zh-CN")
    for msgid in used:
        assert zh.gettext(msgid) != msgid or msgid in {"M", "result_hash"}, msgid
        holes = set(re.findall(r"%\(\w+\)s|\{\w+\}", msgid))
        assert set(re.findall(r"%\(\w+\)s|\{\w+\}", zh.gettext(msgid))) == holes, msgid


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        (
            "L1 because not every element is rated; not rated: operating mechanism,"
            " technical support",
            "L1：并非所有要素都已评分；未评分：运行机制、技术支撑",
        ),
        ("L5: M is in band L5", "L5：M 处于 L5 区间"),
        (
            "L3: the arithmetic mean is in band L4, capped at L3 by the weakest element:"
            " data governance",
            "L3：算术平均 处于 L4 区间，但受最弱要素限制为 L3：数据治理",
        ),
        ("something the engine never wrote", "something the engine never wrote"),
    ],
)
def test_the_level_reason_is_said_in_the_viewers_language(english: str, chinese: str) -> None:
    assert level_reason(english, translations("en").gettext) == english
    assert level_reason(english, translations("zh-CN").gettext) == chinese


def test_the_live_level_reason_is_translated_on_the_page(client: TestClient) -> None:
    reason = client.get("/maturity").json()["level_reason"]
    assert reason.startswith("L1 because not every element is rated")
    try:
        zh = words(page(client, "/scope/city?lang=zh-CN"))
    finally:
        client.cookies.clear()  # ?lang= is remembered: the other tests read English
    assert "原因： L1：并非所有要素都已评分；未评分：" in zh


# -- search ------------------------------------------------------------------------------


def _search(client: TestClient, q: str) -> httpx.Response:
    return client.get("/search", params={"q": q}, follow_redirects=False)


def test_search_goes_to_the_one_page_a_query_names(client: TestClient) -> None:
    e = events(client)[0]
    finding = client.get("/findings").json()["data"][0]
    committed = next(
        x
        for x in events(client)
        if x["event"] == "AgreementCommitted" and x["args"]["agreementId"] == "agr.bus-bigdata"
    )
    for q, where in [
        ("agr.bus-bigdata", f"/events/{committed['tx']}/{committed['log_index']}"),
        (e["tx"], f"/tx/{e['tx']}"),
        (e["tx"].upper().replace("0X", "0x"), f"/tx/{e['tx']}"),
        ("dcity.sharing", "/policies/dcity.sharing/1"),
        ("dcity.sharing#c2", "/policies/dcity.sharing/1#clause-c2"),
        ("dcity.civil", "/scope/dcity.civil"),
        ("d.east", "/scope/@d.east"),
        (finding["finding_id"], f"/findings/{finding['finding_id']}"),
        ("score 1", "/scores/1"),
        ("block 3", "/blocks/3"),
        ("entry 4", "/effects/4"),
        ("checkpoint 2", "/checkpoints/2"),
    ]:
        response = _search(client, q)
        assert (response.status_code, response.headers.get("location")) == (303, where), q


def test_search_lists_what_a_number_or_a_word_could_mean(client: TestClient) -> None:
    p = page(client, "/search?q=1")
    assert {"/blocks/1", "/scores/1", "/effects/1", "/checkpoints/1"} <= set(p.links)
    assert "4 results for “1”" in words(p)

    bureaus = page(client, "/search?q=bureau")
    assert "/scope/dcity.civil" in bureaus.links and "/scope/dcity.bigdata" in bureaus.links

    nothing = page(client, "/search?q=no-such-thing")
    assert "Nothing on this ledger matches “no-such-thing”." in words(nothing)
    assert problem_of(page(client, "/search?q=" + "x" * 201, 422)) == (
        "a search is at most 200 characters"
    )


def test_the_pages_are_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not {p for p in paths if p == "/" or p.startswith(("/scope", "/tx", "/search"))}
    for path, operations in paths.items():  # a URL both share documents only its JSON
        for operation in operations.values():
            for answer in operation.get("responses", {}).values():
                assert "text/html" not in answer.get("content", {}), path


def test_a_browser_reaches_every_page_and_a_json_client_the_api_at_a_shared_url(
    client: TestClient,
) -> None:
    """A page is never shadowed for a reader asking for HTML; at a URL the JSON API has
    too (``/blocks/7``, ``/findings/F1-1``), any other client gets the API."""
    for route in router.routes:
        assert isinstance(route, APIRoute)
        sample = re.sub(r"\{[^}]+\}", "1", route.path)
        answer = client.get(sample, headers=BROWSER)
        assert answer.headers["content-type"].startswith("text/html"), (sample, answer.text)
    for path in ("/blocks/1", "/findings/F1-1", "/findings/F9-9"):
        for accept in ("application/json", "*/*", "text/html;q=0.5,application/json"):
            answer = client.get(path, headers={"Accept": accept})
            assert answer.headers["content-type"].startswith("application/"), (path, accept)

    finding = client.get("/findings").json()["data"][0]["finding_id"]
    as_json = client.get(f"/findings/{finding}")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["finding_id"] == finding
    as_page = client.get(f"/findings/{finding}", headers=BROWSER)
    assert as_page.headers["content-type"].startswith("text/html")

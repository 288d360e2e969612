"""Reads never wait behind writes or audits, cached answers are fresh ones, and a write is
seen by the next read (issue 11, item 4; :mod:`api.reads`).

Waiting is shown by order, not by the clock: a long write or audit is held in place
(the test holds the chain's lock, or parks the audit on an event) while the reads are
made, and the lock's timeout is cut to a second so a read that did wait fails with 503
instead of hanging the suite.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import deps, reads
from api.reads import ReadState, ResponseStore, WriterLock
from api.routes import audit as audit_routes
from ledger.mechanisms.sharing import CatalogItemCreate
from ledger.settings import get_settings
from tests.api.conftest import POLICY_ID, SECURITY, Api, assert_problem, fresh_id
from tests.conftest import make_settings

#: The read routes served from the index (each with the id it needs).
INDEX_READS = [
    "/policies",
    f"/policies/{POLICY_ID}",
    "/departments",
    "/catalog",
    "/agreements",
    "/events",
    "/maturity",
    "/maturity/clauses",
    "/maturity/series",
    "/orders",
    "/drills/plans",
    "/systems",
    "/statistics",
]


def item(item_id: str) -> dict[str, Any]:
    return {"item_id": item_id, "data_type": "bench", "permission": "open", "disclosure": "api"}


def catalog_ids(response: httpx.Response) -> list[str]:
    return [i["item_id"] for i in response.json()["data"]]


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds (a generous bound, only against a hang)."""
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


@pytest.fixture
def impatient(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that waits for the chain gives up after a second (503)."""
    monkeypatch.setattr(deps, "LOCK_TIMEOUT_SECONDS", 1.0)
    monkeypatch.setattr(reads, "LOCK_TIMEOUT_SECONDS", 1.0)


@pytest.fixture
def parked_audit(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, list[int]]]:
    """``/audit/verify`` stops inside the audit (holding the chain's lock) until the
    event is set; the list counts the audits run."""
    go_on = threading.Event()
    runs: list[int] = []
    real = audit_routes.audit

    def parked(*args: Any) -> Any:
        runs.append(1)
        assert go_on.wait(60)
        return real(*args)

    monkeypatch.setattr(audit_routes, "audit", parked)
    yield go_on, runs
    go_on.set()


def state(api: Api) -> ReadState:
    found: ReadState = api.app.state.reads
    return found


# -- reads never wait ---------------------------------------------------------------------


@pytest.mark.usefixtures("impatient")
def test_reads_answer_while_a_write_holds_the_chain_and_see_it_once_it_returns(
    api: Api,
) -> None:
    for path in INDEX_READS:  # the blocks a series looks up are known before the hold
        assert api.client.get(path).status_code == 200, path
    item_id = fresh_id("api.item")

    with api.app.state.ledger_lock:  # a write in flight: sent, not yet returned
        api.ledger.sharing.register_item(SECURITY, CatalogItemCreate(**item(item_id)))
        # A query the cache has never seen, so each answer is computed now.
        during = {p: api.client.get(p, params={"during": item_id}) for p in INDEX_READS}

    assert {p: r.status_code for p, r in during.items()} == dict.fromkeys(INDEX_READS, 200)
    assert item_id not in catalog_ids(during["/catalog"])
    assert item_id in catalog_ids(api.client.get("/catalog"))


def test_reads_answer_while_an_audit_runs(
    api: Api, parked_audit: tuple[threading.Event, list[int]]
) -> None:
    go_on, runs = parked_audit
    with ThreadPoolExecutor(1) as pool:
        audit = pool.submit(api.client.get, "/audit/verify", params={"run": fresh_id("run")})
        wait_until(lambda: bool(runs))
        assert api.app.state.ledger_lock.locked()

        answers = [api.client.get(p, params={"during": "audit"}) for p in INDEX_READS]
        assert not audit.done()
        go_on.set()
        audited = audit.result(timeout=120)

    assert [a.status_code for a in answers] == [200] * len(INDEX_READS)
    assert audited.status_code == 200
    assert set(audited.json()) == {"ok", "verdict", "checks", "notes"}


def test_twelve_audits_at_once_run_once_and_a_write_behind_them_lands(
    api: Api, parked_audit: tuple[threading.Event, list[int]]
) -> None:
    go_on, runs = parked_audit
    cache = state(api).cache
    assert cache is not None
    lock: WriterLock = api.app.state.ledger_lock
    joined = cache.joined
    item_id = fresh_id("api.item")
    with ThreadPoolExecutor(13) as pool:
        # A request no other test made (a verification is kept per head and files).
        query = {"run": item_id}
        audits = [pool.submit(api.client.get, "/audit/verify", params=query)]
        wait_until(lambda: bool(runs))
        audits += [pool.submit(api.client.get, "/audit/verify", params=query) for _ in range(11)]
        wait_until(lambda: cache.joined - joined == 11)  # all joined the one under way
        write = pool.submit(api.post, "/catalog/items", SECURITY, item(item_id))
        wait_until(lambda: lock.waiting() == 1)  # the write queues for the chain
        go_on.set()
        answers = [a.result(timeout=120) for a in audits]
        written = write.result(timeout=120)

    assert written.status_code == 201, written.text
    assert written.json()["item_id"] == item_id
    assert len(runs) == 1
    assert [a.status_code for a in answers] == [200] * 12
    assert len({a.content for a in answers}) == 1
    assert item_id in catalog_ids(api.client.get("/catalog"))


# -- cached answers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        *INDEX_READS,
        "/maturity?window_days=30",
        "/maturity?spec=1",
        f"/events?policy_id={POLICY_ID}&limit=3",
        "/scores",
        "/findings",
        f"/policies/{POLICY_ID}.nope",  # a 404 is the same at one head too
    ],
)
def test_a_cached_answer_is_exactly_a_fresh_computation_at_that_block(api: Api, path: str) -> None:
    reads_state = state(api)
    cache = reads_state.cache
    assert cache is not None
    head = reads_state.head
    first = api.client.get(path)
    hits = cache.hits
    again = api.client.get(path)
    assert cache.hits == hits + 1  # answered from memory
    reads_state.cache = None  # now every request is computed afresh
    try:
        fresh = api.client.get(path)
    finally:
        reads_state.cache = cache

    assert reads_state.head == head  # nothing was written meanwhile
    assert again.headers["etag"] == first.headers["etag"] == f'"{head.token}"'
    assert again.headers["cache-control"] == "no-cache"
    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert (fresh.status_code, fresh.content) == (first.status_code, first.content)
    assert "etag" not in fresh.headers


def test_a_client_holding_the_answer_gets_304_until_a_write(api: Api) -> None:
    first = api.client.get("/catalog")
    etag = first.headers["etag"]

    unchanged = api.client.get("/catalog", headers={"If-None-Match": etag})
    assert (unchanged.status_code, unchanged.content) == (304, b"")
    assert unchanged.headers["etag"] == etag

    item_id = fresh_id("api.item")
    assert api.post("/catalog/items", SECURITY, item(item_id)).status_code == 201
    changed = api.client.get("/catalog", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    assert item_id in catalog_ids(changed)


def test_every_write_is_seen_by_the_next_read(api: Api) -> None:
    for _ in range(3):
        before = api.client.get("/catalog")
        api.client.get("/events", params={"department_id": SECURITY, "limit": 1000})
        item_id = fresh_id("api.item")

        created = api.post("/catalog/items", SECURITY, item(item_id))

        assert created.status_code == 201, created.text
        after = api.client.get("/catalog")
        assert after.headers["etag"] != before.headers["etag"]
        assert item_id in catalog_ids(after) and item_id not in catalog_ids(before)
        trail = api.client.get("/events", params={"department_id": SECURITY, "limit": 1000})
        assert created.json()["tx"] in [e["tx"] for e in trail.json()["data"]]
        assert state(api).head.number == created.json()["block"]


def test_departments_from_the_index_are_the_directorys(api: Api) -> None:
    listed = api.client.get("/departments").json()["data"]
    with api.app.state.ledger_lock:
        on_chain = api.ledger.departments.list()

    assert listed == on_chain


# -- the lock -----------------------------------------------------------------------------


def test_the_lock_serves_first_come_first() -> None:
    lock = WriterLock()
    order: list[str] = []

    def take(name: str) -> None:
        with lock:
            order.append(name)

    lock.acquire()
    threads = []
    for n, name in enumerate(["write", "audit", "another write"], start=1):
        threads.append(threading.Thread(target=take, args=(name,)))
        threads[-1].start()
        wait_until(lambda n=n: lock.waiting() == n)  # type: ignore[misc]
    assert not lock.acquire(timeout=0.01)  # a timed-out wait leaves the queue as it was
    assert lock.waiting() == 3
    lock.release()
    for thread in threads:
        thread.join(timeout=60)

    assert order == ["write", "audit", "another write"]
    assert not lock.locked() and lock.waiting() == 0


def test_the_lock_publishes_on_release_and_survives_a_failed_publication() -> None:
    lock = WriterLock()
    calls: list[bool] = []

    def publish(dirty: bool) -> None:
        calls.append(dirty)
        raise RuntimeError("the node went away")

    lock.on_release = publish
    with lock:
        lock.mark_dirty()
    with lock:
        pass

    assert calls == [True, False]
    assert lock.acquire(blocking=False)  # released although the publication failed
    lock.release()


# -- the store of answers -----------------------------------------------------------------


def test_answers_are_kept_for_the_two_latest_heads_only() -> None:
    store = ResponseStore()
    answer = reads.Cached(200, [], b"{}")
    store.put("h1", ("/a",), answer)
    store.put("h2", ("/a",), answer)
    assert store.get("h1", ("/a",)) is answer

    store.put("h3", ("/b",), answer)

    assert store.get("h1", ("/a",)) is None
    assert store.get("h2", ("/a",)) is answer and store.get("h3", ("/b",)) is answer
    assert store.get("h3", ("/a",)) is None
    assert len(store) == 2


@given(
    st.lists(
        st.tuples(st.integers(0, 3), st.sampled_from(["/a", "/b", "/c"])), min_size=1, max_size=40
    )
)
def test_an_answer_is_found_only_under_the_head_it_was_computed_at(
    steps: list[tuple[int, str]],
) -> None:
    """For any order of heads moving on and answers kept, a lookup gives the last answer
    kept for that URL at that head, or nothing; never another head's answer."""
    store = ResponseStore()
    token = 0
    kept: dict[tuple[str, str], reads.Cached] = {}
    for advance, path in steps:
        token += advance  # heads only move forward
        answer = reads.Cached(200, [], f"{token}{path}".encode())
        store.put(str(token), (path,), answer)
        kept[(str(token), path)] = answer
        for (t, p), expected in kept.items():
            found = store.get(t, (p,))
            assert found is None or found is expected
        latest = sorted({int(t) for t, _ in kept})[-2:]
        assert {int(t) for t, p in kept if store.get(t, (p,)) is not None} <= set(latest)
        assert store.get(str(token), (path,)) is answer


@pytest.mark.parametrize("query", [{}, {"window_days": 30}, {"spec": 1}])
def test_scores_from_the_index_are_the_ledgers_own_from_the_chain(
    api: Api, query: dict[str, int]
) -> None:
    window, spec = query.get("window_days"), query.get("spec")
    served = api.client.get("/maturity", params=query).json()
    series = api.client.get("/maturity/series", params=query).json()
    clauses = api.client.get("/maturity/clauses", params=query).json()
    with api.app.state.ledger_lock:  # the ledger's scorer reads blocks from the chain
        own = api.ledger.scorer.score(window_days=window, spec_version=spec)
        own_series = api.ledger.scorer.series(window_days=window, spec_version=spec)
        own_clauses = api.ledger.scorer.clauses(window_days=window, spec_version=spec)

    assert served["result_hash"] == own["result_hash"]
    assert [p["result_hash"] for p in series["points"]] == [
        p["result_hash"] for p in own_series["points"]
    ]
    assert clauses == own_clauses


def test_a_write_computes_again_what_was_read_before_it_returns(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reads, "WARM_SECONDS", 60.0)  # however slow the machine
    reads_state = state(api)
    cache = reads_state.cache
    assert cache is not None
    paths = ["/catalog", "/maturity", "/maturity/series", f"/events?department_id={SECURITY}"]
    for path in paths:
        api.client.get(path)
    item_id = fresh_id("api.item")

    assert api.post("/catalog/items", SECURITY, item(item_id)).status_code == 201

    head, hits = reads_state.head, cache.hits
    answers = {path: api.client.get(path) for path in paths}
    assert cache.hits == hits + len(paths)  # none was computed when it was asked for
    assert {a.headers["etag"] for a in answers.values()} == {f'"{head.token}"'}
    assert item_id in catalog_ids(answers["/catalog"])
    reads_state.cache = None
    try:
        fresh = {path: api.client.get(path) for path in paths}
    finally:
        reads_state.cache = cache
    assert {p: a.content for p, a in answers.items()} == {p: a.content for p, a in fresh.items()}


def test_a_cached_answer_is_never_given_without_a_key_once_reads_need_one(api: Api) -> None:
    assert api.client.get("/policies").status_code == 200  # kept at this head
    original = api.app.dependency_overrides[get_settings]
    api.app.dependency_overrides[get_settings] = lambda: make_settings(
        api.home, read_api_key_required=True
    )
    try:
        refused = api.client.get("/policies")
        allowed = api.client.get("/policies", headers=api.auth(SECURITY))
    finally:
        api.app.dependency_overrides[get_settings] = original

    assert_problem(refused, 401, "an API key is required: send it in the X-API-Key header")
    assert allowed.status_code == 200 and "etag" not in allowed.headers

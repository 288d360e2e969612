"""The expensive pure reads answer with the latest completed answer while the one at the
published head is computed, and verifications are kept per head and per fingerprint of
the files they read (issue 11, item 4; :mod:`api.reads`).

Ordering, not the clock: the computation at the new head is held in place (the test
parks the route's snapshot on an event) while the reads are made.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from api import deps, reads
from api.reads import Cached, Head, ReadState, ResponseStore, files_fingerprint
from api.routes import audit as audit_routes
from ledger.mechanisms.sharing import CatalogItemCreate
from tests.api.conftest import POLICY_ID, SECURITY, Api, fresh_id
from tests.api.test_reads_never_wait import item, parked_audit, wait_until

__all__ = ["parked_audit"]  # a fixture this module uses

#: The revalidated routes, each with a query that makes it answer 200 on the test ledger.
REVALIDATED = [
    "/maturity",
    "/maturity/series",
    "/maturity/clauses",
    f"/maturity?department_id={SECURITY}",
    "/progress",
    "/scope/city?windows=1",  # a dashboard page (it reads the chain itself)
]


def state(api: Api) -> ReadState:
    found: ReadState = api.app.state.reads
    return found


def as_of(response: httpx.Response) -> int:
    return int(response.headers["x-govledger-as-of-block"])


@contextmanager
def parked_snapshots(
    monkeypatch: pytest.MonkeyPatch, head: Head
) -> Iterator[tuple[threading.Event, list[str]]]:
    """A revalidated route's read (of a snapshot, or of the chain) at a head newer than
    ``head`` stops until the event is set; the list names the reads parked."""
    go_on = threading.Event()
    parked: list[str] = []
    real = deps.LedgerAccess.snapshot

    def snapshot(self: deps.LedgerAccess) -> Any:
        taken = real(self)
        path = str(self._scope.get("path", ""))
        if reads._revalidated(path) and taken.head.generation > head.generation:
            parked.append(path)
            assert go_on.wait(60)
        return taken

    real_chain_view = deps.LedgerAccess.chain_view

    def chain_view(self: deps.LedgerAccess, read: Any, **kwargs: Any) -> Any:
        path = str(self._scope.get("path", ""))
        pinned = self._scope.get(reads.HEAD_SCOPE_KEY)
        if reads._revalidated(path) and pinned is not None and pinned.generation > head.generation:
            parked.append(path)
            assert go_on.wait(60)
        return real_chain_view(self, read, **kwargs)

    monkeypatch.setattr(deps.LedgerAccess, "snapshot", snapshot)
    monkeypatch.setattr(deps.LedgerAccess, "chain_view", chain_view)
    try:
        yield go_on, parked
    finally:
        go_on.set()


def write(api: Api) -> int:
    """Register a catalog item through the API; the block it landed in."""
    created = api.post("/catalog/items", SECURITY, item(fresh_id("api.swr")))
    assert created.status_code == 201, created.text
    block: int = created.json()["block"]
    return block


@pytest.mark.parametrize("path", REVALIDATED)
def test_while_the_new_head_is_computed_the_previous_answer_is_served_then_the_new_one(
    api: Api, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    monkeypatch.setattr(reads, "WARM_SECONDS", 0.01)  # the write does not wait for its warm-up
    reads_state = state(api)
    cache = reads_state.cache
    assert cache is not None
    before = api.client.get(path)
    assert before.status_code == 200, before.text
    old = reads_state.head
    assert as_of(before) == old.number and before.headers["etag"] == f'"{old.token}"'

    with parked_snapshots(monkeypatch, old) as (go_on, parked):
        block = write(api)  # its warm-up computes `path` at the new head, parked
        wait_until(lambda: path.split("?")[0] in parked)
        new = reads_state.head
        assert new.number == block > old.number
        stale_count = cache.stale

        stale = api.client.get(path)

        assert cache.stale == stale_count + 1
        assert (stale.status_code, stale.content) == (200, before.content)
        assert stale.headers["etag"] == before.headers["etag"]
        assert as_of(stale) == old.number
        assert int(stale.headers["x-govledger-head-block"]) == new.number
        assert int(stale.headers["age"]) >= 0
        # The client holding it is told it is unchanged (its ETag is the old head's).
        held = api.client.get(path, headers={"If-None-Match": before.headers["etag"]})
        assert held.status_code == 304
        # A client that must see its own write waits for the computation under way.
        joined = cache.joined
        with ThreadPoolExecutor(1) as pool:
            fresh_wanted = pool.submit(api.client.get, path, headers={"Cache-Control": "no-cache"})
            wait_until(lambda: cache.joined == joined + 1)
            assert not fresh_wanted.done()
            go_on.set()
            fresh = fresh_wanted.result(timeout=120)

    assert fresh.status_code == 200
    assert as_of(fresh) == new.number and fresh.headers["etag"] == f'"{new.token}"'
    assert "age" not in fresh.headers
    after = api.client.get(path)  # the new answer, now complete, is the one served
    assert (after.headers["etag"], after.content) == (fresh.headers["etag"], fresh.content)
    reads_state.cache = None
    try:
        computed = api.client.get(path)
    finally:
        reads_state.cache = cache
    assert computed.content == fresh.content


def test_with_nothing_computing_a_read_computes_at_the_head_and_is_never_stale(api: Api) -> None:
    reads_state = state(api)
    before = api.client.get("/maturity")
    with api.app.state.ledger_lock:  # a block added without the API's warm-up
        api.ledger.sharing.register_item(SECURITY, CatalogItemCreate(**item(fresh_id("api.s"))))
    head = reads_state.refresh()

    after = api.client.get("/maturity")

    assert head.number > as_of(before)
    assert as_of(after) == head.number and after.headers["etag"] == f'"{head.token}"'
    assert "age" not in after.headers


def test_only_the_revalidated_routes_are_ever_stale() -> None:
    assert all(reads._revalidated(p) for p in ["/maturity", "/maturity/series", "/roadmap"])
    assert reads._revalidated("/progress") and reads._revalidated("/scope/dcity.office")
    assert not any(
        reads._revalidated(p) for p in ["/catalog", "/maturityx", "/events", "/audit/verify"]
    )


def _head(generation: int) -> Head:
    return Head(generation, "0x" + f"{generation:064x}", 0, generation)


@given(
    st.lists(
        st.tuples(st.integers(0, 20), st.sampled_from(["/a", "/b", "/c"])), min_size=1, max_size=40
    )
)
def test_the_latest_completed_answer_only_moves_forward_and_is_its_urls(
    completions: list[tuple[int, str]],
) -> None:
    """Whatever order computations finish in, the answer kept for a URL is the one
    computed at the newest head for that URL, never another URL's."""
    store = ResponseStore()
    newest: dict[str, int] = {}
    for generation, path in completions:
        store.complete(_head(generation), (path,), Cached(200, [], f"{generation}{path}".encode()))
        newest[path] = max(newest.get(path, -1), generation)
        for p, g in newest.items():
            latest = store.latest((p,))
            assert latest is not None
            assert latest.head.generation == g and latest.response.body == f"{g}{p}".encode()


# -- verifications ------------------------------------------------------------------------


@pytest.fixture
def counted_audits(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The audits run by ``/audit/verify``."""
    runs: list[int] = []
    real = audit_routes.audit

    def counted(*args: Any) -> Any:
        runs.append(1)
        return real(*args)

    monkeypatch.setattr(audit_routes, "audit", counted)
    return runs


@contextmanager
def tampered(path: Path) -> Iterator[None]:
    """``path`` with one byte appended, restored afterwards."""
    original = path.read_bytes()
    path.write_bytes(original + b" ")
    try:
        yield
    finally:
        path.write_bytes(original)


def policy_record(api: Api) -> Path:
    checks = api.client.get(f"/policies/{POLICY_ID}/verify").json()["checks"]
    return api.ledger.records.path(checks[0]["anchored"])


def test_an_unchanged_ledger_is_verified_once_and_a_tampered_file_at_once(
    api: Api, counted_audits: list[int]
) -> None:
    cache = state(api).cache
    assert cache is not None
    query = {"run": fresh_id("swr")}  # a request no other test made
    first = api.client.get("/audit/verify", params=query)
    hits = cache.hits
    again = api.client.get("/audit/verify", params=query)

    assert first.json()["ok"] is True
    assert cache.hits == hits + 1 and len(counted_audits) == 1
    assert again.content == first.content

    record = policy_record(api)
    with tampered(record):
        failed = api.client.get("/audit/verify", params=query)
        body = failed.json()
        assert failed.status_code == 200 and body["ok"] is False
        assert len(counted_audits) == 2
        failing = [c["subject"] for c in body["checks"] if not c["ok"]]
        # the record, and any score other tests published over its clauses (shared ledger)
        assert failing[0] == f"record {POLICY_ID} v1"
        assert all(s.startswith("score ") and s.endswith(" recomputed") for s in failing[1:])
        policy = api.client.get(f"/policies/{POLICY_ID}/verify").json()
        assert [c["ok"] for c in policy["checks"]] == [False]

    restored = api.client.get("/audit/verify", params=query)
    assert restored.json()["ok"] is True and len(counted_audits) == 3
    again = api.client.get(f"/policies/{POLICY_ID}/verify").json()
    assert [c["ok"] for c in again["checks"]] == [True]


def test_a_verification_is_computed_again_after_a_write(
    api: Api, counted_audits: list[int]
) -> None:
    query = {"run": fresh_id("swr")}
    first = api.client.get("/audit/verify", params=query)
    write(api)
    second = api.client.get("/audit/verify", params=query)

    assert len(counted_audits) == 2
    assert first.json()["ok"] is second.json()["ok"] is True
    assert as_of(second) > as_of(first)


def test_the_fingerprint_sees_names_sizes_and_times_but_not_the_chain_or_locks(
    tmp_path: Path,
) -> None:
    (tmp_path / "records").mkdir()
    (tmp_path / "chain").mkdir()
    record = tmp_path / "records" / "a.json"
    record.write_bytes(b"{}")
    start = files_fingerprint(tmp_path)
    assert [name for name, _size, _time in start] == [str(Path("records") / "a.json")]

    (tmp_path / "chain" / "db").write_bytes(b"blocks")
    (tmp_path / "index.sqlite-shm").write_bytes(b"shared")
    (tmp_path / "records" / ".lock").write_bytes(b"")
    assert files_fingerprint(tmp_path) == start

    record.write_bytes(b"{} ")
    assert files_fingerprint(tmp_path) != start
    record.write_bytes(b"{}")
    info = record.stat()
    os.utime(record, ns=(info.st_atime_ns, info.st_mtime_ns + 1))  # same name and size
    touched = files_fingerprint(tmp_path)
    assert touched[0][:2] == start[0][:2] and touched != start


def test_a_verification_under_way_is_not_shared_with_a_request_that_saw_a_changed_file(
    api: Api, parked_audit: tuple[threading.Event, list[int]]
) -> None:
    cache = state(api).cache
    assert cache is not None
    go_on, runs = parked_audit
    query = {"run": fresh_id("swr")}
    record = policy_record(api)
    verifications = lambda: sum(1 for h, _ in cache.inflight if h is None)  # noqa: E731
    with ThreadPoolExecutor(2) as pool:
        before = pool.submit(api.client.get, "/audit/verify", params=query)
        wait_until(lambda: len(runs) == 1)
        with tampered(record):
            after = pool.submit(api.client.get, "/audit/verify", params=query)
            wait_until(lambda: verifications() == 2)  # its own, not the one under way
            go_on.set()
            answers = before.result(timeout=120), after.result(timeout=120)

    assert len(runs) == 2
    # Both audits read the record once released, after it was altered.
    assert [a.json()["ok"] for a in answers] == [False, False]

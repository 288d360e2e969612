"""Reads that never wait behind writes or audits.

The embedded chain is not thread-safe, so whatever touches it holds one lock, the
:class:`WriterLock`. Reads mostly do not need the chain: they are served from the index
(the SQL store; each reading thread checks out a connection of its own, and SQLite
runs in WAL) and the record store, as they stood at the **published head**:

- Whoever holds the lock publishes on release (:meth:`ReadState.released`): the index
  is synced to the chain's latest block and that block (number, hash, time) becomes the
  :class:`Head` readers see. A write's response is sent after its head is published, so
  the next read sees the write (read-your-writes), while a write still in flight is not
  seen and does not hold any reader up.
- A write publishes its head itself (:meth:`ReadState.settle`), after computing again
  at that head the answers read at the old one: the write, not the next reader, pays
  for the recomputation it caused (for up to :data:`WARM_SECONDS`).
- A :class:`Snapshot` is the ledger as of one head: the index capped at the head's
  block (:meth:`~ledger.store.sql.EventStore.at`), policies and scores read from it.
- :class:`ReadCache` (ASGI middleware) keeps each GET response under the head it was
  computed at (a score is a pure function of its block): a second request for the
  same URL at the same head is answered from memory, with an ``ETag`` (``304`` on
  ``If-None-Match``). Concurrent requests for one URL share one computation. A new
  head makes old entries unreachable; only the two latest heads are kept. While reads
  need an API key (``read_api_key_required``) nothing is cached.
- Reads that need the chain itself (the audit, published scores, findings, a policy's
  verification, the effect log's checkpoints) hold the lock like a write, but the lock
  is fair (first come, first served) and at most one expensive check (an audit, a
  score's recomputation) waits for it at a time, so a write waits for at most one.

Stale while revalidating: the expensive pure answers (:data:`REVALIDATED`: the maturity
routes, progress, roadmap, the dashboard's scope pages) are, while their answer at the
published head is being computed, answered with the latest completed answer for that URL
(exactly the answer at ITS head: ``X-Govledger-As-Of-Block`` says which block, ``Age``
how old it is, ``X-Govledger-Head-Block`` the head being computed). The latest completed
answer only ever moves forward. A request with ``Cache-Control: no-cache`` never gets a
stale answer: it waits for (or starts) the computation at the published head. A request
that finds nothing under way computes, so at most one computation per URL runs for stale
readers.

Verification routes (``…/verify``) also check files an intruder could alter without
any block being added: their answers are kept under the head and a fingerprint of those
files (:func:`files_fingerprint`: every file of the home but the chain's and the keys',
by name, size and mtime_ns), so a changed file is noticed by the next request, while
repeated verifications of an unchanged ledger are answered from memory. Requests that
arrive while a verification of the same files (the index aside: every write changes it)
is under way share it, whatever head it started at (an audit takes seconds, and writes
add blocks meanwhile), so at most one runs per URL.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import anyio.from_thread

from ledger.chain.identity import node_address
from ledger.core import Ledger
from ledger.errors import LedgerBusyError, NodeUnavailableError
from ledger.maturity.service import Scorer
from ledger.policies import PolicyBook
from ledger.settings import Settings, get_settings
from ledger.store.sql import EventStore

__all__ = [
    "HEAD_SCOPE_KEY",
    "USED_SCOPE_KEY",
    "Head",
    "ReadCache",
    "ReadState",
    "Snapshot",
    "WriterLock",
    "files_fingerprint",
]

log = logging.getLogger(__name__)

#: The request scope's key for the head a GET request is pinned to (set by ReadCache).
HEAD_SCOPE_KEY = "govledger.read_head"
#: The request scope's key for the head a warming request is computed at.
WARM_SCOPE_KEY = "govledger.warm_head"
#: The request scope's key for the heads the request's reads used (set by the routes).
USED_SCOPE_KEY = "govledger.read_used"
#: How often an idle server looks for blocks that others added (a JSON-RPC node).
REFRESH_SECONDS = 1.0

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(frozen=True)
class Head:
    """A published head: the indexed block readers see, and the writes that led there.

    ``generation`` counts publications, so a write that adds no block (an effect-log
    batch waiting to be sealed) still gives a new :attr:`token`.
    """

    number: int
    hash: str
    time: int
    generation: int

    @property
    def token(self) -> str:
        """What names this head in a cache key and an ``ETag``."""
        return f"{self.number}-{self.hash[2:18]}-{self.generation}"


class WriterLock:
    """The lock of the chain: fair (first come, first served) and publishing on release.

    ``acquire``/``release`` and ``with`` behave as :class:`threading.Lock`'s. Before the
    lock is let go, ``on_release(dirty)`` runs (``dirty``: :meth:`mark_dirty` was called
    while it was held, i.e. something was written); an error there is logged and the
    lock is released all the same.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._queue: deque[object] = deque()
        self._held = False
        self._dirty = False
        self.on_release: Callable[[bool], object] | None = None

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        with self._cond:
            if not self._held and not self._queue:
                self._held = True
                return True
            if not blocking:
                return False
            ticket = object()
            self._queue.append(ticket)
            deadline = None if timeout < 0 else time.monotonic() + timeout
            while self._held or self._queue[0] is not ticket:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    self._queue.remove(ticket)
                    self._cond.notify_all()
                    return False
                self._cond.wait(remaining)
            self._queue.popleft()
            self._held = True
            return True

    def mark_dirty(self) -> None:
        """Say that the holder writes: the release publishes a new generation."""
        self._dirty = True

    def release(self) -> None:
        dirty, self._dirty = self._dirty, False
        hook = self.on_release
        try:
            if hook is not None:
                hook(dirty)
        except Exception:  # the write landed; a failed publication must not wedge the lock
            log.exception("could not publish the head after releasing the ledger")
        finally:
            with self._cond:
                self._held = False
                self._cond.notify_all()

    def locked(self) -> bool:
        return self._held

    def waiting(self) -> int:
        """How many threads wait for the lock."""
        with self._cond:
            return len(self._queue)

    def __enter__(self) -> WriterLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


class ReadState:
    """The published head of one ledger, and what readers share: block times, the cache.

    :meth:`advance` (and :meth:`refresh`, :meth:`released`, the lock's release hook) runs
    only under the :class:`WriterLock`, so the chain is touched by one thread at a time.
    Heads are numbered by one counter (``generation``), so a newer one is never replaced
    by an older one however the publications interleave.
    """

    def __init__(self, ledger: Ledger, lock: WriterLock, *, cache: bool = True) -> None:
        self.ledger = ledger
        self.lock = lock
        self.cache = ResponseStore() if cache else None
        #: The app whose answers a write warms before it returns (see :meth:`settle`).
        self.app: ASGIApp | None = None
        self._head: Head | None = None
        self._latest: Head | None = None  # the newest head computed, published or not
        self._staged: Head | None = None  # a write's head, published once warmed
        self._generations = itertools.count()
        self._publishing = threading.Lock()
        self._warming: set[tuple[Any, ...]] = set()  # touched in the event loop only
        self._published_at = 0.0
        self._blocks: dict[int, tuple[int, str]] = {}
        #: One expensive chain read (an audit) waits for the lock at a time.
        self.expensive = threading.Semaphore(1)
        self._stop = threading.Event()
        self._refresher: threading.Thread | None = None

    @property
    def head(self) -> Head:
        """The head readers see now."""
        if self._head is None:
            raise LedgerBusyError("the ledger is not open yet")
        return self._head

    def refresh(self, wrote: bool = False) -> Head:
        """Sync the index to the chain's latest block and publish it (under the lock).

        The head moves when the chain did; when it did not, ``wrote`` still publishes a
        new generation (a write that adds no block).
        """
        self.publish(self.advance(wrote))
        return self.head

    def released(self, wrote: bool) -> None:
        """The lock's release hook: what a write made is staged, for the writer to warm and
        publish (:meth:`settle`); anything else is published at once."""
        head = self.advance(wrote)
        if wrote and self.app is not None and self.cache is not None:
            with self._publishing:
                if self._staged is None or head.generation > self._staged.generation:
                    self._staged = head
        else:
            self.publish(head)

    def publish(self, head: Head) -> None:
        """Make ``head`` the one readers see, unless a newer one is published already."""
        with self._publishing:
            if self._head is None or head.generation > self._head.generation:
                self._head = head
            self._published_at = time.monotonic()

    def settle(self) -> None:
        """After a write released the lock, before its response: compute the answers read
        at the old head again at the new one (for up to :data:`WARM_SECONDS`), then
        publish it. Reads never wait for a recomputation a write caused; the write does.
        """
        with self._publishing:
            staged, self._staged = self._staged, None
        if staged is None:
            return
        try:
            anyio.from_thread.run(self.warm, staged)
        except Exception:  # not in a worker thread of the app, or a failed warm-up
            log.debug("the answers at block %s were not warmed", staged.number, exc_info=True)
        finally:
            self.publish(staged)

    async def warm(self, head: Head) -> None:
        """Compute at ``head`` the answers kept at the published head (the latest
        :data:`WARM_MAX` of them), in parallel, for up to :data:`WARM_SECONDS`; those not
        done by then go on and are kept when they are. An answer still being warmed for
        an earlier write is not started again (writes faster than a score cannot pile
        computations up)."""
        store, app, current = self.cache, self.app, self._head
        if store is None or app is None or current is None:
            return
        wanted = dict.fromkeys([*store.keys(current.token), *store.revalidated()])
        keys = [
            k
            for k in list(wanted)[-WARM_MAX:]
            if k not in self._warming and not store.computing(k) and not _is_verify(k[0])
        ]
        self._warming.update(keys)
        tasks = [asyncio.ensure_future(self._warm_one(app, head, key)) for key in keys]
        if tasks:
            await asyncio.wait(tasks, timeout=WARM_SECONDS)

    async def _warm_one(self, app: ASGIApp, head: Head, key: tuple[Any, ...]) -> None:
        try:
            await _warm_one(app, head, key)
        finally:
            self._warming.discard(key)

    def advance(self, wrote: bool = False) -> Head:
        """Sync the index to the chain's latest block (under the lock); the head to publish."""
        try:
            latest = self.ledger.w3.eth.get_block("latest")
        except Exception as err:
            if self.ledger.handle.kind != "rpc":
                raise
            url = node_address(self.ledger.settings.rpc_url or "")
            raise NodeUnavailableError(
                f"the JSON-RPC node at {url} does not answer ({type(err).__name__})"
            ) from err
        number, block_hash = int(latest["number"]), latest["hash"].to_0x_hex()
        current = self._latest
        if current is None or (current.number, current.hash) != (number, block_hash):
            self.ledger.indexer.sync(to_block=number)
            if current is not None and 0 < number - current.number <= MAX_BLOCKS_KEPT_AT_ONCE:
                self._keep_blocks(range(current.number + 1, number + 1))
            current = Head(number, block_hash, int(latest["timestamp"]), next(self._generations))
        elif wrote:
            current = replace(current, generation=next(self._generations))
        self._latest = current
        return current

    # -- blocks for the scorer -------------------------------------------------------

    def _keep_blocks(self, numbers: range) -> None:
        """Keep the times of blocks just published (under the lock), so a series that
        needs one never asks the chain for it."""
        if self.ledger.handle.kind != "rpc":
            for n in numbers:
                self._remember(n, _block(self.ledger, n))

    def block(self, number: int, store: EventStore) -> tuple[int, str]:
        """Block ``number``'s time and hash: from memory, the index, or the chain.

        Blocks of the embedded chain never change, so they are kept once read; a node's
        blocks are asked for each time (a node may reorganise; its client is
        thread-safe, so no lock is needed).
        """
        embedded = self.ledger.handle.kind != "rpc"
        if embedded and number in self._blocks:
            return self._blocks[number]
        found = store.block_of(number)
        if found is None:
            if embedded:
                if not self.lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
                    raise LedgerBusyError("timed out waiting for the ledger")
                try:
                    found = _block(self.ledger, number)
                finally:
                    self.lock.release()
            else:
                found = _block(self.ledger, number)
        if embedded:
            self._remember(number, found)
        return found

    def _remember(self, number: int, block: tuple[int, str]) -> None:
        if len(self._blocks) >= MAX_BLOCKS_KEPT:  # forget the older half (dicts keep order)
            for old in list(self._blocks)[: MAX_BLOCKS_KEPT // 2]:
                del self._blocks[old]
        self._blocks[number] = block

    # -- the refresher -----------------------------------------------------------------

    def start(self) -> None:
        """Look for blocks others add (a JSON-RPC node) while nobody writes here."""
        if self.ledger.handle.kind != "rpc":
            return  # only this process writes an embedded chain, and it publishes
        self._refresher = threading.Thread(
            target=self._refresh_loop, name="govledger-refresh", daemon=True
        )
        self._refresher.start()

    def stop(self) -> None:
        self._stop.set()
        if self._refresher is not None:
            self._refresher.join(timeout=5)

    def _refresh_loop(self) -> None:
        while not self._stop.wait(REFRESH_SECONDS / 2):
            stale = time.monotonic() - self._published_at >= REFRESH_SECONDS
            if stale and self.lock.acquire(blocking=False):
                self.lock.release()  # the release publishes


#: How long a write waits for the answers at its head to be computed again.
WARM_SECONDS = 1.0
#: At most this many answers are computed again after a write.
WARM_MAX = 64


async def _warm_one(app: ASGIApp, head: Head, key: tuple[Any, ...]) -> None:
    """GET the request ``key`` names through ``app``, pinned to ``head`` (the cache keeps
    the answer); the answer itself goes nowhere."""
    path, query, *vary = key
    headers = [(b"host", b"govledger")]
    headers += [(name, value) for name, value in zip(_VARY, vary, strict=True) if value]
    scope: Scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": None,
        "server": None,
        "state": {},
        WARM_SCOPE_KEY: head,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def discard(message: Message) -> None:
        return None

    try:
        await app(scope, receive, discard)
    except Exception:  # a failed answer is computed again when it is asked for
        log.debug("warming %s failed", path, exc_info=True)


#: How long a reader waits for the chain when a block is nowhere else (rare).
LOCK_TIMEOUT_SECONDS = 30.0
#: A publication that adds at most this many blocks keeps their times.
MAX_BLOCKS_KEPT_AT_ONCE = 64
#: At most this many block times are kept (about 15 MB).
MAX_BLOCKS_KEPT = 100_000


def _block(ledger: Ledger, number: int) -> tuple[int, str]:
    block = ledger.w3.eth.get_block(number)
    return int(block["timestamp"]), block["hash"].to_0x_hex()


@dataclass(frozen=True)
class _SnapshotBlocks:
    """The scorer's :class:`~ledger.maturity.service.BlockReader` at a snapshot's head."""

    head_block: Head
    state: ReadState
    store: EventStore

    def head(self) -> int:
        return self.head_block.number

    def block(self, number: int) -> tuple[int, str]:
        if number == self.head_block.number:
            return self.head_block.time, self.head_block.hash
        return self.state.block(number, self.store)


class Snapshot:
    """The ledger as of one published head, read without the chain's lock.

    - :attr:`store`: the index, every read capped at the head's block;
    - :attr:`policy_book`: policies from that index and the record store;
    - :attr:`scorer`: scores, clause cycles and series at the head.
    """

    def __init__(self, state: ReadState, head: Head) -> None:
        ledger = state.ledger
        self.head = head
        self.store = ledger.store.at(head.number)
        self.records = ledger.records
        self.policy_book = PolicyBook(ledger.policies, ledger.records, self.store)
        store = self.store
        self.scorer = Scorer(
            events=lambda to_block: store.events(to_block=to_block),
            blocks=_SnapshotBlocks(head, state, store),
            records=self.policy_book.stored_record,
            effects=ledger.effects.view,
            chain_id=ledger.deployment.chain_id,
        )

    def departments(self) -> list[dict[str, Any]]:
        """Every department registered by the head: id, name and account, in order of
        registration (as the Directory lists them; neither changes once registered)."""
        return [
            {"id": e.args["departmentId"], "name": e.args["name"], "account": e.args["account"]}
            for e in self.store.events(contract="Directory", names=["DepartmentRegistered"])
        ]

    def is_department(self, department_id: str) -> bool:
        """Whether ``department_id`` was registered in the directory by the head."""
        registered = self.store.events(
            contract="Directory",
            names=["DepartmentRegistered"],
            department_id=department_id,
            limit=1,
        )
        return bool(registered)


# -- the response cache ----------------------------------------------------------------

#: Responses larger than this are not kept.
MAX_CACHED_BODY = 8 * 1024 * 1024
#: At most this many responses are kept per head.
MAX_CACHED_PER_HEAD = 2048
#: GET paths never cached: the service's own pages and probes.
UNCACHED = ("/health", "/docs", "/redoc", "/openapi.json", "/static")
#: Request headers a response may depend on (content negotiation, the language).
_VARY = (b"accept", b"accept-language", b"cookie")


@dataclass
class Cached:
    """A response as it was sent."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True)
class Completed:
    """The latest completed answer for one URL: the head it was computed at, and when."""

    head: Head
    response: Cached
    at: float


class ResponseStore:
    """Responses by (head token, request key), for the two latest heads."""

    def __init__(self) -> None:
        self._by_head: dict[str, dict[tuple[Any, ...], Cached]] = {}
        #: The computations under way, by (head token, request key); a verification's
        #: head token is None (it is shared whatever the head, by requests that saw the
        #: same files but the index).
        self.inflight: dict[tuple[str | None, tuple[Any, ...]], asyncio.Future[Cached | None]] = {}
        #: How many requests joined a computation under way instead of starting one.
        self.joined = 0
        #: How many requests were answered from the store.
        self.hits = 0
        #: How many requests got a stale answer while a newer one was being computed.
        self.stale = 0
        self._latest: dict[tuple[Any, ...], Completed] = {}

    def get(self, token: str, key: tuple[Any, ...]) -> Cached | None:
        return self._by_head.get(token, {}).get(key)

    def keys(self, token: str) -> list[tuple[Any, ...]]:
        """The requests answered at ``token``, in the order their answers were kept."""
        return list(self._by_head.get(token, {}))

    def put(self, token: str, key: tuple[Any, ...], response: Cached) -> None:
        if token not in self._by_head:
            self._by_head[token] = {}
            while len(self._by_head) > 2:  # dicts keep insertion order: drop the oldest
                del self._by_head[next(iter(self._by_head))]
        entries = self._by_head[token]
        if len(entries) < MAX_CACHED_PER_HEAD or key in entries:
            entries[key] = response

    def complete(self, head: Head, key: tuple[Any, ...], response: Cached) -> None:
        """Note ``response`` as the latest completed answer for ``key`` (of a
        :data:`REVALIDATED` route), unless one at a newer head is noted already."""
        known = self._latest.get(key)
        if known is not None and known.head.generation >= head.generation:
            return
        self._latest.pop(key, None)  # re-inserted last: the oldest go first
        self._latest[key] = Completed(head, response, time.monotonic())
        while len(self._latest) > MAX_CACHED_PER_HEAD:
            del self._latest[next(iter(self._latest))]

    def latest(self, key: tuple[Any, ...]) -> Completed | None:
        """The latest completed answer for ``key``, at whatever head."""
        return self._latest.get(key)

    def revalidated(self) -> list[tuple[Any, ...]]:
        """The requests with a latest completed answer, the most recently completed last."""
        return list(self._latest)

    def computing(self, key: tuple[Any, ...]) -> bool:
        """Whether an answer for ``key`` is being computed, at any head."""
        return any(k == key for _, k in self.inflight)

    def __len__(self) -> int:
        return sum(len(v) for v in self._by_head.values())


#: Paths (and what is under them) whose answer, while the one at the published head is
#: being computed, is the latest completed one: pure functions of a block, but slow.
REVALIDATED = ("/maturity", "/progress", "/roadmap", "/scope")


def _revalidated(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in REVALIDATED)


def _is_verify(path: str) -> bool:
    return path.endswith("/verify")


def files_fingerprint(home: Path) -> tuple[tuple[str, int, int], ...]:
    """Every file a verification may read, by relative name, size and mtime_ns: all of
    ``home`` but the chain's own files (the head names them), the keys, and SQLite's
    shared-memory and lock files (readers touch them)."""
    found: list[tuple[str, int, int]] = []
    pending = [home]
    while pending:
        folder = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except FileNotFoundError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if folder != home or entry.name not in _UNVERIFIED_DIRS:
                    pending.append(Path(entry.path))
                continue
            if entry.name.endswith(_UNVERIFIED_SUFFIXES):
                continue
            try:
                info = entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue
            found.append((os.path.relpath(entry.path, home), info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


def _written_by_writes_excluded(
    files: tuple[tuple[str, int, int], ...],
) -> tuple[tuple[str, int, int], ...]:
    """``files`` but the SQLite databases every write changes (the index): what a
    verification under way must have seen for a request to share it."""
    return tuple(f for f in files if not f[0].endswith(_SQLITE_SUFFIXES))


#: The files of SQLite databases (each write changes the index's).
_SQLITE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-journal")
#: Folders of the home a verification does not read as files (the chain is named by the
#: head; the keys are not verified).
_UNVERIFIED_DIRS = frozenset({"chain", "keystore"})
#: Files readers change without changing anything (SQLite's shared memory, locks).
_UNVERIFIED_SUFFIXES = ("-shm", ".lock")


def _cacheable(path: str) -> bool:
    return path != "/" and not any(
        path == p or path.startswith(p + "/") or path.startswith(p + "?") for p in UNCACHED
    )


def _etag(token: str) -> bytes:
    return f'"{token}"'.encode()


def _request_key(scope: Scope) -> tuple[Any, ...]:
    headers = dict(scope.get("headers") or [])
    return (scope["path"], scope.get("query_string", b""), *(headers.get(h) for h in _VARY))


class ReadCache:
    """ASGI middleware: GET responses kept per published head (see the module doc)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        state = _read_state(scope)
        if (
            state is None
            or state.cache is None
            or scope["type"] != "http"
            or scope["method"] != "GET"
            or not _cacheable(scope["path"])
            or _keys_required(scope)
        ):
            await self.app(scope, receive, send)
            return
        store = state.cache
        warming = scope.get(WARM_SCOPE_KEY)
        head = warming if isinstance(warming, Head) else state.head
        scope[HEAD_SCOPE_KEY] = head
        key = _request_key(scope)
        path = scope["path"]
        flight: tuple[str | None, tuple[Any, ...]] = (head.token, key)
        if _is_verify(path):  # its answer depends on files as well as on the head
            files = files_fingerprint(Path(state.ledger.home))
            # It joins a verification of the same files under way, whatever head that
            # started at (an audit takes seconds, and writes add blocks meanwhile).
            flight = (None, (*key, _written_by_writes_excluded(files)))
            key = (*key, files)
        may_be_stale = warming is None and _revalidated(path) and not _wants_fresh(scope)
        for _attempt in range(2):  # a shared computation may end with nothing to share
            hit = store.get(head.token, key)
            pending = store.inflight.get(flight)
            if hit is None and may_be_stale and store.computing(key):
                stale = store.latest(key)
                if stale is not None and stale.head.generation < head.generation:
                    store.stale += 1
                    await _replay(_aged(stale, head), stale.head.token, scope, send)
                    return
            if hit is None and pending is not None:
                store.joined += 1
                hit = await asyncio.shield(pending)
            if hit is not None:
                store.hits += 1
                await _replay(hit, head.token, scope, send)
                return
            if pending is None:
                break
        await self._compute(store, head, key, flight, scope, receive, send)

    async def _compute(
        self,
        store: ResponseStore,
        head: Head,
        key: tuple[Any, ...],
        flight: tuple[str | None, tuple[Any, ...]],
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        future: asyncio.Future[Cached | None] = asyncio.get_running_loop().create_future()
        shared = flight not in store.inflight  # else another computation is shared already
        if shared:
            store.inflight[flight] = future
        used: list[Head] = []
        scope[USED_SCOPE_KEY] = used
        status = 0
        headers: list[tuple[bytes, bytes]] = []
        body: list[bytes] = []
        size = 0
        result: Cached | None = None

        async def capture(message: Message) -> None:
            nonlocal status, headers, size
            if message["type"] == "http.response.start":
                status = int(message["status"])
                at = _single_head(used) or head
                headers = [
                    *(
                        (k, v)
                        for k, v in message.get("headers", [])
                        if k.lower() not in (b"etag", b"cache-control", AS_OF_HEADER)
                    ),
                    (b"etag", _etag(at.token)),
                    (b"cache-control", b"no-cache"),
                    (AS_OF_HEADER, str(at.number).encode()),
                ]
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
                if size <= MAX_CACHED_BODY:
                    body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, capture)
            at = _single_head(used) if used else head
            if at is not None and _keepable(status) and size <= MAX_CACHED_BODY:
                result = Cached(status, headers, b"".join(body))
                store.put(at.token, key, result)
                if _revalidated(scope["path"]):
                    store.complete(at, key, result)
                if at.token != head.token and flight[0] is not None:
                    result = None  # computed at a newer head: waiters at the old one retry
        finally:
            if shared:
                del store.inflight[flight]
                future.set_result(result)


#: The response header naming the block an answer was computed at.
AS_OF_HEADER = b"x-govledger-as-of-block"
#: The response header of a stale answer naming the published head being computed.
HEAD_HEADER = b"x-govledger-head-block"


def _wants_fresh(scope: Scope) -> bool:
    """Whether the request says ``Cache-Control: no-cache`` (or ``no-store``): it waits
    for the answer at the published head rather than take an older one."""
    value = dict(scope.get("headers") or []).get(b"cache-control", b"").lower()
    return any(d.strip() in (b"no-cache", b"no-store") for d in value.split(b","))


def _aged(stale: Completed, head: Head) -> Cached:
    """``stale`` as sent while the answer at ``head`` is being computed: with its age in
    seconds (``Age``) and the head it falls behind (:data:`HEAD_HEADER`)."""
    age = max(0, int(time.monotonic() - stale.at))
    extra = [(b"age", str(age).encode()), (HEAD_HEADER, str(head.number).encode())]
    kept = [(k, v) for k, v in stale.response.headers if k.lower() not in (b"age", HEAD_HEADER)]
    return replace(stale.response, headers=[*kept, *extra])


def _keepable(status: int) -> bool:
    """Answers that any reader at that head gets alike (not 401/403, not 5xx)."""
    return 200 <= status < 500 and status not in (401, 403)


def _single_head(used: Iterable[Head]) -> Head | None:
    """The one head a request read at, or None when it read at several."""
    heads = {h.token: h for h in used}
    return next(iter(heads.values())) if len(heads) == 1 else None


def _keys_required(scope: Scope) -> bool:
    """Whether reads need an API key now (then every request is checked and computed)."""
    overrides = getattr(scope.get("app"), "dependency_overrides", {})
    settings: Settings = overrides.get(get_settings, get_settings)()
    return settings.read_api_key_required


def _read_state(scope: Scope) -> ReadState | None:
    app = scope.get("app")
    state = getattr(getattr(app, "state", None), "reads", None)
    return state if isinstance(state, ReadState) else None


async def _replay(hit: Cached, token: str, scope: Scope, send: Send) -> None:
    """Send ``hit`` again, or 304 when the client holds it already."""
    headers = dict(scope.get("headers") or [])
    etag = dict(hit.headers).get(b"etag", _etag(token))
    match = headers.get(b"if-none-match")
    if match is not None and etag in [m.strip() for m in match.split(b",")]:
        await send(
            {
                "type": "http.response.start",
                "status": 304,
                "headers": [(b"etag", etag), (b"cache-control", b"no-cache")],
            }
        )
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": hit.status, "headers": hit.headers})
    await send({"type": "http.response.body", "body": hit.body})

"""Dependencies of the routes, as ``Annotated`` aliases.

- :data:`SettingsDep`: the settings, from the cached :func:`get_settings` (tests and
  :func:`api.main.create_app` override it through ``app.dependency_overrides``).
- :data:`LedgerDep`: the one :class:`Ledger` the app holds: snapshots to read, the
  ledger itself under its lock to write (:class:`LedgerAccess`, :mod:`api.reads`).
- :data:`DepartmentDep`: the department whose API key came in ``X-API-Key`` (a
  department's key; an auditor's is a 403 there).
- :data:`AuditorOnly`: for the auditor's routes: an auditor's key (a department's is
  a 403 there).
- :data:`AnyKey`: for routes any valid key may use, a department's or the auditor's.
- :data:`ReadAccess`: for read routes; checks the key only when the settings
  ask for keys on reads (``read_api_key_required``). It reads the header itself, so
  read routes declare no security in the OpenAPI document (:func:`api.errors.
  install_problem_openapi` adds it when the settings require keys on reads).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Request, Security
from fastapi.security import APIKeyHeader
from web3 import HTTPProvider, Web3

from api.errors import API_KEY_HEADER
from api.reads import HEAD_SCOPE_KEY, USED_SCOPE_KEY, Head, ReadState, Snapshot
from ledger.apikeys import ApiKeyInfo, ApiKeys
from ledger.chain.identity import node_address
from ledger.chain.types import TxRef
from ledger.core import Ledger
from ledger.errors import ForbiddenError, LedgerBusyError, NodeUnavailableError
from ledger.settings import Settings, get_settings

#: How long a request waits for the ledger before it gets 503.
LOCK_TIMEOUT_SECONDS = 30.0
#: How long ``/health`` waits for the chain (so it answers within about a second).
HEALTH_TIMEOUT_SECONDS = 1.0

T = TypeVar("T")


class LedgerAccess:
    """The app's ledger for one request (see :mod:`api.reads`).

    - :meth:`read` / :meth:`view`: the ledger as of the published head, a
      :class:`~api.reads.Snapshot` of the index and the record store, without the
      chain's lock: reads never wait for a write or an audit.
    - :meth:`chain_read` / :meth:`chain_view`: the :class:`Ledger` itself, for reads
      the chain must answer, under the lock (fair; ``expensive`` ones wait their turn
      one at a time, so a write waits for at most one).
    - :meth:`write`, :meth:`send`, :meth:`send_then`: under the lock; its release
      indexes what was written and publishes the new head before the response goes
      out, so the next read sees it.
    """

    def __init__(self, reads: ReadState, scope: MutableMapping[str, Any] | None = None) -> None:
        self._reads = reads
        self._ledger = reads.ledger
        self._lock = reads.lock
        self._scope = scope if scope is not None else {}

    def head(self, timeout: float = HEALTH_TIMEOUT_SECONDS) -> tuple[str, int | None]:
        """The chain's kind and head block within ``timeout`` seconds, for ``/health``.

        A node is asked directly (its client is thread-safe), with that timeout; one that
        does not answer is a :class:`NodeUnavailableError`. The embedded chain is read
        under the lock, waited for at most ``timeout``: ``None`` when a long request
        holds it.
        """
        ledger = self._ledger
        if ledger.handle.kind == "rpc":
            url = ledger.settings.rpc_url or ""
            probe = Web3(HTTPProvider(url, request_kwargs={"timeout": timeout}))
            try:
                return "rpc", int(probe.eth.block_number)
            except Exception as err:  # connection refused, timeout, a broken reply
                raise NodeUnavailableError(
                    f"the JSON-RPC node at {node_address(url)} does not answer"
                    f" ({type(err).__name__})"
                ) from err
        if not self._lock.acquire(timeout=timeout):
            return "embedded", None
        try:
            return "embedded", int(ledger.w3.eth.block_number)
        finally:
            self._lock.release()

    def _used(self, head: Head) -> None:
        """Note the head this request read at (the cache keeps the response under it)."""
        used = self._scope.get(USED_SCOPE_KEY)
        if isinstance(used, list):
            used.append(head)

    def snapshot(self) -> Snapshot:
        """The ledger as of the head this request is pinned to (the published one)."""
        pinned = self._scope.get(HEAD_SCOPE_KEY)
        head = pinned if isinstance(pinned, Head) else self._reads.head
        self._used(head)
        return Snapshot(self._reads, head)

    @contextmanager
    def read(self) -> Iterator[Snapshot]:
        """The ledger as of the published head, to read; no lock is taken."""
        yield self.snapshot()

    def view(self, read: Callable[[Snapshot], T]) -> T:
        """What ``read`` returns from the ledger as of the published head."""
        return read(self.snapshot())

    @contextmanager
    def _locked(self, *, writes: bool) -> Iterator[Ledger]:
        if not self._lock.acquire(timeout=LOCK_TIMEOUT_SECONDS):
            raise LedgerBusyError("timed out waiting for the ledger")
        try:
            if writes:
                self._lock.mark_dirty()
            yield self._ledger
        finally:
            self._lock.release()

    @contextmanager
    def chain_read(self, *, expensive: bool = False) -> Iterator[Ledger]:
        """The ledger itself, to read what only the chain answers, its index synced to the
        chain's head first. ``expensive`` reads (an audit) queue for the lock one at a time.
        """
        gate = self._reads.expensive if expensive else None
        if gate is not None and not gate.acquire(timeout=LOCK_TIMEOUT_SECONDS):
            raise LedgerBusyError("timed out waiting for the ledger")
        try:
            with self._locked(writes=False) as ledger:
                self._used(self._reads.refresh())
                yield ledger
        finally:
            if gate is not None:
                gate.release()

    def chain_view(self, read: Callable[[Ledger], T], *, expensive: bool = False) -> T:
        """What ``read`` returns from the ledger itself (see :meth:`chain_read`)."""
        with self.chain_read(expensive=expensive) as ledger:
            return read(ledger)

    @contextmanager
    def write(self) -> Iterator[Ledger]:
        """The ledger, to send transactions (and read what they depend on). Once the lock
        is released, the answers read at the old head are computed at the new one and the
        new head is published (:meth:`~api.reads.ReadState.settle`)."""
        try:
            with self._locked(writes=True) as ledger:
                yield ledger
        finally:
            self._reads.settle()

    def send(self, call: Callable[[Ledger], TxRef]) -> TxRef:
        """Send the one transaction ``call`` makes; where it landed."""
        with self.write() as ledger:
            return call(ledger)

    def send_then(
        self, call: Callable[[Ledger], TxRef], read: Callable[[Ledger], T]
    ) -> tuple[TxRef, T]:
        """Send ``call``'s transaction and ``read`` the state after it, under one lock."""
        with self.write() as ledger:
            ref = call(ledger)
            return ref, read(ledger)


def get_ledger(request: Request) -> LedgerAccess:
    return LedgerAccess(request.app.state.reads, request.scope)


SettingsDep = Annotated[Settings, Depends(get_settings)]
LedgerDep = Annotated[LedgerAccess, Depends(get_ledger)]

_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER,
    auto_error=False,
    description="An API key: a department's (`govledger apikey create <department>`) or the"
    " auditor's (`govledger apikey create --role auditor`).",
)


def authenticated_key(
    settings: SettingsDep, api_key: Annotated[str | None, Security(_api_key_header)]
) -> ApiKeyInfo:
    """The API key's record, whatever its role; :class:`AuthError` (401) when the key is
    missing or unknown."""
    return ApiKeys(settings.resolved_home()).authenticate(api_key)


KeyDep = Annotated[ApiKeyInfo, Depends(authenticated_key)]


def authenticated_department(ledger: LedgerDep, key: KeyDep) -> str:
    """The department id of a department's API key.

    :class:`AuthError` (401) when the key is missing or unknown; :class:`ForbiddenError`
    (403) when it is the auditor's, or its department is not registered on this ledger.
    """
    department = key.department_id
    if key.role != "department" or department is None:
        raise ForbiddenError(
            "this route acts for a department: use a department's API key, not the auditor's"
        )
    registered = ledger.view(lambda snapshot: snapshot.is_department(department))
    if not registered:
        raise ForbiddenError(f"department {department!r} is not registered on this ledger")
    return department


def authenticated_auditor(key: KeyDep) -> ApiKeyInfo:
    """An auditor's API key; :class:`ForbiddenError` (403) for a department's."""
    if key.role != "auditor":
        raise ForbiddenError(
            f"this route is the auditor's: the API key of {key.holder} cannot use it"
            " (`govledger apikey create --role auditor` makes an auditor's key)"
        )
    return key


def read_access(settings: SettingsDep, request: Request) -> None:
    """Reads are open unless ``read_api_key_required``; then they need any valid key."""
    if settings.read_api_key_required:
        ApiKeys(settings.resolved_home()).authenticate(request.headers.get(API_KEY_HEADER))


DepartmentDep = Annotated[str, Depends(authenticated_department)]
AuditorOnly = Depends(authenticated_auditor)
AnyKey = Depends(authenticated_key)
ReadAccess = Depends(read_access)


def resource_router(tag: str, *, prefix: str | None = None, unknown: Any = None) -> APIRouter:
    """One resource's router: at ``/<tag>`` (or ``prefix``), tagged ``tag``, every route
    behind :data:`ReadAccess`, and ``unknown`` (an :func:`api.errors.unknown_is_404`
    dependency) when the resource's contract has a "no such id" revert."""
    dependencies = [ReadAccess] if unknown is None else [ReadAccess, unknown]
    return APIRouter(
        prefix=f"/{tag}" if prefix is None else prefix, tags=[tag], dependencies=dependencies
    )

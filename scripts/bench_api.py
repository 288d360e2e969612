#!/usr/bin/env python3
"""Drive 50 concurrent clients over every read route of the API, with a write in flight.

    python scripts/bench_api.py --home DIR          # a ledger `govledger demo` built (copied first)
    python scripts/bench_api.py                      # builds the D-city year first (minutes)
    python scripts/bench_api.py --case sharing       # eight weeks of data sharing (seconds)

The ledger is copied to a scratch directory (the bench writes to it) and served by
uvicorn in a subprocess. The read routes are discovered from the app's OpenAPI; a
path parameter is filled with a real id from the list route above it (the first
row's ``xId``/``id`` field). Each route is then driven alone by ``--clients``
clients for ``--seconds`` seconds, and finally all routes together, while one more
client registers catalog items (``POST /catalog/items``) back to back the whole
time. Per route it prints requests/s, p50 and p99 latency, the share of stale answers
(the latest completed answer, sent while the one at the new head is computed), and
whether the goal (at least 500 requests/s and p99 under 100 ms) is met. The verification routes
(``…/verify``) run for seconds and are left out of the mixed phase.

The clients are plain asyncio HTTP/1.1 keep-alive connections in this process (a
few microseconds of CPU per request, far cheaper than a full HTTP client); the
bench prints its own CPU use and the server's, so a reader can tell which side was
the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.apikeys import ApiKeys  # noqa: E402

#: The goal of issue 11: at least this many requests a second on each route ...
GOAL_RPS = 500.0
#: ... with a 99th percentile under this many milliseconds.
GOAL_P99_MS = 100.0
#: GET paths that are not reads of the ledger.
SERVICE_PATHS = {"/", "/health", "/docs", "/redoc", "/openapi.json"}


# -- a minimal HTTP/1.1 keep-alive client -------------------------------------------------


class Connection:
    """One keep-alive connection; ``request`` sends and reads one exchange."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        #: Whether the last answer was stale (an ``Age`` header: the latest completed
        #: answer, sent while the one at the published head was being computed).
        self.stale = False

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer)

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split()[1])
        fields = {}
        for line in header_lines:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        self.stale = "age" in fields
        if "content-length" in fields:
            return status, await self.reader.readexactly(int(fields["content-length"]))
        if fields.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    return status, b"".join(chunks)
                chunks.append(chunk[:-2])
        return status, b""

    def close(self) -> None:
        self.writer.close()


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served(home: Path, port: int) -> Iterator[subprocess.Popen[bytes]]:
    """``govledger``'s API on ``home`` at ``port`` (uvicorn in a subprocess)."""
    paths = [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "GOVLEDGER_HOME": str(home), "PYTHONPATH": os.pathsep.join(paths)}
    env.pop("GOVLEDGER_DATABASE_URL", None)
    log = (home.parent / "server.log").open("wb")
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "uvicorn", "api.main:create_app", "--factory"),
            *("--port", str(port), "--log-level", "warning", "--no-access-log"),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                raise SystemExit(f"the server exited; see {home.parent / 'server.log'}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not start within 120 s") from None
                time.sleep(0.2)
        yield server
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds of process ``pid``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- the routes --------------------------------------------------------------------------


async def get_json(conn: Connection, target: str) -> Any:
    """The JSON ``target`` answers; None when it is not a 200."""
    status, body = await conn.request("GET", target)
    return json.loads(body) if status == 200 else None


def _rows(listing: Any) -> list[dict[str, Any]]:
    if isinstance(listing, list):
        return listing
    if isinstance(listing, dict):
        for value in listing.values():
            if isinstance(value, list) and value and isinstance(value[0], dict):
                return value
    return []


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


async def fill(conn: Connection, path: str, spec: dict[str, Any]) -> str | None:
    """``path`` with its parameters filled with real ids, or None when one cannot be."""
    target = path
    for param in re.findall(r"{(\w+)}", path):
        parent = path.split("{" + param + "}")[0].rstrip("/")
        value: Any = None
        if parent == "/effects/entries":
            value = 0
        else:
            rows = _rows(await get_json(conn, parent)) if parent else []
            if rows:
                names = (param, _camel(param), "id", param.removesuffix("_id"))
                value = next((rows[0][n] for n in names if n in rows[0]), None)
        if value is None:
            return None
        target = target.replace("{" + param + "}", str(value))
    required = [
        p["name"]
        for p in spec.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    ]
    if required:
        if set(required) != {"first", "second"}:
            return None
        status = await get_json(conn, "/effects")
        if status is None or status.get("checkpoint", 0) < 1:
            return None
        target += f"?first=1&second={status['checkpoint']}"
    return target


async def discover(port: int) -> tuple[list[str], list[str]]:
    """Every read route filled with ids, and the routes that could not be filled."""
    conn = await Connection.open(port)
    try:
        openapi = await get_json(conn, "/openapi.json")
        if openapi is None:
            raise SystemExit("the server gives no /openapi.json")
        targets, skipped = [], []
        for path, ops in sorted(openapi["paths"].items()):
            if "get" not in ops or path in SERVICE_PATHS:
                continue
            target = await fill(conn, path, ops["get"])
            if target is None:
                skipped.append(path)
                continue
            status, _ = await conn.request("GET", target)
            if status >= 400:
                skipped.append(f"{path} ({status})")
                continue
            targets.append(target)
        return targets, skipped
    finally:
        conn.close()


# -- the load ----------------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    failures: Counter[int] = field(default_factory=Counter)
    stale: int = 0

    def add(self, seconds: float, status: int, ok: int = 200, stale: bool = False) -> None:
        """One answer; its ``status`` (0: the connection failed) counts as a failure
        unless it is ``ok``; ``stale``: it was the latest completed answer, not the
        answer at the published head."""
        self.latencies.append(seconds)
        self.stale += stale
        if status != ok:
            self.failures[status] += 1

    @property
    def errors(self) -> int:
        return sum(self.failures.values())

    def describe_errors(self) -> str:
        """``0``, or the count with each status: ``3 (503: 2, 0: 1)``."""
        if not self.failures:
            return "0"
        parts = ", ".join(f"{s}: {n}" for s, n in self.failures.most_common())
        return f"{self.errors} ({parts})"

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


_item_numbers = itertools.count(1)


async def writer_loop(port: int, key: str, stop: asyncio.Event, tally: Tally) -> None:
    """Register catalog items back to back: a write always in flight."""
    conn = await Connection.open(port)
    try:
        while not stop.is_set():
            body = json.dumps(
                {
                    "item_id": f"bench.{os.getpid()}.{next(_item_numbers)}",
                    "data_type": "bench",
                    "permission": "open",
                    "disclosure": "api",
                }
            ).encode()
            start = time.perf_counter()
            status, _ = await conn.request("POST", "/catalog/items", body, {"X-API-Key": key})
            tally.add(time.perf_counter() - start, status, ok=201)
    finally:
        conn.close()


async def reader(
    port: int, targets: list[str], offset: int, deadline: float, tallies: dict[str, Tally]
) -> None:
    conn = await Connection.open(port)
    i = offset
    try:
        while time.perf_counter() < deadline:
            target = targets[i % len(targets)]
            i += 1
            start = time.perf_counter()
            try:
                status, _ = await conn.request("GET", target)
            except (OSError, asyncio.IncompleteReadError):  # the server dropped us
                status = 0
                conn.close()
                conn = await Connection.open(port)
            tallies[target].add(time.perf_counter() - start, status, stale=conn.stale)
    finally:
        conn.close()


@dataclass
class Phase:
    name: str
    seconds: float
    tallies: dict[str, Tally]
    writes: Tally
    client_cpu: float
    server_cpu: float


async def run_phase(
    name: str,
    port: int,
    targets: list[str],
    clients: int,
    seconds: float,
    key: str | None,
    pid: int,
) -> Phase:
    tallies = {t: Tally() for t in targets}
    writes = Tally()
    stop = asyncio.Event()
    write_task = asyncio.create_task(writer_loop(port, key, stop, writes)) if key else None
    await asyncio.sleep(0.2)  # the first write is in flight
    cpu0, server0, start = time.process_time(), cpu_seconds(pid), time.perf_counter()
    deadline = start + seconds
    await asyncio.gather(*(reader(port, targets, i, deadline, tallies) for i in range(clients)))
    elapsed = time.perf_counter() - start
    client_cpu = (time.process_time() - cpu0) / elapsed
    server_cpu = (cpu_seconds(pid) - server0) / elapsed
    stop.set()
    if write_task is not None:
        await write_task
    # A computation still under way (an audit runs for seconds) would slow the next
    # phase: one more request per route joins it and returns when it is done.
    conn = await Connection.open(port)
    try:
        for target in targets:
            await conn.request("GET", target)
    finally:
        conn.close()
    return Phase(name, elapsed, tallies, writes, client_cpu, server_cpu)


def report(phase: Phase, rows: list[str]) -> None:
    for target, tally in phase.tallies.items():
        rps = len(tally.latencies) / phase.seconds
        p50, p99 = tally.percentile(0.5), tally.percentile(0.99)
        met = "yes" if rps >= GOAL_RPS and p99 < GOAL_P99_MS and not tally.errors else "no"
        rows.append(
            f"| {phase.name if phase.name != target else target} | {rps:8.1f} | {p50:7.1f} |"
            f" {p99:7.1f} | {tally.stale / max(1, len(tally.latencies)):.0%} |"
            f" {tally.describe_errors()} | {met} |"
        )


def summary(phase: Phase) -> str:
    every = Tally([x for t in phase.tallies.values() for x in t.latencies])
    count = len(every.latencies)
    w = phase.writes
    return (
        f"{phase.name}: {count / phase.seconds:.1f} requests/s overall, p50"
        f" {every.percentile(0.5):.1f} ms, p99 {every.percentile(0.99):.1f} ms;"
        f" {len(w.latencies)} writes ({len(w.latencies) / phase.seconds:.1f}/s, p50"
        f" {w.percentile(0.5):.1f} ms, p99 {w.percentile(0.99):.1f} ms,"
        f" {w.describe_errors()} failed);"
        f" CPU: client {phase.client_cpu:.0%} of a core, server {phase.server_cpu:.0%}"
    )


def build(case: str, home: Path) -> None:
    print(f"building the {case} ledger in {home} ...", flush=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("GOVLEDGER_DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "-m", "ledger.cli.main", "demo", "--case", case, "--home", str(home)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


async def bench(args: argparse.Namespace, home: Path) -> None:
    port = free_port()
    with served(home, port) as server:
        targets, skipped = await discover(port)
        if args.only:
            targets = [t for t in targets if re.search(args.only, t)]
        conn = await Connection.open(port)
        catalog = _rows(await get_json(conn, "/catalog") or [])
        conn.close()
        key = None
        if not args.no_write:
            if not catalog:
                raise SystemExit("the ledger has no catalog item, so no provider to write as")
            key = ApiKeys(home).create(catalog[0]["provider_id"], "bench")[0]
        cpus = os.cpu_count()
        print(
            f"{len(targets)} read routes, {args.clients} clients, {args.seconds:g} s each,"
            f" {'a write in flight' if key else 'no writes'}; {cpus} CPUs,"
            f" load average {os.getloadavg()[0]:.1f}"
        )
        if skipped:
            print("skipped (no id to fill in): " + ", ".join(skipped))
        rows = [
            "| route | requests/s | p50 ms | p99 ms | stale | errors | goal met |",
            "| --- | --- | --- | --- | --- | --- | --- |",
        ]
        notes = []
        for target in targets:
            phase = await run_phase(
                target, port, [target], args.clients, args.seconds, key, server.pid
            )
            report(phase, rows)
            notes.append(summary(phase))
            print(rows[-1], flush=True)
        # A verification is a check that runs for seconds (its requests share one run);
        # mixed in, it would hold every client that reaches it, so it is measured alone.
        reads = [t for t in targets if not t.split("?")[0].endswith("/verify")]
        mixed = await run_phase(
            "all routes together (but /verify)",
            port,
            reads,
            args.clients,
            args.seconds,
            key,
            server.pid,
        )
        print()
        print("\n".join(rows))
        every = Tally(
            [x for t in mixed.tallies.values() for x in t.latencies],
            stale=sum(t.stale for t in mixed.tallies.values()),
        )
        failed = sum(t.errors for t in mixed.tallies.values())
        print(
            f"| all routes together (but /verify) | {len(every.latencies) / mixed.seconds:8.1f} |"
            f" {every.percentile(0.5):7.1f} | {every.percentile(0.99):7.1f} |"
            f" {every.stale / max(1, len(every.latencies)):.0%} | {failed} | |"
        )
        print()
        for line in [*notes, summary(mixed)]:
            print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing ledger home (copied first)")
    parser.add_argument("--case", default="dcity", help="the demo case to build without --home")
    parser.add_argument("--clients", type=int, default=50, help="concurrent read clients")
    parser.add_argument("--seconds", type=float, default=5.0, help="seconds per route")
    parser.add_argument("--no-write", action="store_true", help="no write in flight")
    parser.add_argument("--only", help="only the routes this regular expression finds")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-api-"))
    home = scratch / "home"
    try:
        if args.home is not None:
            shutil.copytree(args.home, home)
        else:
            build(args.case, home)
        asyncio.run(bench(args, home))
    finally:
        log = scratch / "server.log"
        if log.exists() and log.stat().st_size:
            print("the server logged (the end):\n" + log.read_text()[-3000:], file=sys.stderr)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()

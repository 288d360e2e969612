"""Starting and stopping local JSON-RPC nodes (hardhat, anvil) for tests and scripts."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _node(name: str, command: Sequence[str], url: str, timeout: float) -> Iterator[str]:
    """Run ``command`` in its own process group until it answers JSON-RPC on ``url``."""
    proc = subprocess.Popen(
        list(command),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"{name} exited with {proc.returncode}: {err}")
            try:
                reply = requests.post(
                    url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=2
                )
                if reply.ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not answer on {url} in {timeout} s")
            time.sleep(0.3)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@contextmanager
def hardhat_node(timeout: float = 90.0) -> Iterator[str]:
    """A fresh ``npx hardhat node`` on a free loopback port; yields its URL."""
    port = free_port()
    command = ["npx", "--no-install", "hardhat", "node", "--hostname", "127.0.0.1"]
    with _node(
        "hardhat node", [*command, "--port", str(port)], f"http://127.0.0.1:{port}", timeout
    ) as url:
        yield url


@contextmanager
def anvil_node(accounts: int = 10, timeout: float = 60.0) -> Iterator[str]:
    """A fresh ``anvil`` (from the pinned @foundry-rs/anvil) on a free loopback port.

    ``accounts`` is how many unlocked, funded development accounts it starts with;
    0 stands for a production network, where the node signs for nobody.
    """
    port = free_port()
    command = ["npx", "--no-install", "anvil", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--accounts", str(accounts), "--silent"]
    with _node("anvil", command, f"http://127.0.0.1:{port}", timeout) as url:
        yield url

#!/usr/bin/env python3
"""Play the D-city year on a local JSON-RPC node (hardhat or anvil) and audit it.

    python scripts/dcity_on_node.py                     # on hardhat, then on anvil
    python scripts/dcity_on_node.py --node anvil        # one node
    python scripts/dcity_on_node.py --case sharing      # eight weeks of data sharing (quick)
    python scripts/dcity_on_node.py --node embedded     # the same on the embedded chain

For each node it starts a fresh one on a free loopback port, runs ``govledger demo``
with ``GOVLEDGER_RPC_URL`` pointing at it, then ``govledger audit verify`` on the
same home, stops the node and prints how long each step took. It exits non-zero if
either command fails. The node is found in ``node_modules`` (``npm ci`` first).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.nodes import anvil_node, hardhat_node  # noqa: E402

NODES: dict[str, Callable[[], AbstractContextManager[str | None]]] = {
    "hardhat": hardhat_node,
    "anvil": anvil_node,
    "embedded": nullcontext,  # no node: the baseline to compare with
}
GOVLEDGER = [sys.executable, "-m", "ledger.cli.main"]


def timed(label: str, command: list[str], env: dict[str, str], log: Path) -> float:
    """Run one govledger command, its output into ``log``; its wall time in seconds."""
    start = time.perf_counter()
    with log.open("ab") as out:
        done = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{label} failed with exit code {done.returncode}; see {log}")
    return seconds


def play(node: str, case: str, workdir: Path) -> Iterator[tuple[str, float]]:
    """Start ``node``, play the demo on it and audit it; yields (step, seconds)."""
    home = workdir / node / "home"
    log = workdir / node / "output.txt"
    log.parent.mkdir(parents=True)
    start = time.perf_counter()
    with NODES[node]() as url:
        yield "node start", time.perf_counter() - start
        env = {k: v for k, v in os.environ.items() if k != "GOVLEDGER_RPC_URL"} | {
            "GOVLEDGER_HOME": str(home),
            "GOVLEDGER_KEYSTORE_PASSWORD": "dcity-on-node",
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "160",
        }
        if url is not None:
            env["GOVLEDGER_RPC_URL"] = url
        yield "govledger demo", timed("demo", [*GOVLEDGER, "demo", "--case", case], env, log)
        yield "govledger audit verify", timed("audit", [*GOVLEDGER, "audit", "verify"], env, log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--node", choices=[*NODES, "both"], default="both", help="both: hardhat, anvil"
    )
    parser.add_argument("--case", choices=["dcity", "sharing"], default="dcity")
    parser.add_argument("--keep", type=Path, help="keep the homes and output in this folder")
    args = parser.parse_args()
    nodes = ["hardhat", "anvil"] if args.node == "both" else [args.node]
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="dcity-on-node-"))
    workdir.mkdir(parents=True, exist_ok=True)
    print(f"D-city demo ({args.case}) on {', '.join(nodes)}; homes and output in {workdir}")
    for node in nodes:
        total = 0.0
        for step, seconds in play(node, args.case, workdir):
            total += seconds
            print(f"{node:8} {step:24} {seconds:8.1f} s", flush=True)
        print(f"{node:8} {'total':24} {total:8.1f} s", flush=True)


if __name__ == "__main__":
    main()

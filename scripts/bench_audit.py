#!/usr/bin/env python3
"""Benchmark the auditor's commands on a D-city ledger, and print the figures.

    python scripts/bench_audit.py                  # builds the D-city year (~2.5 min) first
    python scripts/bench_audit.py --home DIR       # reuse a ledger `govledger demo` built

Measures, on the embedded chain: reading every event afresh from the chain, the whole
`audit verify` (records, index, effect log, findings, scores recomputed), `score
verify`, exporting one policy's bundle, and checking it offline and against the chain.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.audit.bundle import check_bundle, export_bundle  # noqa: E402
from ledger.audit.findings import finding_dir, raise_findings  # noqa: E402
from ledger.audit.scores import (  # noqa: E402
    ScoreArchive,
    publish_score,
    published,
    verify_published,
)
from ledger.audit.verify import AuditSources, audit, chain_events  # noqa: E402
from ledger.chain.factory import make_web3  # noqa: E402
from ledger.core import Ledger  # noqa: E402
from ledger.scenario.runner import file_digest, load_scenario, run_scenario  # noqa: E402
from ledger.settings import Settings  # noqa: E402

T = TypeVar("T")


def timed(label: str, fn: Callable[[], T]) -> T:
    start = time.perf_counter()
    value = fn()
    print(f"{label:<44} {time.perf_counter() - start:8.2f} s", flush=True)
    return value


def build(home: Path) -> None:
    file = ROOT / "ledger" / "scenarios" / "dcity.yaml"
    with Ledger.open(Settings(home=home)) as ledger:
        scenario = load_scenario(file)
        timed(
            "build: D-city year scenario",
            lambda: run_scenario(ledger, scenario, file.parent, file_digest(file)),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing D-city ledger home")
    parser.add_argument("--policy", default="dcity.command", help="the policy to export")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    home = args.home or work / "home"
    if args.home is None:
        build(home)
    with Ledger.open(Settings(home=home)) as ledger:
        sources = AuditSources.of(ledger)
        if ledger.scoreboard.count() == 0:
            ledger.indexer.sync()
            pub = timed(
                "score publish",
                lambda: publish_score(
                    ledger.score, ledger.scoreboard, ledger.signers, ScoreArchive(ledger.home)
                ),
            )
            timed(
                "raise findings",
                lambda: raise_findings(
                    ledger.scorer.evidence,
                    ledger.scoreboard,
                    ledger.findings,
                    ledger.signers,
                    ledger.clock,
                    finding_dir(ledger.home),
                    pub.score_id,
                ),
            )
            ledger.indexer.sync()
        score_id = ledger.scoreboard.count()
        blocks = ledger.w3.eth.block_number
        entries = ledger.effects.store.size if ledger.effects.config else 0
        print(f"ledger: {blocks} blocks, {entries} effect-log entries, score {score_id}")
        chain = timed(
            "read every event afresh from the chain",
            lambda: chain_events(ledger.handle, ledger.deployment),
        )
        print(f"  {len(chain)} events")
        report = timed("audit verify (whole ledger)", lambda: audit(sources, chain=chain))
        print(f"  {report.verdict()}")
        score = published(ledger.scoreboard, score_id)
        timed(
            "score verify (recompute from the chain)",
            lambda: verify_published(ledger.score, sources.archive, score, chain),
        )
        report = timed(f"audit verify --policy {args.policy}", lambda: audit(sources, args.policy))
        print(f"  {report.verdict()}")
        out = work / "bundle"
        manifest = timed(
            f"audit export --policy {args.policy}", lambda: export_bundle(sources, args.policy, out)
        )
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(
        f"  {len(manifest['files'])} files, {size / 2**20:.1f} MiB,"
        f" {manifest['effect_entries']['included']} entries with proofs"
    )
    offline = timed("check-bundle (offline)", lambda: check_bundle(out))
    print(f"  {offline.verdict()}")
    handle = make_web3(Settings(home=home))
    try:
        online = timed("check-bundle (against the chain)", lambda: check_bundle(out, handle))
    finally:
        handle.close()
    print(f"  {online.verdict()}")


if __name__ == "__main__":
    main()

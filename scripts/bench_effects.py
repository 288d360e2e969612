#!/usr/bin/env python3
"""Benchmark the effect log end to end on the embedded chain, and print the figures.

    python scripts/bench_effects.py                 # 1,000,000 synthetic D-city entries
    python scripts/bench_effects.py --year          # 15,000,000: a year of D-city calls
    python scripts/bench_effects.py --entries 50000 --per-tx 100

End to end means: JSONL lines validated and canonicalised, appended to the log, its
RFC 9162 tree kept on disk, checkpoints sealed automatically and anchored on the
embedded chain (each one proven consistent with the last by the EffectLog contract),
the chain indexed, and the maturity scored with T2, D2 and D3 read from the log. The
same run sends ``--per-tx`` entries as one on-chain checkpoint transaction each, the
naive design this log replaces, to measure the speed-up and the gas per entry of both.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from pydantic import SecretStr

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.core import Ledger  # noqa: E402
from ledger.effects import merkle  # noqa: E402
from ledger.mechanisms.sharing import Permission  # noqa: E402
from ledger.settings import Settings  # noqa: E402

DAY = 86_400
AGREEMENTS = [f"agr.bench.{i:02d}" for i in range(24)]
SYSTEMS = [f"sys.bench.{i:02d}" for i in range(29)]


def setup(ledger: Ledger, entries: int) -> int:
    """Departments, a policy, 24 agreements and 29 connected systems; returns the start time."""
    ledger.register_department("bench.office", "Office", ("ISSUER",))
    ledger.register_department("bench.data", "Data center")
    ledger.register_department("bench.user", "Consumer")
    from ledger.knowledge.models import PolicyRecord

    record = PolicyRecord.model_validate(
        {
            "schema_version": 1,
            "id": "bench.policy",
            "version": 1,
            "kind": "policy",
            "element": "data_governance",
            "title": "Benchmark",
            "issuer": "bench.office",
            "effective": "2024-01-01T00:00:00Z",
            "clauses": [{"id": "c1", "text": "Share data."}, {"id": "c2", "text": "Log calls."}],
        }
    )
    ledger.anchor_policy(record)
    per_agreement = max(entries // len(AGREEMENTS), 1)
    for i, aid in enumerate(AGREEMENTS):
        ledger.register_item("bench.data", f"item.bench.{i:02d}", "t", Permission.RESTRICTED, "x")
        ledger.commit_agreement(
            "bench.data",
            agreement_id=aid,
            item_id=f"item.bench.{i:02d}",
            consumer_id="bench.user",
            policy_id="bench.policy",
            clause_id="c1",
            permission=Permission.CONDITIONAL,
            first_due_at=ledger.clock.now() + DAY,
            period=30 * DAY,
            periods=12,
            calls_per_period=per_agreement,
        )
    for sid in SYSTEMS:
        ledger.register_system("bench.data", sid, "business", 300, feeds_data_center=True)
        ledger.connect_system("bench.data", sid, "bench.policy", "c2")
    ledger.effects.open("bench.calls", "bench.data", "bench.policy", "c2")
    start = ledger.clock.now()
    ledger.clock.advance_time(30 * DAY)  # the traffic below fills these 30 days
    return start


def generate(path: Path, entries: int, start: int, span: int) -> None:
    rng = random.Random(15_000_000)
    perms = ("open", "conditional", "conditional", "conditional")
    with path.open("w") as out:
        for n in range(entries):
            at = start + (span * n) // entries
            if n % 50 == 0:
                out.write(json.dumps({"kind": "heartbeat", "system": SYSTEMS[n % 29], "at": at}))
            else:
                agreement = AGREEMENTS[n % 24]
                used = "restricted" if n % 5000 == 7 else perms[n % 4]
                out.write(
                    f'{{"kind":"call","agreement":"{agreement}","system":"sys.app","at":{at},'
                    f'"records":{rng.randrange(1, 500)},"permission":"{used}",'
                    f'"latency_ms":{rng.randrange(2, 90)},"request_id":"r{n}"}}'
                )
            out.write("\n")


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--year", action="store_true", help="15,000,000 entries")
    parser.add_argument("--per-tx", type=int, default=300, help="entries sent one tx each")
    parser.add_argument("--seal-every", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, default=None, help="keep the run's data here")
    args = parser.parse_args()
    entries = 15_000_000 if args.year else args.entries
    home = args.home or Path(tempfile.mkdtemp(prefix="govledger-bench-"))
    settings = Settings(home=home, keystore_password=SecretStr("bench"))
    print(f"benchmark: {entries:,} entries in {home}")

    with Ledger.open(settings) as ledger:
        start = setup(ledger, entries)
        ledger.effects.seal_size = args.seal_every
        ledger.effects.seal_age = 10**12
        jsonl = home / "entries.jsonl"
        t = time.perf_counter()
        generate(jsonl, entries, start, 30 * DAY)
        generated = time.perf_counter() - t
        blocks_before = ledger.w3.eth.block_number

        t0 = time.perf_counter()
        report = ledger.effects.ingest_file(jsonl)
        ingested = time.perf_counter() - t0
        ledger.effects.seal()
        sealed = time.perf_counter() - t0
        ledger.indexer.sync()
        result = ledger.score(window_days=30)
        total = time.perf_counter() - t0

        gas = 0
        for number in range(blocks_before + 1, ledger.w3.eth.block_number + 1):
            gas += int(ledger.w3.eth.get_block(number)["gasUsed"])
        store = ledger.effects.store
        size = store.size
        rng = random.Random(1)
        samples = [rng.randrange(size) for _ in range(1000)]
        latest = ledger.effects.latest()
        gen_times, ver_times = [], []
        for seq in samples:
            a = time.perf_counter()
            proof = store.inclusion_proof(seq, latest.tree_size)
            b = time.perf_counter()
            ok = merkle.verify_inclusion(
                store.leaf_hash_at(seq), seq, latest.tree_size, proof, latest.root
            )
            c = time.perf_counter()
            assert ok
            gen_times.append(b - a)
            ver_times.append(c - b)
        stored = folder_size(home / "effects")

        # The naive design: one transaction per entry (a checkpoint of a one-entry-larger tree).
        naive_log = "bench.naive"
        ledger.effects.contract.open_log(
            ledger.department_signer("bench.data"), naive_log, "bench.policy", "c2"
        )
        signer = ledger.department_signer("bench.data")
        tree = merkle.MerkleTree()
        naive_gas = 0
        t = time.perf_counter()
        for i in range(args.per_tx):
            tree.append(b"naive entry %d" % i)
            proof = tree.consistency_proof(i) if i else []
            receipt = ledger.effects.contract.checkpoint(
                signer, naive_log, tree.size, tree.root(), proof
            )
            naive_gas += int(receipt["gasUsed"])
        naive = time.perf_counter() - t

    by_id = {i["id"]: i for i in result["indicators"]}
    rate = size / total
    naive_rate = args.per_tx / naive
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"generated {entries:,} JSONL lines in {generated:.1f} s")
    print(
        f"ingest: {report.added:,} added, {report.rejected_count} rejected in {ingested:.1f} s"
        f" ({report.added / ingested:,.0f} entries/s)"
    )
    print(
        f"end to end (ingest, {latest.index} checkpoints anchored, index, score):"
        f" {total:.1f} s = {rate:,.0f} entries/s"
    )
    print(
        f"one transaction per entry: {naive_rate:,.1f} entries/s, {naive_gas / args.per_tx:,.0f}"
        f" gas per entry; speed-up {rate / naive_rate:,.0f}x"
    )
    print(f"gas per entry through the log: {gas / size:.3f} ({gas:,} gas for {size:,} entries)")
    print(f"peak memory: {peak / 2**20:,.0f} MiB")
    print(
        f"bytes stored per entry: {stored / size:,.0f} (effects folder {stored / 2**20:,.0f} MiB)"
    )
    print(
        f"inclusion proof at {latest.tree_size:,} entries: generate"
        f" {statistics.median(gen_times) * 1000:.3f} ms, verify"
        f" {statistics.median(ver_times) * 1000:.3f} ms (medians of 1000)"
    )
    print(
        f"sealing took {sealed - ingested:.1f} s; scores: D3 {by_id['D3']['raw']},"
        f" D2 {by_id['D2']['raw']}, T2 {by_id['T2']['raw']}"
    )
    if args.home is None:
        import shutil

        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())

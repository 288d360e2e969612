#!/usr/bin/env python3
"""Time one maturity score and a series of scores on a D-city ledger.

    python scripts/bench_series.py                  # builds the D-city year (~2.5 min) first
    python scripts/bench_series.py --home DIR       # reuse a ledger `govledger demo` built

A series (MATURITY.md "Series") reads the events once and judges every window from that
read, so four 90-day windows should cost well under twice one score. Each figure is the
best of ``--repeat`` runs, after one warm-up run of each.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ledger.core import Ledger  # noqa: E402
from ledger.scenario.runner import file_digest, load_scenario, run_scenario  # noqa: E402
from ledger.settings import Settings  # noqa: E402


def best_of(repeat: int, fn: Callable[[], Any]) -> float:
    fn()  # warm-up: caches, first queries
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def build(home: Path) -> None:
    file = ROOT / "ledger" / "scenarios" / "dcity.yaml"
    with Ledger.open(Settings(home=home)) as ledger:
        start = time.perf_counter()
        run_scenario(ledger, load_scenario(file), file.parent, file_digest(file))
        print(f"build: D-city year scenario {time.perf_counter() - start:8.2f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, help="an existing D-city ledger home")
    parser.add_argument("--windows", type=int, default=4, help="windows in the series")
    parser.add_argument("--window-days", type=int, default=90, help="days per window")
    parser.add_argument("--spec", type=int, default=None, help="spec version (latest)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (best kept)")
    args = parser.parse_args()
    home = args.home or Path(tempfile.mkdtemp(prefix="bench-series-")) / "home"
    if args.home is None:
        build(home)
    with Ledger.open(Settings(home=home)) as ledger:
        scorer = ledger.scorer
        head = scorer.blocks.head()
        events = len(scorer.events(head))
        print(f"ledger: {head} blocks, {events} events")
        one = best_of(
            args.repeat,
            lambda: scorer.score(window_days=args.window_days, spec_version=args.spec),
        )
        series = best_of(
            args.repeat,
            lambda: scorer.series(
                windows=args.windows, window_days=args.window_days, spec_version=args.spec
            ),
        )
        print(f"one score                                {one:8.3f} s")
        print(f"series of {args.windows} windows of {args.window_days} days{'':>13}{series:8.3f} s")
        print(f"series / one score                       {series / one:8.2f}")


if __name__ == "__main__":
    main()

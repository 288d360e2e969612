#!/usr/bin/env python3
"""Run Slither over contracts/ and fail on any High or Medium finding.

Slither compiles through hardhat (``hardhat.config.js`` points hardhat at the solc-js
compiler in node_modules, so nothing is downloaded). An intended pattern is annotated
in the Solidity source with ``// slither-disable-next-line <detector>`` and the reason
beside it, never filtered here.

    python scripts/slither_check.py [--slither PATH]   # exit 1 on High/Medium findings
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILING = ("High", "Medium")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slither", default=shutil.which("slither") or "slither")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "slither.json"
        done = subprocess.run(
            [args.slither, ".", "--exclude-dependencies", "--json", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if not out.is_file():
            sys.stderr.write(done.stdout + done.stderr)
            print("slither did not produce a report", file=sys.stderr)
            return 2
        report = json.loads(out.read_text())
    if not report.get("success", False):
        print(f"slither failed: {report.get('error')}", file=sys.stderr)
        return 2
    results = report.get("results", {}).get("detectors", [])
    counts: dict[str, int] = {}
    for r in results:
        counts[r["impact"]] = counts.get(r["impact"], 0) + 1
    print(
        "slither: "
        + ", ".join(f"{counts.get(k, 0)} {k.lower()}" for k in ("High", "Medium", "Low"))
        + f", {counts.get('Informational', 0) + counts.get('Optimization', 0)} informational"
    )
    failing = [r for r in results if r["impact"] in FAILING]
    for r in failing:
        print(f"{r['impact']}: {r['check']}: {r['description'].strip()}")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())

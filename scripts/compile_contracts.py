#!/usr/bin/env python3
"""Compile contracts/ into the committed artifacts under ledger/artifacts/.

Uses py-solc-x with solc 0.8.28: a native ``solc`` of that version when one is on
PATH (or named by ``GOVLEDGER_SOLC``), otherwise solc-js from node_modules through
``scripts/solcjs-shim.js``. The standard-JSON input carries every source, the
OpenZeppelin imports included, so the output depends on nothing but the files.

    python scripts/compile_contracts.py          # write the artifacts
    python scripts/compile_contracts.py --check  # exit 1 if they differ from a fresh build
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import solcx

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
NODE_MODULES = ROOT / "node_modules"
ARTIFACTS = ROOT / "ledger" / "artifacts"
SHIM = ROOT / "scripts" / "solcjs-shim.js"
SOLC_VERSION = "0.8.28"
SETTINGS: dict[str, Any] = {
    "evmVersion": "cancun",
    "viaIR": True,
    "optimizer": {"enabled": True, "runs": 200},
    "metadata": {"bytecodeHash": "ipfs"},
    "outputSelection": {
        "*": {
            "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object", "devdoc", "userdoc"]
        }
    },
}
_IMPORT_RE = re.compile(r'^\s*import\s+(?:[^"\']*?from\s+)?["\']([^"\']+)["\']\s*;', re.MULTILINE)


def _read_unit(unit: str) -> str:
    for base in (ROOT, NODE_MODULES):
        path = base / unit
        if path.is_file():
            return path.read_text(encoding="utf-8")
    hint = " (run `npm ci` to install @openzeppelin/contracts)" if unit.startswith("@") else ""
    raise SystemExit(f"compile_contracts: cannot find import {unit!r}{hint}")


def collect_sources() -> dict[str, dict[str, str]]:
    """Every source unit reachable from contracts/, keyed by its unit name."""
    pending = sorted(p.relative_to(ROOT).as_posix() for p in CONTRACTS.rglob("*.sol"))
    sources: dict[str, dict[str, str]] = {}
    while pending:
        unit = pending.pop()
        if unit in sources:
            continue
        text = _read_unit(unit)
        sources[unit] = {"content": text}
        for target in _IMPORT_RE.findall(text):
            if target.startswith("."):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(unit), target))
            pending.append(target)
    return dict(sorted(sources.items()))


def solc_binary() -> Path:
    """A native solc 0.8.28 if one is available, else the solc-js shim."""
    named = os.environ.get("GOVLEDGER_SOLC") or shutil.which("solc")
    if named:
        try:
            if str(solcx.wrapper.get_solc_version(named)) == SOLC_VERSION:
                return Path(named)
        except (OSError, subprocess.SubprocessError, solcx.exceptions.SolcError):
            pass
    if not (NODE_MODULES / "solc").is_dir():
        raise SystemExit("compile_contracts: no solc 0.8.28 found; run `npm ci` for solc-js")
    return SHIM


def compile_all() -> dict[str, dict[str, Any]]:
    """Compile and return one artifact per deployable contract in contracts/ (not interfaces)."""
    standard_input = {"language": "Solidity", "sources": collect_sources(), "settings": SETTINGS}
    try:
        output = solcx.compile_standard(standard_input, solc_binary=solc_binary())
    except solcx.exceptions.SolcError as err:
        raise SystemExit(f"compile_contracts: solc failed:\n{err.message}") from err
    version = solcx.wrapper.get_solc_version(solc_binary(), with_commit_hash=True)
    artifacts: dict[str, dict[str, Any]] = {}
    for unit, contracts in output["contracts"].items():
        if not unit.startswith("contracts/") or unit.startswith("contracts/interfaces/"):
            continue
        for name, data in contracts.items():
            bytecode = data["evm"]["bytecode"]["object"]
            if not bytecode:
                continue
            artifacts[name] = {
                "contractName": name,
                "sourceName": unit,
                "compiler": {"version": str(version), "settings": _public_settings()},
                "abi": data["abi"],
                "bytecode": "0x" + bytecode,
                "deployedBytecode": "0x" + data["evm"]["deployedBytecode"]["object"],
                "devdoc": data.get("devdoc", {}),
                "userdoc": data.get("userdoc", {}),
            }
    return dict(sorted(artifacts.items()))


def _public_settings() -> dict[str, Any]:
    return {k: v for k, v in SETTINGS.items() if k != "outputSelection"}


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed artifacts")
    args = parser.parse_args(argv)
    artifacts = compile_all()
    if args.check:
        expected = {p.stem for p in ARTIFACTS.glob("*.json")}
        differ = sorted(expected ^ set(artifacts))
        for name, artifact in artifacts.items():
            path = ARTIFACTS / f"{name}.json"
            if path.is_file() and path.read_text(encoding="utf-8") != render(artifact):
                differ.append(name)
        if differ:
            print("artifacts differ from a fresh compile: " + ", ".join(sorted(set(differ))))
            return 1
        print(f"{len(artifacts)} artifacts match a fresh compile")
        return 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for stale in ARTIFACTS.glob("*.json"):
        if stale.stem not in artifacts:
            stale.unlink()
    for name, artifact in artifacts.items():
        (ARTIFACTS / f"{name}.json").write_text(render(artifact), encoding="utf-8")
        print(f"wrote ledger/artifacts/{name}.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The committed artifacts are exactly what the pinned compiler makes of contracts/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_recompiling_reproduces_the_committed_artifacts_byte_for_byte() -> None:
    out = subprocess.run(
        [sys.executable, "scripts/compile_contracts.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "artifacts match a fresh compile" in out.stdout


def test_artifacts_record_the_pinned_compiler_and_settings() -> None:
    for path in sorted((ROOT / "ledger" / "artifacts").glob("*.json")):
        data = json.loads(path.read_text())
        assert data["compiler"]["version"].startswith("0.8.28+commit.7893614a"), path.name
        settings = data["compiler"]["settings"]
        assert settings["evmVersion"] == "cancun"
        assert settings["optimizer"] == {"enabled": True, "runs": 200}


def test_hardhat_compiles_the_same_bytecode(tmp_path: Path) -> None:
    out = subprocess.run(
        ["npx", "--no-install", "hardhat", "compile", "--force", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    for path in sorted((ROOT / "ledger" / "artifacts").glob("*.json")):
        ours = json.loads(path.read_text())
        theirs = json.loads(
            (ROOT / "artifacts" / ours["sourceName"] / f"{path.stem}.json").read_text()
        )
        assert theirs["bytecode"] == ours["bytecode"], path.stem
        assert theirs["deployedBytecode"] == ours["deployedBytecode"], path.stem

"""The layers of the code (pyproject.toml, ``[tool.importlinter]``) hold, and a break fails.

``lint-imports`` runs in a subprocess over this tree, and over a copy of it into which a
forbidden import was written, so a violation of each contract is shown to be caught.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """``lint-imports`` with the contracts of ``root/pyproject.toml``, over ``root``'s code."""
    env = os.environ | {"PYTHONPATH": str(root)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports;"
            " sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def copy_with(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the code and its contracts with ``line`` appended to ``module``."""
    root = tmp_path / "tree"
    for package in ("ledger", "api"):
        shutil.copytree(
            ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    path = root / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text() + f"\n{line}\n")
    return root


def test_the_code_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken", "message"),
    [
        (
            "ledger.effects.service",
            "from ledger.core import Ledger as _Ledger",
            "Layers:",
            "ledger.effects is not allowed to import ledger.core",
        ),
        (
            "ledger.store.views",
            "import ledger.audit.checks as _checks",
            "Layers:",
            "ledger.store is not allowed to import ledger.audit",
        ),
        (
            "ledger.store.views",
            "import api.errors as _errors",
            "The ledger never imports the API (nor FastAPI) BROKEN",
            "ledger.store.views -> api.errors",
        ),
        (
            "ledger.chain.factory",
            "import ledger.settings as _settings_again  # noqa",
            None,
            None,
        ),
    ],
)
def test_an_import_against_the_layers_fails(
    tmp_path: Path, module: str, line: str, broken: str | None, message: str | None
) -> None:
    result = lint_imports(copy_with(tmp_path, module, line))
    if broken is None:  # an import the layers allow: the copy itself is sound
        assert result.returncode == 0, result.stdout + result.stderr
        return
    assert result.returncode == 1, result.stdout
    assert "0 broken" not in result.stdout
    assert broken in result.stdout
    assert message in result.stdout


def test_a_cycle_between_siblings_fails(tmp_path: Path) -> None:
    # Two siblings in one layer may import each other one way (maturity reads the
    # effect log's types), never both ways.
    result = lint_imports(
        copy_with(tmp_path, "ledger.effects.types", "import ledger.maturity.engine as _engine")
    )
    assert result.returncode == 1, result.stdout
    assert "No import cycles between sibling packages or modules BROKEN" in result.stdout

"""The vendored front-end libraries equal what npm installed at the pinned versions."""

from __future__ import annotations

import json
import runpy
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
vendor = runpy.run_path(str(ROOT / "scripts" / "vendor_assets.py"))


def test_the_vendored_copies_equal_node_modules() -> None:
    pairs = vendor["plan"]()
    assert pairs
    for source, copy in pairs:
        assert copy.read_bytes() == source.read_bytes(), copy
    assert vendor["differing"]() == []


def test_echarts_is_the_version_package_json_pins() -> None:
    installed = json.loads((ROOT / "node_modules/echarts/package.json").read_text())["version"]
    assert installed == vendor["pinned"]("echarts") == "6.1.0"
    copy = (ROOT / "api/static/vendor/echarts/echarts.min.js").read_bytes()
    assert b"6.1.0" in copy[:2000] or b'version = "6.1.0"' in copy or b'"6.1.0"' in copy


def test_check_names_a_copy_that_differs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    main = vendor["main"]
    assert main(["--check"]) == 0
    fake_root = tmp_path / "root"
    shutil.copytree(ROOT / "api/static/vendor", fake_root / "api/static/vendor")
    shutil.copyfile(ROOT / "package.json", fake_root / "package.json")
    altered = fake_root / "api/static/vendor/echarts/echarts.min.js"
    altered.write_bytes(altered.read_bytes() + b"\n// edited")
    monkeypatch.setitem(main.__globals__, "ROOT", fake_root)
    monkeypatch.setitem(main.__globals__, "NODE_MODULES", ROOT / "node_modules")
    monkeypatch.setitem(main.__globals__, "VENDOR", fake_root / "api/static/vendor")

    assert main(["--check"]) == 1
    assert capsys.readouterr().out == (
        "differs from node_modules: api/static/vendor/echarts/echarts.min.js\n"
    )

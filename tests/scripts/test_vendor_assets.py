"""The vendored front-end libraries are exactly the pinned npm packages, and ship in the wheel."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "api" / "static" / "vendor"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "vendor_assets.py"
    spec = importlib.util.spec_from_file_location("vendor_assets", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["vendor_assets"] = module
    spec.loader.exec_module(module)
    return module


vendor_assets = _script()


def test_check_mode_passes_on_the_committed_copy() -> None:
    out = subprocess.run(
        [sys.executable, "scripts/vendor_assets.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == "vendored assets match node_modules (13 files)\n"


def test_every_vendored_file_equals_node_modules_byte_for_byte() -> None:
    sources = {
        f"{package.name}/{Path(source).name}": ROOT / "node_modules" / package.name / source
        for package in vendor_assets.PACKAGES
        for source in package.files
    }
    assert "echarts/echarts.min.js" in sources
    assert "swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert "redoc/redoc.standalone.js" in sources
    for name, source in sources.items():
        assert (VENDOR / name).read_bytes() == source.read_bytes(), name
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk == set(sources) | {"manifest.json"}


def test_versions_match_package_json_and_node_modules() -> None:
    pins = json.loads((ROOT / "package.json").read_text())["devDependencies"]
    manifest = json.loads((VENDOR / "manifest.json").read_text())
    assert {name: entry["version"] for name, entry in manifest.items()} == {
        "echarts": "6.1.0",
        "swagger-ui-dist": "5.35.0",
        "redoc": "2.5.4",
    }
    for name, entry in manifest.items():
        assert pins[name] == entry["version"], name
        installed = json.loads((ROOT / "node_modules" / name / "package.json").read_text())
        assert installed["version"] == entry["version"], name


def test_check_names_a_changed_a_missing_and_an_extra_file(tmp_path: Path) -> None:
    want = vendor_assets.expected()
    vendor_assets.write(want, tmp_path)
    assert vendor_assets.differences(want, vendor_assets.committed(tmp_path)) == []
    (tmp_path / "echarts" / "echarts.min.js").write_bytes(want["echarts/echarts.min.js"] + b" ")
    (tmp_path / "redoc" / "LICENSE").unlink()
    (tmp_path / "redoc" / "stray.js").write_text("x")
    assert vendor_assets.differences(want, vendor_assets.committed(tmp_path)) == [
        "differs from node_modules: echarts/echarts.min.js",
        "missing: redoc/LICENSE",
        "not vendored by this script: redoc/stray.js",
    ]
    vendor_assets.write(want, tmp_path)
    assert vendor_assets.committed(tmp_path) == want


def test_a_version_other_than_the_pin_is_refused(tmp_path: Path) -> None:
    manifest = json.loads((ROOT / "package.json").read_text())
    manifest["devDependencies"]["echarts"] = "5.6.0"
    (tmp_path / "package.json").write_text(json.dumps(manifest))
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    with pytest.raises(vendor_assets.VendorError) as err:
        vendor_assets.expected(tmp_path)
    assert str(err.value) == (
        "node_modules has echarts 6.1.0 but package.json pins 5.6.0 (run npm ci)"
    )


def test_package_data_ships_every_static_file() -> None:
    """Each file under api/static matches a package-data glob, so a wheel carries it."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    globs = pyproject["tool"]["setuptools"]["package-data"]["api"]
    static = ROOT / "api" / "static"
    files = [p.relative_to(ROOT / "api").as_posix() for p in static.rglob("*") if p.is_file()]
    assert "static/vendor/echarts/echarts.min.js" in files
    # setuptools globs do not cross "/": fnmatch's "*" does, so compare segment counts too.
    unshipped = [
        f
        for f in files
        if not any(fnmatch.fnmatch(f, g) and f.count("/") == g.count("/") for g in globs)
    ]
    assert unshipped == []

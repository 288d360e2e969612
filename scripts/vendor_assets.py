#!/usr/bin/env python3
"""Copy the pinned front-end libraries from node_modules into api/static/vendor/.

The dashboard's charts (Apache ECharts) and the API's offline documentation (Swagger
UI at ``/docs``, Redoc at ``/redoc``) are served from the package itself, never from
a CDN. Their versions are pinned in package.json; ``npm ci`` puts them in
node_modules and this script copies the files the pages load, with their licences,
into ``api/static/vendor/<package>/``, and writes ``api/static/vendor/manifest.json``
(each package's version and each file's SHA-256). The copies are committed, so an
installed wheel needs neither node nor network.

    python scripts/vendor_assets.py          # copy (after npm ci or a version bump)
    python scripts/vendor_assets.py --check  # exit 1 if the committed copy differs

``--check`` fails when a pinned version in package.json differs from the one in
node_modules or in the manifest, when a file differs byte for byte from
node_modules, and when the vendor folder holds a file the script does not write.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "api" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"


@dataclass(frozen=True)
class Package:
    """An npm package and the files of it that are vendored (paths inside the package;
    each lands under ``vendor/<name>/`` with its base name)."""

    name: str
    files: tuple[str, ...]


PACKAGES = (
    Package("echarts", ("dist/echarts.min.js", "LICENSE", "NOTICE")),
    Package(
        "swagger-ui-dist",
        (
            "swagger-ui-bundle.js",
            "swagger-ui-bundle.js.LICENSE.txt",
            "swagger-ui.css",
            "favicon-32x32.png",
            "LICENSE",
            "NOTICE",
        ),
    ),
    Package(
        "redoc",
        ("bundles/redoc.standalone.js", "bundles/redoc.standalone.js.LICENSE.txt", "LICENSE"),
    ),
)


class VendorError(Exception):
    """node_modules does not hold what package.json pins."""


def pinned_versions(root: Path = ROOT) -> dict[str, str]:
    """The exact versions package.json pins for the vendored packages."""
    manifest = json.loads((root / "package.json").read_text(encoding="utf-8"))
    pins = manifest.get("dependencies", {}) | manifest.get("devDependencies", {})
    versions = {}
    for package in PACKAGES:
        if package.name not in pins:
            raise VendorError(f"package.json does not pin {package.name}")
        versions[package.name] = pins[package.name]
    return versions


def installed_version(name: str, node_modules: Path = NODE_MODULES) -> str:
    path = node_modules / name / "package.json"
    if not path.is_file():
        raise VendorError(f"{name} is not in {node_modules} (run npm ci)")
    version: str = json.loads(path.read_text(encoding="utf-8"))["version"]
    return version


def expected(root: Path = ROOT) -> dict[str, bytes]:
    """Every file of the vendor folder (path relative to it -> bytes), as node_modules
    and package.json make it. Raises :class:`VendorError` on a version mismatch."""
    node_modules = root / "node_modules"
    pins = pinned_versions(root)
    files: dict[str, bytes] = {}
    manifest: dict[str, object] = {}
    for package in PACKAGES:
        version = installed_version(package.name, node_modules)
        if version != pins[package.name]:
            raise VendorError(
                f"node_modules has {package.name} {version} but package.json pins "
                f"{pins[package.name]} (run npm ci)"
            )
        hashes = {}
        for source in package.files:
            content = (node_modules / package.name / source).read_bytes()
            target = f"{package.name}/{Path(source).name}"
            files[target] = content
            hashes[Path(source).name] = hashlib.sha256(content).hexdigest()
        manifest[package.name] = {"version": version, "sha256": hashes}
    files["manifest.json"] = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode()
    return files


def committed(vendor: Path = VENDOR) -> dict[str, bytes]:
    """Every file now in the vendor folder (path relative to it -> bytes)."""
    if not vendor.is_dir():
        return {}
    return {
        path.relative_to(vendor).as_posix(): path.read_bytes()
        for path in sorted(vendor.rglob("*"))
        if path.is_file()
    }


def differences(want: dict[str, bytes], have: dict[str, bytes]) -> list[str]:
    """What differs between the expected and the committed vendor folder, one line each."""
    lines = []
    for name in sorted(want.keys() | have.keys()):
        if name not in have:
            lines.append(f"missing: {name}")
        elif name not in want:
            lines.append(f"not vendored by this script: {name}")
        elif want[name] != have[name]:
            lines.append(f"differs from node_modules: {name}")
    return lines


def write(want: dict[str, bytes], vendor: Path = VENDOR) -> None:
    for name in committed(vendor).keys() - want.keys():
        (vendor / name).unlink()
    for name, content in want.items():
        path = vendor / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with node_modules, change nothing"
    )
    args = parser.parse_args(argv)
    try:
        want = expected()
    except VendorError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.check:
        problems = differences(want, committed())
        for line in problems:
            print(line, file=sys.stderr)
        if problems:
            print("run: python scripts/vendor_assets.py", file=sys.stderr)
            return 1
        print(f"vendored assets match node_modules ({len(want)} files)")
        return 0
    write(want)
    print(f"vendored {len(want)} files into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

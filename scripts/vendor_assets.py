"""Copy the dashboard's front-end libraries from ``node_modules`` into the package.

The pages load nothing from a CDN: ``npm ci`` installs the versions pinned in
``package.json``, and this script copies the files the pages use into
``api/static/vendor/`` (committed, so the installed package needs no npm):

- Apache ECharts (``echarts/dist/echarts.min.js`` and its LICENSE and NOTICE).

``python scripts/vendor_assets.py`` copies; ``--check`` exits 1 and names every file
that differs from ``node_modules`` (a test runs it).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "api" / "static" / "vendor"

#: package → the files copied, relative to the package's folder in node_modules.
ASSETS: dict[str, tuple[str, ...]] = {
    "echarts": ("dist/echarts.min.js", "LICENSE", "NOTICE"),
}


def pinned(package: str) -> str:
    """The version ``package.json`` pins."""
    manifest = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    return str(manifest["devDependencies"][package])


def plan() -> list[tuple[Path, Path]]:
    """(source in node_modules, copy under api/static/vendor) for every asset."""
    pairs = []
    for package, files in ASSETS.items():
        installed = json.loads(
            (NODE_MODULES / package / "package.json").read_text(encoding="utf-8")
        )["version"]
        if installed != pinned(package):
            raise SystemExit(
                f"node_modules has {package} {installed}, package.json pins {pinned(package)}:"
                " run `npm ci`"
            )
        for name in files:
            pairs.append((NODE_MODULES / package / name, VENDOR / package / Path(name).name))
    return pairs


def differing() -> list[str]:
    """The copies that are missing or differ from node_modules."""
    return [
        str(copy.relative_to(ROOT))
        for source, copy in plan()
        if not copy.is_file() or copy.read_bytes() != source.read_bytes()
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a difference")
    args = parser.parse_args(argv)
    if args.check:
        stale = differing()
        for name in stale:
            print(f"differs from node_modules: {name}")
        return 1 if stale else 0
    for source, copy in plan():
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, copy)
        print(f"copied {source.relative_to(ROOT)} -> {copy.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every label of every domain has its translation, and the check finds any that lacks one."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    path = ROOT / "scripts" / "i18n_catalogues.py"
    spec = importlib.util.spec_from_file_location("i18n_catalogues", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["i18n_catalogues"] = module
    spec.loader.exec_module(module)
    return module


catalogues = _script()


def test_every_label_has_a_chinese_translation() -> None:
    out = subprocess.run(
        [sys.executable, "scripts/i18n_catalogues.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout == "catalogues complete: report, dashboard in zh_CN\n"


def test_the_report_catalogue_holds_the_templates_and_the_spec_names() -> None:
    ids = {m.id for m in catalogues.extract("report") if m.id}
    assert "Contents" in ids  # templates
    assert ("%(num)s event", "%(num)s events") in ids  # plurals
    assert {"Quantitatively managed", "data governance"} <= ids  # N_() in report.py
    assert len(ids) > 100


def _tree(tmp_path: Path) -> Path:
    """A copy of the sources and catalogues the script reads."""
    root = tmp_path / "tree"
    shutil.copytree(ROOT / "ledger" / "audit", root / "ledger" / "audit")
    shutil.copytree(ROOT / "ledger" / "locale", root / "ledger" / "locale")
    return root


def test_the_check_names_each_gap(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    po = root / "ledger" / "locale" / "zh_CN" / "LC_MESSAGES" / "report.po"
    text = po.read_text(encoding="utf-8")
    text = text.replace('msgstr "目录"', 'msgstr ""')  # untranslated
    text = text.replace('msgstr "条款 %(clause)s"', 'msgstr "条款"')  # placeholder lost
    text = text.replace(
        'msgid "Trail"\nmsgstr "执行轨迹"', '#, fuzzy\nmsgid "Trail"\nmsgstr "执行轨迹"'
    )
    text += '\nmsgid "A label no source has"\nmsgstr "多余"\n'
    po.write_text(text, encoding="utf-8")
    template = root / "ledger" / "audit" / "templates" / "report.html"
    template.write_text(
        template.read_text().replace('{{ _("Contents") }}', '{{ _("Contents") }}{{ _("New") }}')
    )
    rel = "ledger/locale/zh_CN/LC_MESSAGES/report.po"
    assert catalogues.problems("report", "zh_CN", root) == [
        f"{rel}: no entry for 'New'",
        f"{rel}: 'A label no source has' is no longer in the sources",
        f"{rel}: 'Clause %(clause)s' has placeholders ['clause'], its translation '条款'",
        f"{rel}: 'Contents' is not translated",
        f"{rel}: 'Trail' is fuzzy",
    ]


def test_update_adds_new_labels_and_drops_old_ones_keeping_translations(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    po = root / "ledger" / "locale" / "zh_CN" / "LC_MESSAGES" / "report.po"
    po.write_text(
        po.read_text(encoding="utf-8") + '\nmsgid "A label no source has"\nmsgstr "多余"\n',
        encoding="utf-8",
    )
    template = root / "ledger" / "audit" / "templates" / "report.html"
    template.write_text(template.read_text().replace('_("Contents")', '_("Table of contents")'))
    catalogues.update("report", "zh_CN", root)
    assert catalogues.problems("report", "zh_CN", root) == [
        "ledger/locale/zh_CN/LC_MESSAGES/report.po: 'Table of contents' is not translated"
    ]
    text = po.read_text(encoding="utf-8")
    assert 'msgid "Trail"\nmsgstr "执行轨迹"' in text
    assert "A label no source has" not in text
    assert 'msgid "Contents"' not in text


def test_the_committed_catalogue_is_what_update_writes(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    catalogues.update("report", "zh_CN", root)
    rel = Path("ledger/locale/zh_CN/LC_MESSAGES/report.po")
    assert (root / rel).read_text(encoding="utf-8") == (ROOT / rel).read_text(encoding="utf-8")

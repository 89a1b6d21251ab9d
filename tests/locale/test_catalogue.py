"""The German catalogue is complete and compiled: every msgid the sources use (the gettext
calls in study/, the translate tags in templates/) has a German msgstr that is neither empty
nor fuzzy, and the committed .mo is exactly the .po compiled. No GNU gettext is needed
(catalogue.py reads both files); where xgettext is installed, makemessages is run too, to check
the reading of the sources."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.locale import catalogue


def source_msgids() -> set[str]:
    found: set[str] = set()
    for path in sorted((catalogue.ROOT / "study").rglob("*.py")):
        if "migrations" not in path.parts:
            found |= catalogue.python_msgids(path)
    for path in sorted((catalogue.ROOT / "templates").rglob("*.html")):
        found |= catalogue.template_msgids(path)
    return found


def test_given_the_sources_then_every_msgid_has_a_german_translation():
    entries = {entry.msgid: entry for entry in catalogue.po_entries()}
    plurals = {entry.msgid_plural for entry in entries.values() if entry.msgid_plural}
    used = source_msgids()
    assert len(used) > 100  # the reading of the sources found them
    missing = sorted(msgid for msgid in used - plurals if msgid not in entries)
    untranslated = sorted(
        msgid for msgid in used - plurals if msgid in entries and not entries[msgid].translated
    )
    assert missing == [], "not in locale/de/LC_MESSAGES/django.po: run makemessages"
    assert untranslated == [], "empty or fuzzy in the .po: translate them"


def test_given_the_po_then_the_committed_mo_is_it_compiled():
    assert catalogue.mo_catalogue() == catalogue.po_as_mo(catalogue.po_entries()), (
        "locale/de/LC_MESSAGES/django.mo is not the .po compiled: run compilemessages"
    )


def test_given_a_translation_with_placeholders_then_it_keeps_them():
    for entry in catalogue.po_entries():
        for msgid, msgstr in zip(
            [entry.msgid, entry.msgid_plural or entry.msgid], entry.msgstr, strict=False
        ):
            assert sorted(re.findall(r"%\(\w+\)[sdr]", msgid)) == sorted(
                re.findall(r"%\(\w+\)[sdr]", msgstr)
            ), msgid


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
def test_given_makemessages_then_it_finds_the_msgids_this_reading_finds(tmp_path: Path):
    # makemessages writes into LOCALE_PATHS: run on a copy of the tree instead.
    tree = tmp_path / "tree"
    shutil.copytree(
        catalogue.ROOT,
        tree,
        ignore=shutil.ignore_patterns(".venv", ".git", "node_modules", "media", "*.sqlite3"),
    )
    shutil.rmtree(tree / "locale")
    (tree / "locale" / "de" / "LC_MESSAGES").mkdir(parents=True)
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "--locale",
            "de",
            "--no-location",
            "--ignore",
            "tests",
            "--ignore",
            "analysis",
            "--ignore",
            "deploy",
        ],
        cwd=tree,
        check=True,
        capture_output=True,
    )
    made = catalogue.po_entries(tree / "locale" / "de" / "LC_MESSAGES" / "django.po")
    msgids = {entry.msgid for entry in made} | {e.msgid_plural for e in made if e.msgid_plural}
    assert msgids == source_msgids()

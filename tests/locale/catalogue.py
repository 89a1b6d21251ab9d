"""The German catalogue as the tests read it, without GNU gettext: a small reader of the .po
(msgctxt, msgid, msgid_plural, msgstr[n], flags) and the compiled .mo through the standard
library, and an extractor of the msgids the participant surface uses (Python calls of the
gettext functions, and the template tags), so a test can compare the three."""

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.template import Engine
from django.template.base import Node
from django.templatetags.i18n import BlockTranslateNode, TranslateNode

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "de" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The gettext functions xgettext (makemessages) knows, and which argument is the msgid.
GETTEXT_CALLS = {
    "_": 0,
    "gettext": 0,
    "gettext_lazy": 0,
    "gettext_noop": 0,
    "ngettext": 0,
    "ngettext_lazy": 0,
    "pgettext": 1,
    "pgettext_lazy": 1,
}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str = ""
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False

    @property
    def translated(self) -> bool:
        return not self.fuzzy and not self.obsolete and bool(self.msgstr) and all(self.msgstr)


def po_entries(path: Path = PO) -> list[Entry]:
    """The entries of a .po file (blocks between blank lines), the header (msgid "") left out."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry = Entry(msgid="")
        target: tuple[str, int] | None = None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            elif line.startswith("#,"):
                entry.fuzzy = entry.fuzzy or "fuzzy" in line
                continue
            elif line.startswith("#") or not line:
                continue
            keyword, _space, rest = line.partition(" ")
            if line.startswith('"'):
                name, index = target  # type: ignore[misc]
                text = ast.literal_eval(line)
                if name == "msgstr":
                    entry.msgstr[index] += text
                else:
                    setattr(entry, name, (getattr(entry, name) or "") + text)
            elif keyword in ("msgctxt", "msgid", "msgid_plural"):
                setattr(entry, keyword, ast.literal_eval(rest))
                target = (keyword, 0)
            elif keyword.startswith("msgstr"):
                entry.msgstr.append(ast.literal_eval(rest))
                target = ("msgstr", len(entry.msgstr) - 1)
        if entry.msgid:
            entries.append(entry)
    return entries


def mo_catalogue(path: Path = MO) -> dict:
    """The compiled catalogue: {msgid: msgstr} and {(msgid, n): msgstr} for plurals."""
    with path.open("rb") as stream:
        catalogue = gettext.GNUTranslations(stream)._catalog  # type: ignore[attr-defined]
    return {key: value for key, value in catalogue.items() if key != ""}


def po_as_mo(entries: list[Entry]) -> dict:
    """What msgfmt compiles from the entries (translated ones only), keyed as mo_catalogue."""
    compiled: dict = {}
    for entry in entries:
        if not entry.translated:
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural:
            for index, text in enumerate(entry.msgstr):
                compiled[(msgid, index)] = text
        else:
            compiled[msgid] = entry.msgstr[0]
    return compiled


def python_msgids(path: Path) -> set[str]:
    """The literal msgids of the gettext calls in a Python module (as xgettext reads them)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_CALLS or len(node.args) <= GETTEXT_CALLS[name]:
            continue
        argument = node.args[GETTEXT_CALLS[name]]
        if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
            found.add(argument.value)
    return found


def _nodes(nodes) -> list[Node]:
    found = []
    for node in nodes:
        found.append(node)
        for attribute in getattr(node, "child_nodelists", ()):
            found += _nodes(getattr(node, attribute, None) or [])
    return found


def _block_text(tokens) -> str:
    # As BlockTranslateNode.render_token_list: text as is, a variable as %(name)s.
    return "".join(
        token.contents.replace("%", "%%")
        if token.token_type.name == "TEXT"
        else f"%({token.contents})s"
        for token in tokens
    )


def template_msgids(path: Path) -> set[str]:
    """The msgids of {% translate %} and {% blocktranslate %} in a template, as Django looks
    them up (``trimmed`` applied), parsed by Django's own template engine."""
    engine = Engine(
        libraries={
            "i18n": "django.templatetags.i18n",
            "static": "django.templatetags.static",
            # every tag library of ours, so a template loading one parses
            **{
                module.stem: f"study.templatetags.{module.stem}"
                for module in (ROOT / "study" / "templatetags").glob("*.py")
                if module.stem != "__init__"
            },
        }
    )
    # A child template on its own: its blocks are parsed, the parent it extends is not read.
    source = re.sub(r"{%\s*extends\s+[^%]*%}", "", path.read_text(encoding="utf-8"))
    found = set()
    for node in _nodes(engine.from_string(source).nodelist):
        if isinstance(node, TranslateNode) and node.filter_expression.var.literal is not None:
            found.add(str(node.filter_expression.var.literal))
        elif isinstance(node, BlockTranslateNode):
            for tokens in (node.singular, node.plural):
                if tokens:
                    text = _block_text(tokens)
                    found.add(_trim(text) if node.trimmed else text)
    return found


def _trim(text: str) -> str:
    # As Django's blocktranslate trimmed: lines joined with a space, stripped.
    return " ".join(line.strip() for line in text.strip().splitlines() if line.strip())

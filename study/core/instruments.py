"""The instruments a study team writes: the screening options (specialties, training levels,
experience bands, prior AI use) and the post-study questionnaire items.

Rule: pure Python. A study stores both as JSON (Study.screening, Study.questionnaire_items);
every reader goes through ``screening_parse`` and ``questionnaire_parse``, which refuse a
malformed instrument with an InstrumentError naming where it is wrong. The builder edits them as
text, one line per option or item (``*_text`` and ``*_from_text``), so a study team needs no JSON.
Codes are part of the export contract (screening codes are column values, item codes name the
``q_<code>`` columns); wording may change freely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import questionnaire, vocabulary
from .questionnaire import Item

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}\Z")
_ITEM_TYPES = ("likert", "number", "choice", "multiple", "text")
MAX_OPTIONS = 60
MAX_ITEMS = 80
LABEL_MAX = 200
WORDING_MAX = 1000


class InstrumentError(ValueError):
    """A malformed instrument; ``field`` is the instrument part at fault (e.g. "specialties")
    and the message says where (the line or entry) and what is wrong."""

    def __init__(self, message: str, *, field: str):
        super().__init__(message)
        self.field = field


# --- screening -----------------------------------------------------------------------------------

SCREENING_LISTS = ("specialties", "training_levels", "experience_bands", "prior_ai_use")
SCREENING_LABELS = {
    "specialties": "Specialties",
    "training_levels": "Training levels",
    "experience_bands": "Experience bands (code = the band's lower bound in years)",
    "prior_ai_use": "Prior use of AI decision support",
}
_DEFAULT_SCREENING = {
    "specialties": vocabulary.SPECIALTIES,
    "training_levels": vocabulary.TRAINING_LEVELS,
    "experience_bands": vocabulary.EXPERIENCE_BANDS,
    "prior_ai_use": vocabulary.PRIOR_AI_USE,
}
Options = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ScreeningOptions:
    specialties: Options
    training_levels: Options
    experience_bands: Options  # codes are the lower bounds, as text ("0", "5", ...)
    prior_ai_use: Options

    def rows(self, basis: str) -> Options:
        """The (code, label) rows a study maps to strata for a stratification basis."""
        return {
            "specialty": self.specialties,
            "training_level": self.training_levels,
            "years_experience": self.experience_bands,
        }[basis]

    def to_json(self) -> dict[str, list[list[str]]]:
        return {name: [list(row) for row in getattr(self, name)] for name in SCREENING_LISTS}


def screening_default_json() -> dict[str, list[list[str]]]:
    """The default screening options (Gaube 2021's), as stored JSON: a model field default."""
    return {name: [list(row) for row in rows] for name, rows in _DEFAULT_SCREENING.items()}


def _options(name: str, raw: object, *, places: list[str] | None = None) -> Options:
    # places: where each option was written (the builder's "line 3"), else "option 1", ...
    if not isinstance(raw, list | tuple) or not raw:
        raise InstrumentError(f"{name}: give at least one option", field=name)
    if len(raw) > MAX_OPTIONS:
        raise InstrumentError(f"{name}: at most {MAX_OPTIONS} options, got {len(raw)}", field=name)
    seen: set[str] = set()
    rows = []
    for index, row in enumerate(raw, start=1):
        place = places[index - 1] if places else f"option {index}"
        if not isinstance(row, list | tuple) or len(row) != 2:
            raise InstrumentError(f"{name}, {place}: expected code and label", field=name)
        code, label = (str(part).strip() if part is not None else "" for part in row)
        problem = _code_problem(code)
        if problem:
            raise InstrumentError(f"{name}, {place}: {problem}", field=name)
        if name == "experience_bands" and not code.isdigit():
            raise InstrumentError(
                f"{name}, {place}: code {code!r} must be the band's lower bound in "
                "whole years (e.g. 0, 5, 10)",
                field=name,
            )
        if not label or len(label) > LABEL_MAX:
            raise InstrumentError(
                f"{name}, {place} ({code}): the label must be 1 to {LABEL_MAX} characters",
                field=name,
            )
        if code in seen:
            raise InstrumentError(f"{name}, {place}: code {code!r} is listed twice", field=name)
        seen.add(code)
        rows.append((code, label))
    if name == "experience_bands":
        if "0" not in seen:
            raise InstrumentError(
                f"{name}: one band must start at 0 years, or some participants fit no band",
                field=name,
            )
        rows.sort(key=lambda row: int(row[0]))
    return tuple(rows)


def _code_problem(code: str) -> str | None:
    if not _CODE.match(code):
        return (
            f"code {code!r} must be 1 to 40 lower-case letters, digits, - or _, starting "
            "with a letter or digit"
        )
    return None


def screening_parse(raw: object) -> ScreeningOptions:
    """The stored screening JSON as ScreeningOptions; a list left out takes its default."""
    if raw is None or raw == {}:
        raw = screening_default_json()
    if not isinstance(raw, dict):
        raise InstrumentError("screening: expected an object of option lists", field="screening")
    unknown = sorted(set(raw) - set(SCREENING_LISTS))
    if unknown:
        raise InstrumentError(
            f"screening: unknown list {unknown[0]!r} (known: {', '.join(SCREENING_LISTS)})",
            field="screening",
        )
    defaults = screening_default_json()
    return ScreeningOptions(
        **{name: _options(name, raw.get(name, defaults[name])) for name in SCREENING_LISTS}
    )


def options_text(rows: Options) -> str:
    """Options as the builder's text: one ``code = label`` per line."""
    return "\n".join(f"{code} = {label}" for code, label in rows)


def options_from_text(name: str, text: str) -> Options:
    """The builder's text (``code = label`` per line, blank lines ignored) as options."""
    rows, places = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, label = line.partition("=")
        if not sep:
            raise InstrumentError(
                f"{name}, line {number}: write code = label (e.g. radiology = Radiology)",
                field=name,
            )
        rows.append((code.strip(), label.strip()))
        places.append(f"line {number}")
    return _options(name, rows, places=places)


# --- questionnaire -------------------------------------------------------------------------------


def questionnaire_default_json() -> list[dict[str, Any]]:
    """The default questionnaire items, as stored JSON: a model field default."""
    return [item_to_json(item) for item in questionnaire.ITEMS]


# Any: an item's JSON mixes texts, numbers, flags and lists.
def item_to_json(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": item.code,
        "wording": item.wording,
        "type": item.type,
        "required": item.required,
    }
    if item.scale is not None:
        data["scale"] = list(item.scale)
    if item.anchors is not None:
        data["anchors"] = list(item.anchors)
    if item.choices:
        data["choices"] = [list(choice) for choice in item.choices]
    if item.type == "text":
        data["max_length"] = item.max_length
    return data


def _item_error(index: int, code: str, message: str) -> InstrumentError:
    named = f" ({code})" if code else ""
    return InstrumentError(f"item {index}{named}: {message}", field="questionnaire_items")


def _item(index: int, raw: object) -> Item:
    if not isinstance(raw, dict):
        raise _item_error(index, "", "expected an object")
    code = str(raw.get("code", "")).strip()
    problem = _code_problem(code)
    if problem:
        raise _item_error(index, "", problem)
    wording = str(raw.get("wording", "")).strip()
    if not wording or len(wording) > WORDING_MAX:
        raise _item_error(index, code, f"the wording must be 1 to {WORDING_MAX} characters")
    kind = raw.get("type")
    if kind not in _ITEM_TYPES:
        raise _item_error(index, code, f"type {kind!r} must be one of {', '.join(_ITEM_TYPES)}")
    required = raw.get("required", True)
    if not isinstance(required, bool):
        raise _item_error(index, code, "required must be true or false")
    scale = anchors = None
    choices: tuple[tuple[str, str], ...] = ()
    max_length = 2000
    if kind in ("likert", "number"):
        scale = _scale(index, code, kind, raw.get("scale"))
    if kind == "likert":
        anchors = _anchors(index, code, raw.get("anchors"))
    if kind in ("choice", "multiple"):
        try:
            choices = _options("choices", raw.get("choices"))
        except InstrumentError as error:
            message = str(error).replace("choices, option ", "choice ", 1)  # "choice 2: ..."
            raise _item_error(index, code, message) from error
    if kind == "text":
        max_length = raw.get("max_length", 2000)
        if isinstance(max_length, bool) or not isinstance(max_length, int):
            raise _item_error(index, code, "max_length must be a whole number")
        if not 1 <= max_length <= 10000:
            raise _item_error(index, code, "max_length must be between 1 and 10000")
    return Item(
        code=code,
        wording=wording,
        type=kind,
        required=required,
        scale=scale,
        anchors=anchors,
        choices=choices,
        max_length=max_length,
    )


def _scale(index: int, code: str, kind: str, raw: object) -> tuple[int, int]:
    if kind == "likert" and raw is None:
        return (1, 7)
    if kind == "number" and raw is None:
        return (0, 1000)
    if (
        not isinstance(raw, list | tuple)
        or len(raw) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in raw)
    ):
        raise _item_error(index, code, "scale must be two whole numbers, low and high")
    low, high = raw
    if low >= high:
        raise _item_error(index, code, f"scale {low}-{high}: low must be below high")
    if kind == "likert" and not (low >= 0 and high - low <= 10):
        raise _item_error(index, code, f"a Likert scale ({low}-{high}) has 2 to 11 points from 0")
    if kind == "number" and not (low >= -(10**9) and high <= 10**9):
        raise _item_error(index, code, "a number's range must lie within ±1,000,000,000")
    return (low, high)


def _anchors(index: int, code: str, raw: object) -> tuple[str, str]:
    if (
        not isinstance(raw, list | tuple)
        or len(raw) != 2
        or not all(isinstance(v, str) and v.strip() for v in raw)
    ):
        raise _item_error(index, code, "a Likert item needs two anchors, the words at each end")
    low, high = (v.strip() for v in raw)
    if max(len(low), len(high)) > LABEL_MAX:
        raise _item_error(index, code, f"an anchor is at most {LABEL_MAX} characters")
    return (low, high)


def questionnaire_parse(raw: object) -> tuple[Item, ...]:
    """The stored questionnaire JSON as items (an empty list: no questionnaire items)."""
    if raw is None:
        raw = questionnaire_default_json()
    if not isinstance(raw, list | tuple):
        raise InstrumentError(
            "questionnaire_items: expected a list of items", field="questionnaire_items"
        )
    if len(raw) > MAX_ITEMS:
        raise InstrumentError(
            f"questionnaire_items: at most {MAX_ITEMS} items, got {len(raw)}",
            field="questionnaire_items",
        )
    items = tuple(_item(index, entry) for index, entry in enumerate(raw, start=1))
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        if item.code in seen:
            raise _item_error(index, item.code, "the code is used by an earlier item")
        seen.add(item.code)
    return items


# The builder's text for items: one line per item, fields separated by " | ", as this says.
QUESTIONNAIRE_TEXT_HELP = (
    "One item per line: code | type | wording | details. Types: likert, number, choice, "
    "multiple, text; add 'optional' after the type for an item that may be left empty. "
    "Details: likert '1-7; not at all; completely' (scale; the words at each end), number "
    "'0-100', choice and multiple 'yes=Yes; no=No', text the maximum length (or nothing)."
)


def questionnaire_text(items: tuple[Item, ...]) -> str:
    lines = []
    for item in items:
        kind = item.type + ("" if item.required else " optional")
        if item.type == "likert":
            low, high = item.scale or (1, 7)
            left, right = item.anchors or ("", "")
            details = f"{low}-{high}; {left}; {right}"
        elif item.type == "number":
            low, high = item.scale or (0, 1000)
            details = f"{low}-{high}"
        elif item.type in ("choice", "multiple"):
            details = "; ".join(f"{code}={label}" for code, label in item.choices)
        else:
            details = "" if item.max_length == 2000 else str(item.max_length)
        parts = (item.code, kind, item.wording, details)
        lines.append(" | ".join(part for part in parts if part))  # no empty last field
    return "\n".join(lines)


def _range(text: str) -> list[int] | None:
    match = re.fullmatch(r"\s*(-?\d+)\s*-\s*(-?\d+)\s*", text)
    return [int(match.group(1)), int(match.group(2))] if match else None


def questionnaire_from_text(text: str) -> tuple[Item, ...]:
    """The builder's text as items; an error names the line."""
    entries = []
    lines_of_codes: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue

        def refuse(message: str, number: int = number) -> InstrumentError:
            return InstrumentError(f"line {number}: {message}", field="questionnaire_items")

        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 3:
            raise refuse("write code | type | wording | details")
        code, kind_text, wording = parts[:3]
        if code in lines_of_codes:
            raise refuse(f"the code {code!r} is already used on line {lines_of_codes[code]}")
        lines_of_codes[code] = number
        details = " | ".join(parts[3:]).strip()
        kind_words = kind_text.lower().split()
        if not kind_words:
            raise refuse("the type is missing")
        kind = kind_words[0]
        if kind_words[1:] not in ([], ["optional"]):
            raise refuse(f"after the type only 'optional' may follow, got {kind_text!r}")
        entry: dict[str, Any] = {"code": code, "type": kind, "wording": wording}
        entry["required"] = kind_words[1:] != ["optional"]
        if kind == "likert":
            pieces = [piece.strip() for piece in details.split(";")]
            scale = _range(pieces[0]) if pieces[0] else None
            if scale is None or len(pieces) != 3:
                raise refuse("a Likert item's details are 'low-high; low anchor; high anchor'")
            entry["scale"], entry["anchors"] = scale, pieces[1:]
        elif kind == "number" and details:
            entry["scale"] = _range(details)
            if entry["scale"] is None:
                raise refuse("a number item's details are its range, e.g. 0-100")
        elif kind in ("choice", "multiple"):
            choices = []
            for piece in filter(None, (p.strip() for p in details.split(";"))):
                choice_code, sep, label = piece.partition("=")
                if not sep:
                    raise refuse(f"write each choice as code=Label, got {piece!r}")
                choices.append([choice_code.strip(), label.strip()])
            entry["choices"] = choices
        elif kind == "text" and details:
            if not details.isdigit():
                raise refuse("a text item's details are its maximum length, e.g. 500")
            entry["max_length"] = int(details)
        try:
            _item(len(entries) + 1, entry)
        except InstrumentError as error:
            # "item 2 (code): ..." -> "line 5: ...": the builder's text has lines, not items.
            raise refuse(str(error).split(": ", 1)[-1]) from error
        entries.append(entry)
    try:
        return questionnaire_parse(entries)
    except InstrumentError as error:
        raise InstrumentError(str(error), field="questionnaire_items") from error

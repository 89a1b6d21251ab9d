"""Case manifests (manifest.csv or manifest.json in an import zip), pure: no Django.

Every problem is reported with its row (1-based data row; the CSV header is row 0) and column,
and all problems are collected before anything is imported.

Texts in further languages: a column ``<text>_<language>`` gives a case's text in a language the
study offers besides its own (``languages``), e.g. ``vignette_de``, ``feedback_de``,
``accurate_findings_de`` and ``inaccurate_findings_de`` (the advice texts of ``accurate_advice``
and ``inaccurate_advice``); an empty cell means not translated (the case's own text is shown).
"""

import csv
import io
import json
import math
import re
from collections.abc import Collection
from dataclasses import dataclass, field

REQUIRED_COLUMNS = (
    "case",
    "image",
    "vignette",
    "reference_diagnosis",
    "accurate_advice",
    "accurate_diagnosis",
    "inaccurate_advice",
    "inaccurate_diagnosis",
)
OPTIONAL_COLUMNS = (
    "training",
    "feedback",
    "accurate_annotation",
    "inaccurate_annotation",
    "accurate_confidence",
    "inaccurate_confidence",
    # The single columns of before: each fills both advice variants.
    "annotation",
    "displayed_confidence",
)
VARIANTS = ("accurate", "inaccurate")
# (the old column filling both variants, the per-variant column's suffix)
_BOTH_VARIANTS = (("annotation", "annotation"), ("displayed_confidence", "confidence"))
_TRUE = {"true", "yes", "1"}
_FALSE = {"false", "no", "0", ""}
_CODE_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
# A translated text's column: the text, then its language ("vignette_de").
TRANSLATED_TEXTS = ("vignette", "feedback", "accurate_findings", "inaccurate_findings")
_TRANSLATED_COLUMN = re.compile(rf"({'|'.join(TRANSLATED_TEXTS)})_([a-z]{{2,3}}(?:-[a-z]+)?)\Z")


@dataclass(frozen=True)
class ManifestProblem:
    row: int | None  # None: the manifest as a whole
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class ManifestRow:
    row: int
    case: str
    image: str
    vignette: str
    reference_diagnosis: str
    accurate_advice: str
    accurate_diagnosis: str
    inaccurate_advice: str
    inaccurate_diagnosis: str
    training: bool = False
    feedback: str = ""
    accurate_annotation: dict | None = None
    inaccurate_annotation: dict | None = None
    accurate_confidence: float | None = None
    inaccurate_confidence: float | None = None
    # Texts in further languages: {"de": {"vignette": ..., "feedback": ...}} for the case and
    # {"de": {"findings": ...}} for each advice; a language without any text is left out.
    translations: dict = field(default_factory=dict)
    accurate_translations: dict = field(default_factory=dict)
    inaccurate_translations: dict = field(default_factory=dict)


class ManifestError(ValueError):
    def __init__(self, problems: list[ManifestProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def _records(name: str, data: bytes) -> list[dict]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ManifestError(
            [ManifestProblem(None, None, f"{name} is not UTF-8 text ({error.reason})")]
        ) from error
    if name.endswith(".json"):
        try:
            records = json.loads(text)
        except json.JSONDecodeError as error:
            raise ManifestError(
                [ManifestProblem(None, None, f"{name} is not valid JSON: {error}")]
            ) from error
        if isinstance(records, dict) and isinstance(records.get("cases"), list):
            records = records["cases"]
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise ManifestError(
                [ManifestProblem(None, None, f"{name} must be a list of objects, one per case")]
            )
        return records
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None:
        raise ManifestError([ManifestProblem(None, None, f"{name} is empty")])
    return list(reader)


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def manifest_parse(
    *,
    name: str,
    data: bytes,
    diagnoses: set[str],
    images: set[str],
    languages: Collection[str] = (),
) -> list[ManifestRow]:
    """Parse and check a manifest against the study's diagnosis codes, the zip's files and the
    languages its translated columns may give (the study's besides its own)."""
    records = _records(name, data)
    if not records:
        raise ManifestError([ManifestProblem(None, None, f"{name} lists no cases")])
    problems: list[ManifestProblem] = []
    present = set().union(*(record.keys() for record in records))
    missing = [column for column in REQUIRED_COLUMNS if column not in present]
    if missing:
        raise ManifestError(
            [ManifestProblem(None, column, "required column is missing") for column in missing]
        )
    translated = {}
    for column in sorted(present - set(REQUIRED_COLUMNS) - set(OPTIONAL_COLUMNS)):
        match = _TRANSLATED_COLUMN.match(column)
        if match is None:
            problems.append(ManifestProblem(None, column, "unknown column"))
        elif match.group(2) not in languages:
            offered = ", ".join(sorted(languages)) or "none besides its own"
            problems.append(
                ManifestProblem(
                    None,
                    column,
                    f"'{match.group(2)}' is not a language this study can be translated "
                    f"into (offered: {offered})",
                )
            )
        else:
            translated[column] = (match.group(1), match.group(2))
    rows: list[ManifestRow] = []
    seen_cases: dict[str, int] = {}
    seen_images: dict[str, int] = {}
    known = ", ".join(sorted(diagnoses)) or "none defined"
    for number, record in enumerate(records, start=1):
        values = {column: _text(record.get(column)) for column in REQUIRED_COLUMNS}
        for column, value in values.items():
            if not value:
                problems.append(ManifestProblem(number, column, "is empty"))
        case = values["case"]
        if case and not set(case) <= _CODE_CHARS:
            problems.append(
                ManifestProblem(number, "case", f"'{case}' may hold only letters, digits, - and _")
            )
        if case in seen_cases:
            problems.append(
                ManifestProblem(number, "case", f"'{case}' is also on row {seen_cases[case]}")
            )
        seen_cases.setdefault(case, number)
        image = values["image"]
        if image and image not in images:
            problems.append(ManifestProblem(number, "image", f"'{image}' is not in the archive"))
        if image in seen_images:
            problems.append(
                ManifestProblem(
                    number, "image", f"'{image}' is also used on row {seen_images[image]}"
                )
            )
        seen_images.setdefault(image, number)
        for column in ("reference_diagnosis", "accurate_diagnosis", "inaccurate_diagnosis"):
            code = values[column]
            if code and code not in diagnoses:
                problems.append(
                    ManifestProblem(
                        number,
                        column,
                        f"'{code}' is not a diagnosis of this study (known: {known})",
                    )
                )
        if (
            values["accurate_diagnosis"]
            and values["accurate_diagnosis"] != values["reference_diagnosis"]
        ):
            problems.append(
                ManifestProblem(number, "accurate_diagnosis", "must equal reference_diagnosis")
            )
        if (
            values["inaccurate_diagnosis"]
            and values["inaccurate_diagnosis"] == values["reference_diagnosis"]
        ):
            problems.append(
                ManifestProblem(
                    number, "inaccurate_diagnosis", "must differ from reference_diagnosis"
                )
            )
        training = _text(record.get("training")).lower()
        if training not in _TRUE | _FALSE:
            problems.append(
                ManifestProblem(number, "training", f"'{training}' is not true or false")
            )
        advice, advice_problems = _advice_extras(record, number)
        problems += advice_problems
        rows.append(
            ManifestRow(
                row=number,
                **values,
                training=training in _TRUE,
                feedback=_text(record.get("feedback")),
                **advice,
                **_translations(record, translated),
            )
        )
    if problems:
        raise ManifestError(problems)
    return rows


def _translations(record: dict, columns: dict[str, tuple[str, str]]) -> dict:
    """A row's texts in further languages, by where they are stored (case or advice)."""
    found: dict[str, dict] = {
        "translations": {},
        "accurate_translations": {},
        "inaccurate_translations": {},
    }
    for column, (text, language) in columns.items():
        value = _text(record.get(column))
        if not value:
            continue
        if text.endswith("_findings"):
            variant = text.removesuffix("_findings")
            found[f"{variant}_translations"].setdefault(language, {})["findings"] = value
        else:
            found["translations"].setdefault(language, {})[text] = value
    return found


def _advice_extras(record: dict, row: int) -> tuple[dict, list[ManifestProblem]]:
    """Each variant's annotation and displayed confidence: from its own column, or from the old
    single column that fills both; a row that gives both for one variant is a problem."""
    values: dict = {}
    problems: list[ManifestProblem] = []
    for old, suffix in _BOTH_VARIANTS:
        parse = _annotation if suffix == "annotation" else _confidence
        for variant in VARIANTS:
            column = f"{variant}_{suffix}"
            given = [name for name in (old, column) if _given(record.get(name))]
            if len(given) == 2:
                problems.append(
                    ManifestProblem(
                        row,
                        column,
                        f"both '{old}' and '{column}' are given for the {variant} advice; "
                        f"give one ('{old}' fills both variants)",
                    )
                )
                values[column] = None
                continue
            source = given[0] if given else column
            value, problem = parse(record.get(source), row, source)
            if problem and not (source == old and variant == VARIANTS[1]):
                problems.append(problem)  # an old column's problem is reported once
            values[column] = value
    return values, problems


def _given(raw) -> bool:
    return raw is not None and not (isinstance(raw, str) and not raw.strip())


def _annotation(
    raw, row: int, column: str = "annotation"
) -> tuple[dict | None, ManifestProblem | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as error:
            return None, ManifestProblem(row, column, f"is not valid JSON ({error.msg})")
    if not isinstance(raw, dict):
        return None, ManifestProblem(row, column, "must be a JSON object")
    shape = raw.get("type")
    fields = {"box": ("x", "y", "width", "height"), "arrow": ("x1", "y1", "x2", "y2")}.get(shape)
    if fields is None:
        return None, ManifestProblem(row, column, "type must be 'box' or 'arrow'")
    for name in fields:
        value = raw.get(name)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            return None, ManifestProblem(
                row, column, f"'{name}' must be a non-negative number of image pixels"
            )
    return {"type": shape, **{name: raw[name] for name in fields}}, None


def _confidence(
    raw, row: int, column: str = "displayed_confidence"
) -> tuple[float | None, ManifestProblem | None]:
    text = _text(raw)
    if not text:
        return None, None
    try:
        value = float(text.rstrip("%"))
    except ValueError:
        return None, ManifestProblem(row, column, f"'{text}' is not a number")
    if not math.isfinite(value) or not 0 <= value <= 100:
        return None, ManifestProblem(row, column, f"{text} is not a percentage between 0 and 100")
    return value, None

"""Manifest parsing: every problem reported by row and column, nothing half-accepted."""

import json

import pytest

from study.core.manifest import ManifestError, manifest_parse

DIAGNOSES = {"normal", "pneumonia", "pneumothorax"}
HEADER = (
    "case,image,vignette,reference_diagnosis,accurate_advice,accurate_diagnosis,"
    "inaccurate_advice,inaccurate_diagnosis"
)


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()


def _problems(data: bytes, name="manifest.csv", images=frozenset({"a.dcm", "b.dcm"})):
    with pytest.raises(ManifestError) as raised:
        manifest_parse(name=name, data=data, diagnoses=DIAGNOSES, images=set(images))
    return [str(problem) for problem in raised.value.problems]


def test_given_a_valid_csv_then_rows_are_typed():
    rows = manifest_parse(
        name="manifest.csv",
        data=_csv(
            "A1,a.dcm,Cough.,pneumonia,Consolidation.,pneumonia,Clear.,normal",
            header=HEADER + ",training,annotation,displayed_confidence",
        ).replace(
            b"normal\n",
            b'normal,true,"{""type"": ""box"", ""x"": 1, ""y"": 2, '
            b'""width"": 30, ""height"": 40}",87%\n',
        ),
        diagnoses=DIAGNOSES,
        images={"a.dcm"},
    )
    assert len(rows) == 1
    row = rows[0]
    assert (row.case, row.image, row.reference_diagnosis, row.training) == (
        "A1",
        "a.dcm",
        "pneumonia",
        True,
    )
    box = {"type": "box", "x": 1, "y": 2, "width": 30, "height": 40}
    assert (row.accurate_annotation, row.inaccurate_annotation) == (box, box)
    assert (row.accurate_confidence, row.inaccurate_confidence) == (87.0, 87.0)


def test_given_a_json_manifest_then_it_parses_like_csv():
    data = json.dumps(
        {
            "cases": [
                {
                    "case": "A1",
                    "image": "a.dcm",
                    "vignette": "Cough.",
                    "reference_diagnosis": "pneumonia",
                    "accurate_advice": "Consolidation.",
                    "accurate_diagnosis": "pneumonia",
                    "inaccurate_advice": "Clear.",
                    "inaccurate_diagnosis": "normal",
                    "annotation": {"type": "arrow", "x1": 1, "y1": 2, "x2": 3, "y2": 4},
                }
            ]
        }
    ).encode()
    (row,) = manifest_parse(name="manifest.json", data=data, diagnoses=DIAGNOSES, images={"a.dcm"})
    arrow = {"type": "arrow", "x1": 1, "y1": 2, "x2": 3, "y2": 4}
    assert (row.accurate_annotation, row.inaccurate_annotation) == (arrow, arrow)
    assert row.training is False
    assert row.feedback == ""


def test_given_missing_columns_then_each_is_named():
    assert _problems(_csv("A1,a.dcm", header="case,image")) == [
        "column 'vignette': required column is missing",
        "column 'reference_diagnosis': required column is missing",
        "column 'accurate_advice': required column is missing",
        "column 'accurate_diagnosis': required column is missing",
        "column 'inaccurate_advice': required column is missing",
        "column 'inaccurate_diagnosis': required column is missing",
    ]


def test_given_several_bad_rows_then_every_problem_has_its_row_and_column():
    problems = _problems(
        _csv(
            "A1,a.dcm,Cough.,pneumonia,Consolidation.,pneumonia,Clear.,normal",
            "A1,c.dcm,,flu,Text.,flu,Text.,flu",
            "B 2,b.dcm,Pain.,normal,Clear.,pneumonia,Text.,normal",
        )
    )
    assert problems == [
        "row 2, column 'vignette': is empty",
        "row 2, column 'case': 'A1' is also on row 1",
        "row 2, column 'image': 'c.dcm' is not in the archive",
        "row 2, column 'reference_diagnosis': 'flu' is not a diagnosis of this study "
        "(known: normal, pneumonia, pneumothorax)",
        "row 2, column 'accurate_diagnosis': 'flu' is not a diagnosis of this study "
        "(known: normal, pneumonia, pneumothorax)",
        "row 2, column 'inaccurate_diagnosis': 'flu' is not a diagnosis of this study "
        "(known: normal, pneumonia, pneumothorax)",
        "row 2, column 'inaccurate_diagnosis': must differ from reference_diagnosis",
        "row 3, column 'case': 'B 2' may hold only letters, digits, - and _",
        "row 3, column 'accurate_diagnosis': must equal reference_diagnosis",
        "row 3, column 'inaccurate_diagnosis': must differ from reference_diagnosis",
    ]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("maybe,,", "row 1, column 'training': 'maybe' is not true or false"),
        (',"{bad",', "row 1, column 'annotation': is not valid JSON (Expecting property name "
         "enclosed in double quotes)"),
        (',"{""type"": ""circle""}",', "row 1, column 'annotation': type must be 'box' or 'arrow'"),
        (',"{""type"": ""box"", ""x"": -1, ""y"": 0, ""width"": 1, ""height"": 1}",',
         "row 1, column 'annotation': 'x' must be a non-negative number of image pixels"),
        (",,high", "row 1, column 'displayed_confidence': 'high' is not a number"),
        (",,140",
         "row 1, column 'displayed_confidence': 140 is not a percentage between 0 and 100"),
    ],
)  # fmt: skip
def test_given_bad_optional_values_then_the_message_is_exact(extra, message):
    data = _csv(
        "A1,a.dcm,Cough.,pneumonia,Consolidation.,pneumonia,Clear.,normal," + extra,
        header=HEADER + ",training,annotation,displayed_confidence",
    )
    assert _problems(data) == [message]


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("manifest.csv", b"", "manifest.csv is empty"),
        ("manifest.csv", b"\xff\xfe\x00", "manifest.csv is not UTF-8 text (invalid start byte)"),
        ("manifest.json", b"{", "manifest.json is not valid JSON: Expecting property name "
         "enclosed in double quotes: line 1 column 2 (char 1)"),
        ("manifest.json", b"[1, 2]", "manifest.json must be a list of objects, one per case"),
        ("manifest.json", b"[]", "manifest.json lists no cases"),
    ],
)  # fmt: skip
def test_given_an_unreadable_manifest_then_the_whole_file_is_refused(name, data, message):
    assert _problems(data, name=name) == [message]


def test_given_an_unknown_column_then_it_is_reported():
    data = _csv(
        "A1,a.dcm,Cough.,pneumonia,Consolidation.,pneumonia,Clear.,normal,x",
        header=HEADER + ",patient_name",
    )
    assert _problems(data) == ["column 'patient_name': unknown column"]


# --- advice variants that differ (issue 10) ------------------------------------------------

VARIANT_HEADER = (
    HEADER + ",training,feedback,accurate_annotation,inaccurate_annotation,"
    "accurate_confidence,inaccurate_confidence"
)
BOX = '"{""type"": ""box"", ""x"": 1, ""y"": 2, ""width"": 30, ""height"": 40}"'
ARROW = '"{""type"": ""arrow"", ""x1"": 5, ""y1"": 6, ""x2"": 70, ""y2"": 80}"'
ROW = "A1,a.dcm,Cough.,pneumonia,Consolidation.,pneumonia,Clear.,normal"


def test_given_per_variant_columns_then_each_advice_gets_its_own():
    (row,) = manifest_parse(
        name="manifest.csv",
        data=_csv(
            f"{ROW},yes,Note the air bronchogram.,{BOX},{ARROW},91,64%", header=VARIANT_HEADER
        ),
        diagnoses=DIAGNOSES,
        images={"a.dcm"},
    )
    assert row.accurate_annotation == {"type": "box", "x": 1, "y": 2, "width": 30, "height": 40}
    assert row.inaccurate_annotation == {"type": "arrow", "x1": 5, "y1": 6, "x2": 70, "y2": 80}
    assert (row.accurate_confidence, row.inaccurate_confidence) == (91.0, 64.0)
    assert (row.training, row.feedback) == (True, "Note the air bronchogram.")


def test_given_only_one_variant_s_columns_then_the_other_has_none():
    (row,) = manifest_parse(
        name="manifest.csv",
        data=_csv(f"{ROW},,,,{ARROW},,55", header=VARIANT_HEADER),
        diagnoses=DIAGNOSES,
        images={"a.dcm"},
    )
    assert (row.accurate_annotation, row.accurate_confidence) == (None, None)
    assert row.inaccurate_annotation["type"] == "arrow"
    assert row.inaccurate_confidence == 55.0


def test_given_an_old_and_a_new_column_for_one_variant_then_the_row_names_both():
    header = HEADER + ",annotation,inaccurate_annotation,displayed_confidence,accurate_confidence"
    assert _problems(_csv(f"{ROW},{BOX},{ARROW},80,90", header=header), images={"a.dcm"}) == [
        "row 1, column 'inaccurate_annotation': both 'annotation' and 'inaccurate_annotation' "
        "are given for the inaccurate advice; give one ('annotation' fills both variants)",
        "row 1, column 'accurate_confidence': both 'displayed_confidence' and "
        "'accurate_confidence' are given for the accurate advice; give one "
        "('displayed_confidence' fills both variants)",
    ]


@pytest.mark.parametrize(
    ("header", "cells", "problem"),
    [
        (
            ",inaccurate_annotation",
            ',"{""type"": ""circle""}"',
            "row 1, column 'inaccurate_annotation': type must be 'box' or 'arrow'",
        ),
        (
            ",accurate_confidence",
            ",120",
            "row 1, column 'accurate_confidence': 120 is not a percentage between 0 and 100",
        ),
        (
            ",annotation",
            ",[1]",
            "row 1, column 'annotation': must be a JSON object",
        ),
    ],
)
def test_given_a_bad_variant_cell_then_its_own_column_is_named_once(header, cells, problem):
    assert _problems(_csv(ROW + cells, header=HEADER + header), images={"a.dcm"}) == [problem]

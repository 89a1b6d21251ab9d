"""DATA.md's codebook with a study's own codes filled in."""

from typing import Any

from analysis.data import codebook_frame
from study.core import vocabulary
from study.models import Study


def study_codebook(*, study: Study) -> list[dict[str, Any]]:
    """DATA.md's codebook with this study's own codes filled in."""
    frame = codebook_frame(
        rating_range=(1, study.rating_scale_max), confidence_range=(1, study.confidence_scale_max)
    )
    diagnoses = ";".join(study.diagnoses.values_list("code", flat=True))
    own = {
        "study": study.slug,
        "stratum": ";".join(vocabulary.strata_of(study.stratum_map)),
        # The screening's specialty codes, whatever the study stratifies by (the stratum map's
        # keys are training levels or experience bands when it stratifies by those).
        "specialty": ";".join(code for code, _label in vocabulary.SPECIALTIES),
        "arm": ";".join(study.arms.values_list("code", flat=True)),
        "case": ";".join(study.cases.values_list("code", flat=True)),
        "advised_diagnosis": diagnoses,
        "reference_diagnosis": diagnoses,
        "unaided_diagnosis": diagnoses,
        "final_diagnosis": diagnoses,
    }
    records = frame.to_dict("records")
    for record in records:
        record["codes"] = own.get(record["column"], record["codes"])
    return records

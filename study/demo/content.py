"""The Gaube 2021 demo study: eight chest X-ray cases and their advice (the chest X-ray demos
of the other designs reuse them, study.demo.designs).

The images are demo material: the real PA chest radiograph shipped with pydicom-data (RG1) and
versions derived from it in code (mirrored, cropped, re-contrasted). The vignettes and advice are
written for the demo; they do not describe what the image actually shows.
"""

from dataclasses import dataclass

from study.core import design_templates

# The Gaube 2021 template's texts, arms and diagnosis list (study.core.design_templates) are
# the demo's: one home for each.
CONSENT_TEXT = design_templates.GAUBE2021.consent_text
DEBRIEF_TEXT = design_templates.GAUBE2021.debrief_text
DIAGNOSES = list(design_templates.CHEST_XRAY_DIAGNOSES)
# The arms as the builder's arm form and the tests' factories take them (source, label, persona).
ARMS = [
    {
        "code": arm.code,
        "advice_source": arm.advice_source,
        "label": arm.label,
        "persona": arm.persona,
    }
    for arm in design_templates.GAUBE2021.arms
]


@dataclass(frozen=True)
class DemoCase:
    code: str
    vignette: str
    reference_diagnosis: str
    accurate_findings: str
    inaccurate_findings: str
    inaccurate_diagnosis: str
    image_variant: str


CASES = [
    DemoCase(
        "C01",
        "A 67-year-old man presents with fever of 39.1 °C, productive cough and right-sided "
        "pleuritic chest pain for three days. SpO2 91 % on room air.",
        "pneumonia",
        "Patchy consolidation in the right lower zone with air bronchograms. No effusion. "
        "Heart size normal. Primary diagnosis: pneumonia.",
        "Lungs clear. No consolidation, effusion or pneumothorax. Heart size normal. "
        "Primary diagnosis: no acute abnormality.",
        "normal",
        "original",
    ),
    DemoCase(
        "C02",
        "A 24-year-old tall, thin man has sudden left-sided chest pain and breathlessness that "
        "started at rest an hour ago. Heart rate 104/min.",
        "pneumothorax",
        "Visible visceral pleural line in the left upper zone with absent lung markings "
        "peripherally. No mediastinal shift. Primary diagnosis: pneumothorax.",
        "Lung markings extend to the periphery bilaterally. Mild hyperinflation. "
        "Primary diagnosis: COPD / emphysema.",
        "emphysema",
        "mirrored",
    ),
    DemoCase(
        "C03",
        "A 78-year-old woman with known heart failure reports increasing breathlessness over a "
        "week and orthopnoea. Bilateral ankle oedema.",
        "heart_failure",
        "Cardiomegaly, upper lobe venous diversion, bilateral perihilar haze and small bilateral "
        "effusions. Primary diagnosis: congestive heart failure.",
        "Bilateral perihilar consolidation in keeping with infection. "
        "Primary diagnosis: pneumonia.",
        "pneumonia",
        "contrast_low",
    ),
    DemoCase(
        "C04",
        "A 59-year-old smoker (40 pack-years) has had a dry cough for two months and lost 6 kg "
        "without trying.",
        "lung_mass",
        "A 3 cm rounded opacity in the right mid zone with spiculated margins. "
        "Primary diagnosis: lung mass.",
        "No focal lung lesion. Lungs clear. Primary diagnosis: no acute abnormality.",
        "normal",
        "cropped",
    ),
    DemoCase(
        "C05",
        "A 71-year-old woman with breast cancer treated two years ago is short of breath on "
        "exertion. Dull percussion note at the right base.",
        "pleural_effusion",
        "Blunting of the right costophrenic angle with a meniscus; moderate right pleural "
        "effusion. Primary diagnosis: pleural effusion.",
        "Right basal opacity with volume loss, elevated right hemidiaphragm. "
        "Primary diagnosis: atelectasis.",
        "atelectasis",
        "mirrored_cropped",
    ),
    DemoCase(
        "C06",
        "A 45-year-old cyclist fell onto his left side. Pain on breathing, tenderness over the "
        "left lateral chest wall. Observations stable.",
        "rib_fracture",
        "Cortical break of the left 7th rib laterally. No pneumothorax. No effusion. "
        "Primary diagnosis: rib fracture.",
        "Ribs intact. No pneumothorax or effusion. Primary diagnosis: no acute abnormality.",
        "normal",
        "contrast_high",
    ),
    DemoCase(
        "C07",
        "A 66-year-old man with long-standing COPD attends for review; breathlessness is "
        "unchanged. No fever.",
        "emphysema",
        "Hyperinflated lungs with flattened hemidiaphragms and increased retrosternal air "
        "space. No consolidation. Primary diagnosis: COPD / emphysema.",
        "Increased interstitial markings at both bases, heart size upper normal. "
        "Primary diagnosis: congestive heart failure.",
        "heart_failure",
        "shifted",
    ),
    DemoCase(
        "C08",
        "A 52-year-old woman is reviewed before elective knee surgery. No respiratory symptoms; "
        "examination normal.",
        "normal",
        "Lungs clear, heart size normal, no pleural abnormality. "
        "Primary diagnosis: no acute abnormality.",
        "Small rounded opacity projected over the left lower zone, possibly a nodule. "
        "Primary diagnosis: lung mass.",
        "lung_mass",
        "gamma",
    ),
]

"""Studies of every reference design for the participant-surface tests: a response mode, a
no-advice control arm, a global-explanation arm with an example library, training feedback."""

import hashlib
import io
import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image

from study import services
from study.models import Arm, Case, ExampleImage, Participant, Study
from tests.factories import RADIOLOGIST, gaube_study

CONTROL_LABEL = "NO-ADVICE-ARM"  # a control arm's label: it must never reach a page
ARM_LABELS = ("CHEST-AI", "Dr. S. Johnson", CONTROL_LABEL)


def mode_study(*, arms: dict[str, dict] | None = None, examples: bool = False, **overrides):
    """gaube_study with Study fields ``overrides`` and arm changes ``arms`` ({code: fields}),
    opened after them. ``examples``: an example library covering every advised diagnosis."""
    study = gaube_study(open_study=False, **overrides)
    for code, fields in (arms or {}).items():
        Arm.objects.filter(study=study, code=code).update(**fields)
    if examples:
        library_fill(study)
    return services.study_open(study=study)


def control(code: str = "human") -> dict[str, dict]:
    """The arm ``code`` as a no-advice control."""
    return {code: {"advice_source": "none", "explanation": "none", "label": CONTROL_LABEL}}


def png(seed: int) -> bytes:
    image = Image.new("L", (8, 6), color=seed % 256)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def example_add(study: Study, diagnosis: str, seed: int) -> ExampleImage:
    """One example image stored under its content-hash name, as the example library names them."""
    content = png(seed)
    name = hashlib.sha256(content).hexdigest()[:32] + ".png"
    path = default_storage.save(f"examples/display/{name}", ContentFile(content))
    return ExampleImage.objects.create(
        study=study,
        code=f"ex-{seed}",
        diagnosis=diagnosis,
        position=seed,
        display_image=path,
        image_width=8,
        image_height=6,
    )


def library_fill(study: Study, per_diagnosis: int = 2) -> None:
    """``per_diagnosis`` examples of every diagnosis of the study."""
    seed = 1
    for option in study.diagnoses.order_by("position"):
        for _ in range(per_diagnosis):
            example_add(study, option.code, seed)
            seed += 1


def participant_in(study: Study, arm: str, screening=RADIOLOGIST) -> Participant:
    """A newly enrolled participant allocated to ``arm``."""
    for _ in range(12):
        (participant,) = services.invitations_create(study=study, count=1)
        services.participant_consent(participant=participant, agreed=True)
        participant = services.participant_enrol(participant=participant, screening=screening)
        if participant.arm.code == arm:
            return participant
    raise AssertionError(f"no participant was allocated to arm {arm!r}")


def training_cases(study: Study, codes=("C07", "C08"), feedback="Look at the costophrenic angle."):
    Case.objects.filter(study=study, code__in=codes).update(is_training=True, feedback=feedback)


def field_names(html: str) -> set[str]:
    """The answer fields a page's form posts (not the hidden client measurements or CSRF)."""
    html = html.split('<form method="post"', 1)[1].split("</form>", 1)[0]
    names = set(re.findall(r'name="([a-z_]+)"', html))
    hidden = set(re.findall(r'type="hidden" name="([a-z_]+)"', html))
    return names - hidden

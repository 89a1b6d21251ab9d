"""Steps of building a study in the console, shared by the builder tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from study import demo, services
from study.console.forms import study_settings_initial
from study.models import Study


def settings_post(study: Study, **changes) -> dict:
    """The settings form as the browser posts it: every field, an unchecked box left out."""
    data = {**study_settings_initial(study), **changes}
    return {
        name: "" if value is None else str(value)
        for name, value in data.items()
        if value is not False
    }


def page(response) -> str:
    return response.content.decode()


def add_demo_cases(study: Study) -> None:
    for position, item in enumerate(demo.CASES, start=1):
        services.case_create(
            study=study,
            case_input=services.CaseInput(
                code=item.code,
                vignette=item.vignette,
                reference_diagnosis=item.reference_diagnosis,
                accurate=services.AdviceInput(item.accurate_findings, item.reference_diagnosis),
                inaccurate=services.AdviceInput(
                    item.inaccurate_findings, item.inaccurate_diagnosis
                ),
                position=position,
            ),
        )


def png_bytes(size: tuple[int, int] = (64, 48), colour=(90, 90, 90)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def png_upload(name: str = "example.png", **kwargs) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(**kwargs), content_type="image/png")

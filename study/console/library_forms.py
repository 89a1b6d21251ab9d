"""Forms of the case library (training or test, feedback) and of the example-image library."""

from django import forms

from study.services.cases import FEEDBACK_MAX


class CaseTrainingForm(forms.Form):
    is_training = forms.BooleanField(
        label="Training case (comes first, not analysed; feedback after it if the study gives it)",
        required=False,
    )
    feedback = forms.CharField(
        label="Feedback shown after this training case",
        required=False,
        max_length=FEEDBACK_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Shown with the reference answer when the study gives training feedback.",
    )


class ExampleUploadForm(forms.Form):
    """One example image: which diagnosis it shows, and the file (DICOM, PNG or JPEG)."""

    diagnosis = forms.ChoiceField(label="Diagnosis the image shows")
    image = forms.FileField(
        label="Image file (DICOM, PNG or JPEG)",
        error_messages={"required": "Choose an image file to upload."},
        help_text="Re-encoded on upload: no metadata of the file is kept (DICOM is "
        "de-identified like a case image; PNG and JPEG keep only their pixels).",
    )

    def __init__(self, *args, diagnoses: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["diagnosis"].choices = diagnoses

"""Field makers and the service-refusal helper shared by the console's forms."""

from django import forms

from study.core import slugs

SLUG_INVALID = "Use only lower-case letters, digits, hyphens and underscores."


def slug_field(label: str, *, max_length: int, help_text: str) -> forms.SlugField:
    return forms.SlugField(
        label=label,
        max_length=max_length,
        help_text=help_text,
        error_messages={"invalid": SLUG_INVALID},
    )


def study_slug_field(help_text: str) -> forms.CharField:
    # The shape is study.core.slugs' rule (checked in clean_slug), not a second regex here.
    return forms.CharField(
        label="Short name for links (slug)", max_length=slugs.MAX_LENGTH, help_text=help_text
    )


def add_service_error(
    form: forms.Form, error: Exception, *, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the form: at the field its message starts with, if any.

    The design rules (quotas within cases, pool size, ...) live in design.design_validate and
    the services, not here, so the page shows their exact message. ``aliases`` maps a setting
    a message may start with to the form field that edits it (e.g. stratum_map to the list
    of options the strata are mapped from)."""
    message = str(error)
    field = getattr(error, "field", None)  # e.g. slugs.SlugError names its field
    field = (aliases or {}).get(field, field)
    if field in form.fields and not form.fields[field].disabled:
        form.add_error(field, message)
        return
    names = [*(aliases or {}).items(), *((name, name) for name in form.fields)]
    for prefix, name in names:
        if (
            message.startswith((f"{prefix} ", f"{prefix}:"))
            and name in form.fields
            and not form.fields[name].disabled
        ):
            form.add_error(name, message)
            return
    form.add_error(None, message)

"""The recruitment panel form of the study page: a preset (none, Prolific, another panel) and
the panel's link parameters and return URLs. The rules are study.core.panels'; this form only
turns what was typed into a PanelConfig and shows a refusal at its field."""

import re

from django import forms
from django.conf import settings

from study.core import panels
from study.models import Study

NONE, PROLIFIC, OTHER = "none", "prolific", "other"


def panel_preset(study: Study) -> str:
    if not study.panel_id_param:
        return NONE
    is_prolific = (
        study.panel_id_param == panels.PROLIFIC.id_param
        and tuple(study.panel_session_params) == panels.PROLIFIC.session_params
    )
    return PROLIFIC if is_prolific else OTHER


class PanelSettingsForm(forms.Form):
    preset = forms.ChoiceField(
        label="Recruitment panel",
        choices=[(NONE, "None"), (PROLIFIC, "Prolific"), (OTHER, "Another panel")],
        widget=forms.RadioSelect,
        help_text="None: nothing below is used (and saving clears it). Prolific: its parameter "
        "names are used (PROLIFIC_PID, STUDY_ID, SESSION_ID), whatever the two fields below "
        "say.",
    )
    id_param = forms.CharField(
        label="Link parameter with the panel's participant id",
        required=False,
        max_length=40,
        help_text="Another panel only, e.g. “workerId”. Stored as the participant's "
        "external_id (exported, never shown on a participant page).",
    )
    session_params = forms.CharField(
        label="Further link parameters to keep with the participant",
        required=False,
        max_length=300,
        help_text="Another panel only: names separated by spaces or commas (at most "
        f"{panels.MAX_SESSION_PARAMS}); exported in the participants table's panel_params.",
    )
    completion_url = forms.CharField(
        label="Completion URL",
        required=False,
        max_length=panels.URL_MAX,
        help_text="Where a participant who finished goes back to. {code} is replaced by their "
        "completion code; or paste the URL the panel gives you with its own code in it. "
        "Prolific with this field empty: "
        f"{panels.PROLIFIC.completion_url}. Only https:// addresses (http:// only on a "
        "server running with DEBUG on, for a local stand-in of a panel).",
    )
    screenout_url = forms.CharField(
        label="Screen-out URL",
        required=False,
        max_length=panels.URL_MAX,
        help_text="Where a participant who is screened out, declines, finds the stratum full or "
        "withdraws before the end goes back to (empty: no link).",
    )

    def __init__(self, *args, study: Study, **kwargs):
        preset = panel_preset(study)
        kwargs.setdefault(
            "initial",
            {
                "preset": preset,
                "id_param": study.panel_id_param if preset == OTHER else "",
                "session_params": " ".join(study.panel_session_params) if preset == OTHER else "",
                "completion_url": study.completion_url,
                "screenout_url": study.screenout_url,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        preset = cleaned["preset"]
        completion_url = cleaned["completion_url"].strip()
        screenout_url = cleaned["screenout_url"].strip()
        if preset == NONE:
            config = panels.PanelConfig()
        elif preset == PROLIFIC:
            config = panels.PanelConfig(
                id_param=panels.PROLIFIC.id_param,
                session_params=panels.PROLIFIC.session_params,
                completion_url=completion_url or panels.PROLIFIC.completion_url,
                screenout_url=screenout_url,
            )
        else:
            id_param = cleaned["id_param"].strip()
            if not id_param:
                self.add_error("id_param", "Another panel needs the name of its id parameter.")
                return cleaned
            config = panels.PanelConfig(
                id_param=id_param,
                session_params=tuple(
                    name for name in re.split(r"[\s,]+", cleaned["session_params"]) if name
                ),
                completion_url=completion_url,
                screenout_url=screenout_url,
            )
        try:
            cleaned["config"] = panels.config_validate(config, allow_http=settings.DEBUG)
        except panels.PanelConfigError as refusal:
            self.add_error(refusal.field, refusal.message)
        return cleaned

    def config(self) -> panels.PanelConfig:
        return self.cleaned_data["config"]

"""Recruitment panel settings (Prolific and others): stored and audited here, outside the design
hash like the other recruitment settings; the rules are study.core.panels'."""

from django.conf import settings
from django.db import transaction

from study.core.panels import (
    PROLIFIC,
    PanelConfig,
    PanelConfigError,
    PanelLinkInvalid,
    PanelReturn,
    PanelValues,
    Query,
    config_validate,
    return_link,
    values_read,
)
from study.models import Participant, Study

from .audit import Actor, audit_record

__all__ = [
    "PROLIFIC",
    "PanelConfig",
    "PanelConfigError",
    "PanelLinkInvalid",
    "PanelReturn",
    "PanelValues",
    "panel_config",
    "panel_return",
    "panel_settings_set",
    "panel_values_read",
]

_FIELDS = {
    "id_param": "panel_id_param",
    "session_params": "panel_session_params",
    "completion_url": "completion_url",
    "screenout_url": "screenout_url",
}


def panel_config(*, study: Study) -> PanelConfig:
    return PanelConfig(
        id_param=study.panel_id_param,
        session_params=tuple(study.panel_session_params or ()),
        completion_url=study.completion_url,
        screenout_url=study.screenout_url,
    )


def _stored(config: PanelConfig) -> dict:
    return {
        "id_param": config.id_param,
        "session_params": list(config.session_params),
        "completion_url": config.completion_url,
        "screenout_url": config.screenout_url,
    }


@transaction.atomic
def panel_settings_set(*, study: Study, config: PanelConfig, actor: Actor = None) -> Study:
    """Store the panel settings (PanelConfigError, nothing stored, if one is refused). A
    recruitment setting: it may change while the study recruits, and each change is audited.
    http:// return URLs are accepted only with DEBUG on (a local stand-in for a panel)."""
    config_validate(config, allow_http=settings.DEBUG)
    study = Study.objects.select_for_update().get(pk=study.pk)
    before, after = _stored(panel_config(study=study)), _stored(config)
    if before != after:
        for name, column in _FIELDS.items():
            setattr(study, column, after[name])
        study.save(update_fields=list(_FIELDS.values()))
        audit_record(
            action="panel.set", study=study, actor=actor, detail={"before": before, "after": after}
        )
    return study


def panel_values_read(*, study: Study, query: Query) -> PanelValues | None:
    """The panel's values on a link to this study (query: request.GET); see core.values_read."""
    return values_read(panel_config(study=study), query)


def panel_return(*, participant: Participant) -> PanelReturn | None:
    """Where a participant who came from a panel goes back to, or None. Completed (or
    withdrawn after finishing, which earns the code too): the completion URL with their code.
    Screened out, declined, stratum full, slot reissued or withdrawn before the end: the
    screen-out URL (the panel's way to record a return). Nobody else leaves for the panel."""
    study = participant.study
    if not (participant.external_id and study.panel_id_param):
        return None
    status = Participant.Status
    if participant.completion_code and participant.status in (status.COMPLETED, status.WITHDRAWN):
        return return_link(study.completion_url, code=participant.completion_code, completed=True)
    if participant.status in (
        status.DECLINED,
        status.INELIGIBLE,
        status.STRATUM_FULL,
        status.REISSUED,
        status.WITHDRAWN,
    ):
        return return_link(study.screenout_url, completed=False)
    return None

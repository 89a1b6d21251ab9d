"""Invitation e-mail addresses are personal data kept only to send: no export (any table, the
bundle) and no audit event carries one, whatever the participants did."""

import io
import zipfile

import pytest

from study import services
from study.models import AuditEvent
from tests.factories import answer_all, gaube_study

pytestmark = pytest.mark.django_db

ADDRESSES = ("first.person@hospital.example", "second.person@clinic.example")


def test_no_export_and_no_audit_event_carries_an_address():
    study = gaube_study()
    rows = services.invitations_email(study=study, text="\n".join(ADDRESSES))
    participant = services.participant_consent(participant=rows[0].participant, agreed=True)
    participant = services.participant_enrol(
        participant=participant,
        screening=services.Screening(
            specialty="radiology",
            training_level="attending",
            years_experience=5,
            prior_ai_use="never",
        ),
    )
    answer_all(participant)
    services.email_unsubscribe(row=rows[1])
    written = []
    for table in services.EXPORT_TABLES:
        handle = io.BytesIO()
        services.study_export(study=study, table=table, handle=handle)
        data = handle.getvalue()
        if data[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(data)) as bundle:
                data = b"".join(bundle.read(name) for name in bundle.namelist())
        written.append(data)
    exported = b"".join(written)
    assert participant.public_id.encode() in exported  # the participant is in the exports
    audit = str(list(AuditEvent.objects.values_list("detail", flat=True)))
    for address in ADDRESSES:
        assert address.encode() not in exported
        assert address.split("@")[0] not in audit

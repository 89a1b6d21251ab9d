"""python manage.py invitations: one full link per line, --csv with public_id,label,link,
--label-prefix numbering, and every refusal a CommandError with the reason."""

import csv

import pytest
from django.core.management import CommandError, call_command

from study import services
from study.models import AuditEvent, Participant
from tests.factories import gaube_study

pytestmark = pytest.mark.django_db


def _run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("invitations", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_one_full_link_per_line(settings):
    settings.SITE_URL = "https://trials.example.org/"
    study = gaube_study(slug="chest")
    out, _err = _run("--study", "chest", "--count", "3")
    tokens = list(
        Participant.objects.filter(study=study).order_by("id").values_list("token", flat=True)
    )
    assert out.splitlines() == [f"https://trials.example.org/p/{t}/" for t in tokens]
    assert AuditEvent.objects.get(action="invitations.create").detail == {"count": 3}


def test_csv_and_label_prefix(tmp_path):
    study = gaube_study(slug="chest")
    services.links_create(study=study, count=1, label_prefix="Site A")
    path = tmp_path / "links.csv"
    out, err = _run(
        "--study",
        "chest",
        "--count",
        "2",
        "--csv",
        str(path),
        "--label-prefix",
        "Site A",
        "--base-url",
        "http://127.0.0.1:8000",
    )
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    made = Participant.objects.filter(study=study, label__in=["Site A-002", "Site A-003"])
    expected = [
        {"public_id": p.public_id, "label": p.label, "link": f"http://127.0.0.1:8000/p/{p.token}/"}
        for p in made.order_by("label")
    ]
    assert rows == expected
    assert out.splitlines() == [row["link"] for row in expected]
    assert err.strip() == f"Wrote 2 links to {path}."
    assert not path.with_name("links.csv.partial").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--study", "nope", "--count", "1"], "No study with slug 'nope'."),
        (["--study", "chest", "--count", "0"], "between 1 and 10000, got 0"),
        (["--study", "chest", "--count", "1", "--label-prefix", "a;b"], "letters, digits"),
        (["--study", "chest", "--count", "1", "--csv", "/no/such/dir/x.csv"], "does not exist"),
        (["--study", "chest", "--count", "1", "--base-url", "ftp://x"], "must start with http"),
    ],
)
def test_refusals_are_command_errors_with_the_reason(args, message):
    gaube_study(slug="chest")
    with pytest.raises(CommandError, match=message):
        _run(*args)
    assert not Participant.objects.exists()


def test_a_closed_study_is_refused():
    services.study_close(study=gaube_study(slug="chest"))
    with pytest.raises(CommandError, match="'chest' is closed"):
        _run("--study", "chest", "--count", "1")


def test_the_exit_status_is_non_zero(capsys):
    from django.core.management import ManagementUtility

    gaube_study(slug="chest")
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(
            ["manage.py", "invitations", "--study", "chest", "--count", "0"]
        ).execute()
    assert exited.value.code == 1
    assert "between 1 and 10000, got 0" in capsys.readouterr().err

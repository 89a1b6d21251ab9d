"""demo_seed --design NAME: each design template seeded as a runnable demo whose invitation
links serve the consent page."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from study.core.design_templates import TEMPLATES
from study.models import Advice, Study

pytestmark = pytest.mark.django_db

SLUGS = {
    "gaube2021": "gaube-2021",
    "gaube2023": "gaube-2023",
    "prinster2024": "prinster-2024",
    "dratsch2023": "dratsch-2023",
    "reveal": "reveal-demo",
}
LINK = re.compile(r"^  http://testserver(/p/[A-Za-z0-9_-]+/)$")


def _seed(*args):
    out = io.StringIO()
    call_command("demo_seed", "--base-url", "http://testserver", *args, stdout=out)
    return out.getvalue()


HEADING = re.compile(r"^Participant invitation links for '([^']+)'")


def _links(output):
    return [match.group(1) for line in output.splitlines() if (match := LINK.match(line))]


def test_without_a_design_it_seeds_gaube_2021_and_prints_as_before():
    output = _seed("--invitations", "2")
    lines = output.splitlines()
    assert lines[0] == "Created the demo study 'gaube-2021'."
    assert lines[1:3] == ["", "Participant invitation links:"]
    assert len(_links(output)) == 2
    assert lines[-2:] == [
        "Researcher console: http://testserver/console/",
        "  user: researcher   password: trustlab-demo (demo only)",
    ]
    study = Study.objects.get()
    assert (study.slug, study.status, study.is_demo) == ("gaube-2021", "recruiting", True)
    assert study.cases.count() == 8


def test_a_second_run_creates_no_second_study_but_new_links():
    _seed("--invitations", "1")
    output = _seed("--invitations", "1")
    assert "Created" not in output
    assert Study.objects.count() == 1
    assert Study.objects.get().participants.count() == 2


def test_dratsch_demo_is_scaled_down_with_training_feedback():
    _seed("--design", "dratsch2023", "--invitations", "1")
    study = Study.objects.get(slug="dratsch-2023")
    assert (study.cases_per_participant, study.inaccurate_per_participant) == (10, 3)
    assert study.training_feedback is True
    training = study.cases.filter(is_training=True)
    assert training.count() == 2
    assert all(case.feedback for case in training)
    assert study.cases.filter(is_training=False).count() == 10
    assert "2 training cases" in study.consent_text
    assert "scaled down" in study.description
    codes = set(study.diagnoses.values_list("code", flat=True))
    assert codes == {f"birads{n}" for n in range(1, 6)}


def test_gaube2023_advice_variants_differ_in_annotation_and_confidence():
    _seed("--design", "gaube2023", "--invitations", "1")
    for case in Study.objects.get(slug="gaube-2023").cases.all():
        accurate, inaccurate = case.advice.order_by("variant")
        assert accurate.annotation != inaccurate.annotation
        assert accurate.displayed_confidence != inaccurate.displayed_confidence
        for advice in (accurate, inaccurate):
            assert 65 <= advice.displayed_confidence <= 94
            right = advice.annotation.get("x", 0) + advice.annotation.get("width", 0)
            assert max(right, advice.annotation.get("x1", 0)) <= case.image_width


def test_prinster_demo_global_arm_has_examples_and_local_arm_advice_has_boxes():
    _seed("--design", "prinster2024", "--invitations", "1")
    study = Study.objects.get(slug="prinster-2024")
    explanations = dict(study.arms.values_list("code", "explanation"))
    assert explanations == {"global": "global", "local": "local"}
    advised = set(Advice.objects.filter(case__study=study).values_list("diagnosis", flat=True))
    covered = set(study.examples.values_list("diagnosis", flat=True))
    assert advised == covered
    assert len(advised) == 9
    for example in study.examples.all():
        assert example.diagnosis not in example.display_image.name
    names = list(study.examples.values_list("display_image", flat=True))
    assert len(set(names)) == len(names)  # each example its own image
    annotations = list(
        Advice.objects.filter(case__study=study).values_list("annotation", flat=True)
    )
    assert len(annotations) == 16
    assert all(annotation is not None for annotation in annotations)
    assert {annotation["type"] for annotation in annotations} == {"box", "arrow"}
    assert study.response_mode == "agree_disagree"


def _links_by_study(output):
    links, slug = {}, None
    for line in output.splitlines():
        if match := HEADING.match(line):
            slug = match.group(1)
        elif match := LINK.match(line):
            links[slug] = match.group(1)
    return links


def test_all_seeds_the_five_demos_each_open_with_a_link_to_its_consent_page(client):
    # One seeding of every design (each costs seconds of image rendering), then each checked.
    output = _seed("--design", "all", "--invitations", "1")
    assert sorted(Study.objects.values_list("slug", flat=True)) == sorted(SLUGS.values())
    assert len(_links(output)) == 5
    assert "Participant invitation links for 'prinster-2024' (prinster2024):" in output
    links = _links_by_study(output)
    for design, slug in SLUGS.items():
        study = Study.objects.get(slug=slug)
        assert study.status == "recruiting"
        template = TEMPLATES[design]
        for name in ("response_mode", "read_then_reveal", "annotated_per_participant"):
            assert getattr(study, name) == template.settings[name], (design, name)
        assert sorted(study.arms.values_list("code", flat=True)) == sorted(
            arm.code for arm in template.arms
        )
        page = client.get(links[slug], follow=True)
        assert page.status_code == 200
        assert page.redirect_chain[-1][0].endswith("/consent/")
        first_sentence = study.consent_text.split(". ")[0]
        assert first_sentence in page.content.decode()


def test_an_unknown_design_is_an_error_listing_the_known_names():
    with pytest.raises(CommandError) as error:
        _seed("--design", "gaube2022")
    assert str(error.value) == (
        "unknown design 'gaube2022': the designs are gaube2021, gaube2023, prinster2024, "
        "dratsch2023, reveal, or all"
    )
    assert not Study.objects.exists()

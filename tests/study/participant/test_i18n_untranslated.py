"""No English on a German participant page: every participant page, at every step and in its
error states, is rendered with German active through a catalogue that marks each translated
string (⟦…⟧), for a study whose German texts are marked too (§…§). Whatever text is left on
the page once both are removed was written in English and not put through i18n, or put
through it and not translated: either way a German participant would read English.

(The .po's completeness against the sources is test_catalogue's.)"""

import re
from html.parser import HTMLParser

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from study import services
from study.models import Participant
from study.ratelimit import too_many_requests
from study.services.translations import participant_language_set
from tests.factories import RADIOLOGIST, UserFactory, answer_all
from tests.study.translated_studies import translated_study

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_no_rate_limit", "_marked")]

ATTRIBUTES = ("alt", "title", "aria-label", "aria-roledescription", "aria-valuetext", "placeholder")


class MarkedGerman(trans_real.DjangoTranslation):
    """German with every translated string marked ⟦…⟧; an untranslated one stays unmarked."""

    def gettext(self, message):
        translated = self._catalog.get(message)
        return f"⟦{translated}⟧" if translated else message

    def ngettext(self, msgid1, msgid2, n):
        try:
            return f"⟦{self._catalog.plural(msgid1, n)}⟧"
        except KeyError:
            return msgid1 if n == 1 else msgid2


@pytest.fixture
def _marked(monkeypatch):
    monkeypatch.setitem(trans_real._translations, "de", MarkedGerman("de"))


def german(text: str) -> str:
    # Each line marked: the pages break texts into paragraphs and lines.
    return "\n".join(f"§{line}§" if line.strip() else line for line in text.split("\n"))


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [value for name, value in attrs if name in ATTRIBUTES and value]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(data)


def _unmarked(html: str) -> str:
    """The page without its marked translations (a translation may hold markup, e.g. a
    <strong> code, so they go before the page is parsed) and its marked study texts."""
    previous = None
    while previous != html:
        previous, html = html, re.sub(r"⟦[^⟦⟧]*⟧", " ", html)
    return re.sub(r"§[^§<>]*§", " ", html)


def english_on(html: str, *, allowed: tuple[str, ...] = ()) -> set[str]:
    """The texts of a page that hold a letter outside every marked string and ``allowed``
    (the product's name, the participant's own completion code), whitespace folded."""
    parser = _Text()
    parser.feed(_unmarked(html))
    found = set()
    for text in parser.texts:
        for value in ("TrustLab", *allowed):
            text = text.replace(value, " ")
        if re.search(r"[^\W\d_]", text):
            found.add(" ".join(text.split()))
    return found


@pytest.fixture
def study():
    study = translated_study(
        german,
        open_study=False,
        training_feedback=True,
        cases_per_participant=7,
        inaccurate_per_participant=1,
    )
    first = study.cases.order_by("position").first()
    services.case_training_set(case=first, is_training=True, feedback="Look at the left base.")
    first.refresh_from_db()
    texts_case = {"vignette": german(first.vignette), "feedback": german(first.feedback)}
    first.translations = {"de": texts_case}
    first.save(update_fields=["translations"])
    return services.study_open(study=study)


def _german_participant(study) -> Participant:
    (participant,) = services.invitations_create(study=study, count=1)
    return participant_language_set(participant=participant, language="de")


def _pages(client, study):
    """(name, status, html) of every participant page, in German, walking one participant
    through the study and others to the ends it cannot reach."""
    participant = _german_participant(study)
    token = participant.token
    url = lambda name, *args: reverse(f"participant:{name}", args=[token, *args])  # noqa: E731

    yield "consent", client.get(url("consent"))
    yield "consent refused", client.post(url("consent"), {})
    yield "withdraw", client.get(url("withdraw"))
    yield "withdraw unconfirmed", client.post(url("withdraw"), {})
    client.post(url("consent"), {"agree": "yes"})
    yield "screening", client.get(url("screening"))
    yield "screening refused", client.post(url("screening"), {"years_experience": "999"})
    client.post(
        url("screening"),
        {
            "specialty": "radiology",
            "training_level": "attending",
            "years_experience": "12",
            "prior_ai_use": "never",
        },
    )
    yield "training trial", client.get(url("trial", 1))
    yield "training trial refused", client.post(url("trial", 1), {})
    trial = participant.trials.get(position=1)
    client.post(
        url("trial", 1),
        {
            "advice_rating": "5",
            "decision": "accept",
            "final_diagnosis": trial.advice.diagnosis,
            "confidence": "6",
        },
    )
    yield "feedback", client.get(url("feedback", 1))
    client.post(url("feedback", 1))
    yield "trial", client.get(url("trial", 2))
    participant.refresh_from_db()
    answer_all(participant)
    yield "questionnaire", client.get(url("questionnaire"))
    yield "questionnaire refused", client.post(url("questionnaire"), {"ai_attitude": "9"})
    client.post(url("questionnaire"), {"ai_attitude": "4", "advice_usefulness": "5"})
    yield "debrief", client.get(url("debrief"))
    client.post(url("debrief"), {"choice": "keep"})
    yield "done", client.get(url("done"))
    yield "withdraw after finishing", client.get(url("withdraw"))
    client.post(url("withdraw"), {"confirm": "yes"})
    yield "withdrawn", client.get(url("withdrawn"))

    declined = _german_participant(study)
    services.participant_consent(participant=declined, agreed=False)
    yield "declined", client.get(reverse("participant:status", args=[declined.token]))
    ineligible = _german_participant(study)
    services.participant_consent(participant=ineligible, agreed=True)
    screening = services.Screening(**{**RADIOLOGIST.__dict__, "specialty": "other"})
    services.participant_enrol(participant=ineligible, screening=screening)
    yield "ineligible", client.get(reverse("participant:status", args=[ineligible.token]))
    services.stratum_quotas_set(study=study, quotas={"radiology": 1})
    full = _german_participant(study)
    services.participant_consent(participant=full, agreed=True)
    services.participant_enrol(participant=full, screening=RADIOLOGIST)
    yield "full", client.get(reverse("participant:status", args=[full.token]))
    Participant.objects.filter(pk=full.pk).update(status=Participant.Status.REISSUED)
    yield "reissued", client.get(reverse("participant:status", args=[full.token]))

    services.self_enrolment_enable(study=study, actor=UserFactory())
    study.refresh_from_db()
    link = reverse("participant:open_link", args=[study.self_enrolment_token])
    yield "open link", client.get(f"{link}?lang=de")
    invited = _german_participant(study)
    services.study_close(study=study)
    yield "closed", client.get(reverse("participant:consent", args=[invited.token]))
    yield "closed open link", client.get(f"{link}?lang=de")
    request = RequestFactory().get("/p/x/", HTTP_ACCEPT_LANGUAGE="de")
    yield "too many requests", too_many_requests(request)


def test_given_a_german_participant_then_no_page_shows_english_beyond_what_the_lead_wraps(
    client, study
):
    leftovers = {}
    seen = []
    for name, response in _pages(client, study):
        html = response.content.decode()
        assert response.status_code in (200, 400, 403, 429), name
        codes = tuple(
            Participant.objects.exclude(completion_code="").values_list(
                "completion_code", flat=True
            )
        )
        english = english_on(html, allowed=codes)
        if english:
            leftovers[name] = sorted(english)
        seen.append(name)
    assert leftovers == {}
    assert len(seen) == 24  # every page above was rendered (a redirect fails the status check)


def test_given_a_german_participant_then_the_pages_say_they_are_german(client, study):
    participant = _german_participant(study)
    response = client.get(reverse("participant:consent", args=[participant.token]))
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert response.headers["Content-Language"] == "de"
    assert "⟦Information und Einwilligung⟧" in html


def test_given_an_english_page_then_the_check_finds_its_english(client, study):
    """The check itself: the same consent page in English is all "English left over"."""
    (participant,) = services.invitations_create(study=study, count=1)
    html = client.get(reverse("participant:consent", args=[participant.token])).content.decode()
    assert {"Information and consent", "Continue", "Skip to content"} <= english_on(html)
    with translation.override("de"):
        assert english_on("<p>⟦Weiter⟧ §Titel§ 3 · 7</p><p>Weiter</p>") == {"Weiter"}

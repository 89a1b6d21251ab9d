"""A bot reads a page as a browser does: the form's fields and what they offer, the buttons,
the images, the heading and the error summary; it can send only what the form offers."""

import pytest

from study.bots.page import FormRefusal, page_read

TRIAL = """
<html><body><h1 class="visually-hidden">Case 2 of 8</h1>
<div class="viewer" data-viewer data-source="/p/t/image/2/source.png"><div>
<img src="/p/t/image/2/preview.webp" alt="x"></div></div>
<div class="error-summary" role="alert"><h2>Please check your answers</h2>
<ul><li><a href="#id_confidence_0">Please rate
   your confidence.</a></li></ul></div>
<form method="get" action="/search"><input name="q"></form>
<form method="post" novalidate>
<input type="hidden" name="csrfmiddlewaretoken" value="TOKEN">
<input type="hidden" name="client_active_ms" id="id_client_active_ms">
<input type="radio" name="advice_rating" value="1">
<input type="radio" name="advice_rating" value="2">
<select name="final_diagnosis"><option value="">Choose</option><option value="pneumonia">P</option>
<option value="normal" selected>N</option></select>
<input type="checkbox" name="tools" value="a" checked><input type="checkbox" name="tools" value="b">
<input type="number" name="years" value="3">
<textarea name="comment">kept text</textarea>
<button type="submit" name="agreed" value="yes">Agree</button>
<button type="submit" name="agreed" value="no">Disagree</button>
</form>
<a href="/p/t/withdraw/">Withdraw from this study</a>
</body></html>
"""


def _form():
    page = page_read(url="http://site/p/t/case/2/", status=200, html=TRIAL)
    return page, page.post_form()


def test_the_page_gives_its_heading_errors_images_and_its_one_post_form():
    page, form = _form()

    assert page.heading == "Case 2 of 8"
    assert page.errors == ["Please rate your confidence."]
    assert page.images == ["/p/t/image/2/source.png", "/p/t/image/2/preview.webp"]
    assert [f.method for f in page.forms] == ["get", "post"]
    assert list(form.fields) == [
        "csrfmiddlewaretoken",
        "client_active_ms",
        "advice_rating",
        "final_diagnosis",
        "tools",
        "years",
        "comment",
    ]
    assert form.fields["final_diagnosis"].options == ["", "pneumonia", "normal"]
    assert form.fields["advice_rating"].options == ["1", "2"]
    assert form.buttons == [("agreed", "yes"), ("agreed", "no")]
    assert form.asks("final_diagnosis")
    assert not form.asks("csrfmiddlewaretoken")


def test_a_filled_form_sends_the_hidden_inputs_the_answers_and_the_clicked_button():
    _page, form = _form()

    pairs = form.filled(
        {"advice_rating": 2, "final_diagnosis": "pneumonia"}, click=("agreed", "no")
    )

    assert pairs == [
        ("csrfmiddlewaretoken", "TOKEN"),
        ("client_active_ms", ""),
        ("advice_rating", "2"),
        ("final_diagnosis", "pneumonia"),
        ("tools", "a"),  # checked as served
        ("years", "3"),
        ("comment", "kept text"),
        ("agreed", "no"),
    ]


def test_unanswered_controls_send_what_a_browser_sends():
    _page, form = _form()

    pairs = form.filled({"tools": ["a", "b"]})

    # no radio chosen: nothing; the select: its selected option
    assert ("advice_rating", "1") not in pairs
    assert ("final_diagnosis", "normal") in pairs
    assert [value for name, value in pairs if name == "tools"] == ["a", "b"]


@pytest.mark.parametrize(
    ("answers", "click", "message"),
    [
        ({"decision": "accept"}, None, "the page does not ask 'decision'"),
        (
            {"final_diagnosis": "fracture"},
            None,
            "the page offers no choice 'fracture' for 'final_diagnosis' "
            "(it offers 'pneumonia', 'normal')",
        ),
        (
            {"advice_rating": 9},
            None,
            "the page offers no choice '9' for 'advice_rating' (it offers '1', '2')",
        ),
        ({}, ("agreed", "maybe"), "the page has no button agreed=maybe"),
    ],
)
def test_what_the_form_does_not_offer_is_refused_before_it_is_sent(answers, click, message):
    _page, form = _form()

    with pytest.raises(FormRefusal) as refused:
        form.filled(answers, click=click)

    assert str(refused.value) == message


def test_a_page_without_a_post_form_has_none():
    page = page_read(url="http://site/p/t/done/", status=200, html="<h1>Thank you</h1><p>Code</p>")

    assert page.post_form() is None
    assert (page.heading, page.errors, page.images) == ("Thank you", [], [])

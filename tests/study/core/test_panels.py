"""study.core.panels: the configuration rules, reading a panel's link values, and return URLs
that never leave the configured host."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import QueryDict

from study.core import panels
from study.core.panels import PanelConfig, PanelConfigError, PanelLinkInvalid, PanelValues

PID = "5f3a9c0e1b2d4e6f7a8b9c0d"


def _prolific(**changes) -> PanelConfig:
    return PanelConfig(**{**panels.PROLIFIC.__dict__, **changes})


def test_given_the_prolific_preset_then_it_is_valid_and_has_prolifics_names():
    assert panels.config_validate(panels.PROLIFIC) == panels.PROLIFIC
    assert panels.PROLIFIC.id_param == "PROLIFIC_PID"
    assert panels.PROLIFIC.session_params == ("STUDY_ID", "SESSION_ID")
    assert (
        panels.PROLIFIC.completion_url == "https://app.prolific.com/submissions/complete?cc={code}"
    )


def test_given_no_panel_then_the_empty_configuration_is_valid():
    assert panels.config_validate(PanelConfig()) == PanelConfig()


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        (
            PanelConfig(completion_url="https://panel.example/?c={code}"),
            "completion_url",
            "set the panel's id parameter first.",
        ),
        (
            _prolific(id_param="PROLIFIC PID"),
            "id_param",
            "'PROLIFIC PID' is not a link parameter name: use a letter, then letters, digits "
            "or underscores (at most 40 characters).",
        ),
        (
            _prolific(id_param="1pid"),
            "id_param",
            "'1pid' is not a link parameter name: use a letter, then letters, digits or "
            "underscores (at most 40 characters).",
        ),
        (_prolific(id_param="lang"), "id_param", "'lang' is used by the study pages themselves."),
        (
            _prolific(session_params=("STUDY_ID", "a&b")),
            "session_params",
            "'a&b' is not a link parameter name: use a letter, then letters, digits or "
            "underscores (at most 40 characters).",
        ),
        (
            _prolific(session_params=("STUDY_ID", "prolific_pid")),
            "session_params",
            "each parameter may be named only once.",
        ),
        (
            _prolific(session_params=tuple(f"P{n}" for n in range(6))),
            "session_params",
            "at most 5 parameters.",
        ),
        (
            _prolific(completion_url="http://app.prolific.com/?cc={code}"),
            "completion_url",
            "must start with https://.",
        ),
        (
            _prolific(completion_url="javascript:alert(1)//{code}"),
            "completion_url",
            "must start with https://.",
        ),
        (
            _prolific(completion_url="https:///submissions?cc={code}"),
            "completion_url",
            "must name the panel's host, e.g. https://panel.example/.",
        ),
        (
            _prolific(completion_url="https://app.prolific.com@evil.example/?cc={code}"),
            "completion_url",
            "must name the panel's host, e.g. https://panel.example/.",
        ),
        (
            _prolific(completion_url="https://{code}.evil.example/"),
            "completion_url",
            "must name the panel's host, e.g. https://panel.example/.",
        ),
        (
            _prolific(completion_url="https://app.prolific.com\\@evil.example/"),
            "completion_url",
            "no spaces, control characters or backslashes.",
        ),
        (
            _prolific(completion_url="https://app.prolific.com:99999/?cc={code}"),
            "completion_url",
            "the port is not a number from 0 to 65535.",
        ),
        (
            _prolific(completion_url="https://app.prolific.com/?cc={code}&again={code}"),
            "completion_url",
            "{code} may appear only once.",
        ),
        (
            _prolific(completion_url="https://app.prolific.com/?cc=" + "x" * 480),
            "completion_url",
            "at most 500 characters, got 509.",
        ),
        (
            _prolific(screenout_url="https://app.prolific.com/?cc={code}"),
            "screenout_url",
            "screened-out participants have no completion code.",
        ),
    ],
)
def test_given_a_bad_configuration_then_it_is_refused_naming_the_field(config, field, message):
    with pytest.raises(PanelConfigError) as refused:
        panels.config_validate(config)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert str(refused.value) == f"{field}: {message}"


def test_given_http_when_allowed_for_development_then_it_is_accepted():
    config = _prolific(completion_url="http://localhost:8001/done?cc={code}")
    assert panels.config_validate(config, allow_http=True) == config


def test_given_a_completion_url_with_the_panels_own_code_then_it_is_accepted():
    # Prolific's redirect carries the study's own completion code, fixed per study.
    config = _prolific(completion_url="https://app.prolific.com/submissions/complete?cc=C1A2B3C4")
    assert panels.config_validate(config) == config


def test_given_a_prolific_link_then_the_id_and_session_values_are_read():
    query = QueryDict(f"PROLIFIC_PID={PID}&STUDY_ID=abc123&SESSION_ID=s-1&other=ignored")
    assert panels.values_read(panels.PROLIFIC, query) == PanelValues(
        external_id=PID, params={"STUDY_ID": "abc123", "SESSION_ID": "s-1"}
    )


def test_given_a_link_without_session_values_then_only_the_id_is_kept():
    assert panels.values_read(panels.PROLIFIC, QueryDict(f"PROLIFIC_PID={PID}")) == PanelValues(
        external_id=PID, params={}
    )


def test_given_a_study_without_a_panel_then_link_parameters_are_ignored():
    assert panels.values_read(PanelConfig(), QueryDict("PROLIFIC_PID=@@@")) is None


def test_given_another_panels_id_then_it_need_not_look_like_prolifics():
    config = PanelConfig(id_param="workerId")
    values = panels.values_read(config, QueryDict("workerId=A1B2C3.x_y~z-0"))
    assert values == PanelValues(external_id="A1B2C3.x_y~z-0")


@pytest.mark.parametrize(
    ("query", "param", "missing"),
    [
        ("", "PROLIFIC_PID", True),
        ("STUDY_ID=abc", "PROLIFIC_PID", True),
        ("PROLIFIC_PID=", "PROLIFIC_PID", False),
        ("PROLIFIC_PID=a%40evil.example%2F", "PROLIFIC_PID", False),
        ("PROLIFIC_PID=%2F%2Fevil", "PROLIFIC_PID", False),
        ("PROLIFIC_PID=%3Cscript%3E", "PROLIFIC_PID", False),
        ("PROLIFIC_PID=a%00b", "PROLIFIC_PID", False),
        ("PROLIFIC_PID=" + "a" * 101, "PROLIFIC_PID", False),
        (f"PROLIFIC_PID={PID}&PROLIFIC_PID=other", "PROLIFIC_PID", False),
        (f"PROLIFIC_PID={PID}&SESSION_ID=a%20b", "SESSION_ID", False),
    ],
)
def test_given_a_bad_link_then_it_is_refused_naming_the_parameter(query, param, missing):
    with pytest.raises(PanelLinkInvalid) as refused:
        panels.values_read(panels.PROLIFIC, QueryDict(query))
    assert (refused.value.param, refused.value.missing) == (param, missing)


def test_given_an_id_of_100_characters_then_it_is_read():
    values = panels.values_read(panels.PROLIFIC, QueryDict("PROLIFIC_PID=" + "a" * 100))
    assert values.external_id == "a" * 100


def test_given_a_completion_code_then_the_return_url_carries_it_encoded_on_the_configured_host():
    link = panels.return_link(panels.PROLIFIC.completion_url, code="TL-AB12-CD34", completed=True)
    assert link == panels.PanelReturn(
        url="https://app.prolific.com/submissions/complete?cc=TL-AB12-CD34",
        host="app.prolific.com",
        completed=True,
    )


@pytest.mark.parametrize(
    "code",
    [
        "@evil.example/",
        "//evil.example",
        "x#@evil.example",
        "x?y=1&cc=forged",
        "/../../@evil.example:443/",
        "x\\@evil.example",
        "x%2F%2Fevil",
    ],
)
def test_given_a_forged_code_then_the_return_url_stays_on_the_configured_host(code):
    for configured in (
        "https://app.prolific.com/submissions/complete?cc={code}",
        "https://panel.example/{code}/done",
        "https://panel.example{code}",
    ):
        link = panels.return_link(configured, code=code, completed=True)
        if link is None:
            continue  # refused rather than sent elsewhere
        parts = urlsplit(link.url)
        assert (parts.scheme, parts.netloc) == ("https", urlsplit(configured).netloc)
        assert link.host == urlsplit(configured).hostname
    link = panels.return_link(panels.PROLIFIC.completion_url, code=code, completed=True)
    assert parse_qs(urlsplit(link.url).query) == {"cc": [code]}


def test_given_a_placeholder_in_the_host_then_no_link_is_built_whatever_the_code():
    # config_validate refuses such a URL; the link is checked again when it is built.
    for code in ("TL-AB12-CD34", "@evil.example", ".evil.example"):
        assert panels.return_link("https://panel.example{code}/", code=code, completed=True) is None


def test_given_no_code_when_the_url_needs_one_then_no_link_is_built():
    assert panels.return_link(panels.PROLIFIC.completion_url, code="", completed=True) is None
    assert panels.return_link("", code="TL-1", completed=True) is None


def test_given_a_screenout_url_then_the_link_is_the_configured_url_unchanged():
    link = panels.return_link(
        "https://app.prolific.com/submissions/complete?cc=SCREEN1", completed=False
    )
    assert link == panels.PanelReturn(
        url="https://app.prolific.com/submissions/complete?cc=SCREEN1",
        host="app.prolific.com",
        completed=False,
    )


def test_given_prolific_then_the_link_query_has_prolifics_placeholders():
    assert panels.link_query(panels.PROLIFIC) == (
        "PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}"
    )
    assert panels.link_query(PanelConfig(id_param="workerId", session_params=("hitId",))) == (
        "workerId={workerId}&hitId={hitId}"
    )
    assert panels.link_query(PanelConfig()) == ""

"""Recruitment panels (Prolific and others): what a panel configuration may be, which values a
panel's link may carry, and the only URLs a participant is sent back to.

The return URL is built from the configured URL and the participant's completion code alone,
never from anything in a request, and it must keep the configured scheme and host: no link on a
participant page can point anywhere the researcher did not configure."""

import re
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import quote, urlsplit

# Link parameter names: a letter, then letters, digits, underscores (PROLIFIC_PID, workerId).
PARAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,39}\Z")
# Names the pages themselves read from a link (the language) or post (the CSRF token).
RESERVED_PARAMS = frozenset({"lang", "language", "csrfmiddlewaretoken"})
MAX_SESSION_PARAMS = 5
# A panel's ids and session values: URL-unreserved characters only. Prolific's are 24 hex
# digits, but other panels' are not, so only the shape every panel shares is checked.
VALUE = re.compile(r"[A-Za-z0-9._~-]{1,100}\Z")
VALUE_MAX = 100  # Participant.external_id's length
URL_MAX = 500  # Study.completion_url's length
CODE_PLACEHOLDER = "{code}"
_HOST = re.compile(
    r"[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\Z"
)


@dataclass(frozen=True)
class PanelConfig:
    """A study's panel settings; no id parameter means no panel (and nothing else may be set)."""

    id_param: str = ""
    session_params: tuple[str, ...] = ()
    completion_url: str = ""
    screenout_url: str = ""


PROLIFIC = PanelConfig(
    id_param="PROLIFIC_PID",
    session_params=("STUDY_ID", "SESSION_ID"),
    completion_url="https://app.prolific.com/submissions/complete?cc={code}",
)


class PanelConfigError(ValueError):
    """A refused configuration; ``field`` names the setting, the message says why."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


def _param_name_check(field_name: str, name: str) -> None:
    if not PARAM_NAME.match(name):
        raise PanelConfigError(
            field_name,
            f"{name!r} is not a link parameter name: use a letter, then letters, digits or "
            "underscores (at most 40 characters).",
        )
    if name.lower() in RESERVED_PARAMS:
        raise PanelConfigError(field_name, f"{name!r} is used by the study pages themselves.")


def _url_check(field_name: str, url: str, *, allow_http: bool, placeholder: bool) -> None:
    if len(url) > URL_MAX:
        raise PanelConfigError(field_name, f"at most {URL_MAX} characters, got {len(url)}.")
    if any(char.isspace() or ord(char) < 32 or char == "\\" for char in url):
        raise PanelConfigError(field_name, "no spaces, control characters or backslashes.")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes:
        # http only with DEBUG on: a local stand-in for a panel during development.
        raise PanelConfigError(field_name, "must start with https://.")
    if "@" in parts.netloc or not _HOST.match(parts.hostname or ""):
        raise PanelConfigError(
            field_name, "must name the panel's host, e.g. https://panel.example/."
        )
    try:
        parts.port  # noqa: B018 (urlsplit checks the port only when asked for it)
    except ValueError:
        raise PanelConfigError(field_name, "the port is not a number from 0 to 65535.") from None
    count = url.count(CODE_PLACEHOLDER)
    if not placeholder and count:
        raise PanelConfigError(field_name, "screened-out participants have no completion code.")
    if count > 1:
        raise PanelConfigError(field_name, f"{CODE_PLACEHOLDER} may appear only once.")


def config_validate(config: PanelConfig, *, allow_http: bool = False) -> PanelConfig:
    """The configuration if every setting is acceptable; PanelConfigError for the first that
    is not. The completion URL takes the participant's code at {code}, or none (a panel that
    gives every participant its own fixed code in the URL, as Prolific does)."""
    if not config.id_param:
        for name in ("session_params", "completion_url", "screenout_url"):
            if getattr(config, name):
                raise PanelConfigError(name, "set the panel's id parameter first.")
        return config
    _param_name_check("id_param", config.id_param)
    if len(config.session_params) > MAX_SESSION_PARAMS:
        raise PanelConfigError("session_params", f"at most {MAX_SESSION_PARAMS} parameters.")
    for name in config.session_params:
        _param_name_check("session_params", name)
    names = [config.id_param, *config.session_params]
    if len({name.lower() for name in names}) != len(names):
        raise PanelConfigError("session_params", "each parameter may be named only once.")
    for name in ("completion_url", "screenout_url"):
        url = getattr(config, name)
        if url:
            placeholder = name == "completion_url"
            _url_check(name, url, allow_http=allow_http, placeholder=placeholder)
    return config


@dataclass(frozen=True)
class PanelValues:
    """What a panel's link carried: the participant's id and the session parameters given."""

    external_id: str
    params: dict[str, str] = field(default_factory=dict)


class PanelLinkInvalid(ValueError):
    """The link lacks the panel's id, or one of its values is not acceptable."""

    def __init__(self, param: str, *, missing: bool):
        self.param = param
        self.missing = missing
        super().__init__(f"{param}: {'missing' if missing else 'not an acceptable value'}")


class Query(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def _value(query: Query, name: str, *, required: bool) -> str | None:
    given = query.getlist(name)
    if not given:
        if required:
            raise PanelLinkInvalid(name, missing=True)
        return None
    # A parameter given twice is refused: which copy the panel meant is not ours to guess.
    if len(given) > 1 or not VALUE.match(given[0]):
        raise PanelLinkInvalid(name, missing=False)
    return given[0]


def values_read(config: PanelConfig, query: Query) -> PanelValues | None:
    """The panel's values from a link's query, None for a study without a panel (any
    parameters are then ignored); PanelLinkInvalid when the id is missing or a value is not
    acceptable. Session parameters are optional; an id is required."""
    if not config.id_param:
        return None
    external_id = _value(query, config.id_param, required=True)
    params = {}
    for name in config.session_params:
        value = _value(query, name, required=False)
        if value is not None:
            params[name] = value
    return PanelValues(external_id=external_id, params=params)


@dataclass(frozen=True)
class PanelReturn:
    """A link back to the panel: its URL, the host it names and whether it reports completion
    (with the code) or a screen-out."""

    url: str
    host: str
    completed: bool


def return_link(configured: str, *, code: str = "", completed: bool) -> PanelReturn | None:
    """The link to ``configured`` with {code} replaced by the URL-encoded code; None when it
    cannot be built (nothing configured, a code needed but none given) or would leave the
    configured scheme and host."""
    if not configured:
        return None
    url = configured
    if CODE_PLACEHOLDER in configured:
        if not code:
            return None
        # Every character but letters, digits and "_.-~" is percent-encoded, so the code can
        # never end the query or start a path, host or fragment.
        url = configured.replace(CODE_PLACEHOLDER, quote(code, safe=""))
    configured_parts, parts = urlsplit(configured), urlsplit(url)
    if (parts.scheme, parts.netloc) != (configured_parts.scheme, configured_parts.netloc):
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    return PanelReturn(url=url, host=parts.hostname, completed=completed)


def link_query(config: PanelConfig) -> str:
    """The query string a researcher appends to the open link in the panel's settings: with
    Prolific's placeholders ({{%NAME%}}) for Prolific's names, {NAME} for any other."""
    prolific = {PROLIFIC.id_param, *PROLIFIC.session_params}
    names = [config.id_param, *config.session_params] if config.id_param else []
    return "&".join(
        f"{name}={{{{%{name}%}}}}" if name in prolific else f"{name}={{{name}}}" for name in names
    )

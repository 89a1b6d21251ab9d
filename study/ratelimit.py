"""Per-client rate limits on the participant and enrolment URLs (/p/<token>/..., /s/<token>/).

Counting is django-ratelimit's (atomic increments in the configured cache: set CACHE_URL to a
Redis server in production so that every worker shares the counts). What is limited, per
minute, by default:

- token misses: an address whose requests named a token that does not exist more than
  ``RATELIMIT_MISSES`` times is answered 429 on every participant URL until the minute is over;
  a reader who mistypes a link a few times is never near it, a token guesser is stopped after a
  handful of guesses;
- per participant token: ``RATELIMIT_PER_TOKEN`` requests (page loads, answers and the case
  images together; a fast reader uses about 20);
- per address: ``RATELIMIT_PER_ADDRESS`` requests, high enough for a hospital that sends a
  whole department through one proxy;
- enrolments: ``RATELIMIT_ENROLMENTS`` POSTs to open links per address (each creates a
  participant).

The client's address is REMOTE_ADDR, or, behind ``PROXY_COUNT`` trusted reverse proxies, the
address they saw (that many entries from the right of X-Forwarded-For).
"""

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django_ratelimit.core import get_usage

from study.selectors.tokens import token_known

PARTICIPANT_PREFIXES = ("/p/", "/s/")
WINDOW_SECONDS = 60


def _limit(name: str, default: int) -> str:
    return f"{getattr(settings, name, default)}/m"


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the one the trusted proxies in front recorded;
    None when there is none (a request built in code) or what is given is not an address (a
    forged X-Forwarded-For entry falls back to the connecting address)."""
    direct = _valid_address(request.META.get("REMOTE_ADDR", "") or "")
    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        ]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return _valid_address(forwarded[-proxies]) or direct
    return direct


def _over(request: HttpRequest, group: str, key: str, rate: str, *, increment: bool) -> bool:
    usage = get_usage(
        request, group=group, key=lambda _group, _request: key, rate=rate, increment=increment
    )
    if not usage:
        return False
    # A check without counting is "has the limit been used up", a counted request is "is this
    # one over it": both allow exactly `limit` per window.
    return usage["should_limit"] if increment else usage["count"] >= usage["limit"]


def too_many_requests(request: HttpRequest) -> HttpResponse:
    # The participant's own language would cost a lookup on every refused request: the
    # browser's (Accept-Language) among the site's stands in.
    with translation.override(translation.get_language_from_request(request)):
        body = render_to_string("429.html", {"retry_after": WINDOW_SECONDS}, request=request)
    response = HttpResponse(body, status=429, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(WINDOW_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class ParticipantRateLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info
        if not path.startswith(PARTICIPANT_PREFIXES) or not getattr(
            settings, "RATELIMIT_ENABLE", True
        ):
            return self.get_response(request)
        address = client_address(request) or "unknown"
        token = path.split("/")[2] if path.count("/") >= 2 else ""
        misses = _limit("RATELIMIT_MISSES", 20)
        if (
            _over(request, "participant-miss", address, misses, increment=False)
            or _over(
                request,
                "participant-address",
                address,
                _limit("RATELIMIT_PER_ADDRESS", 1200),
                increment=True,
            )
            or _over(
                request,
                "participant-token",
                token,
                _limit("RATELIMIT_PER_TOKEN", 240),
                increment=True,
            )
            or (
                request.method == "POST"
                and path.startswith("/s/")
                and _over(
                    request,
                    "participant-enrol",
                    address,
                    _limit("RATELIMIT_ENROLMENTS", 60),
                    increment=True,
                )
            )
        ):
            return too_many_requests(request)
        response = self.get_response(request)
        # A miss is a token that does not exist, not any 404: a real participant's request for
        # an image that is not there (or a step they have passed) is never held against them.
        if response.status_code == 404 and not token_known(kind=path[1], token=token):
            _over(request, "participant-miss", address, misses, increment=True)
        return response

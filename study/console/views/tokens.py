"""The account's own API tokens (any signed-in account): create one, shown once, and revoke.

A new token's secret is on the answer to the POST that made it and nowhere else (not stored,
not cached: Cache-Control no-store)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from study.selectors.api_tokens import user_api_tokens
from study.services.tokens import TokenError, api_token_create, api_token_revoke


def _page(request, *, secret: str = "", status: int = 200):
    context = {"tokens": list(user_api_tokens(user=request.user)), "secret": secret}
    response = render(request, "console/tokens.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    if request.method == "GET":
        return _page(request)
    try:
        _, secret = api_token_create(user=request.user)
    except TokenError as refusal:
        messages.error(request, str(refusal))
        return _page(request, status=400)
    return _page(request, secret=secret, status=201)


@login_required
@require_POST
def token_revoke(request, token_key):
    try:
        api_token_revoke(user=request.user, token_key=token_key)
    except TokenError as refusal:
        messages.error(request, str(refusal))
        return _page(request, status=404)
    messages.success(request, f"Token {token_key}… is revoked: scripts using it are refused now.")
    return redirect("console:tokens")

"""Per-study roles, decided here and nowhere else.

Rule: an account sees a study when it is a member (owner, collaborator or viewer) or a
superuser; owners and collaborators may change it; only owners manage the team. Console pages,
API views, services, tasks and management commands all ask these functions. A study the account
may not see is answered as if it did not exist (404), so slugs cannot be probed.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, Final, Literal

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from study.models import Job, Study, StudyMembership

Role = StudyMembership.Role
# Who asks: a signed-in account, the anonymous user of a request, or None (no one signed in).
Actor = AbstractBaseUser | AnonymousUser | None
# What each role may do, from least to most.
Action = Literal["read", "write", "manage"]
READ: Final = "read"
WRITE: Final = "write"
MANAGE: Final = "manage"
_ALLOWED: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({READ}),
    Role.COLLABORATOR: frozenset({READ, WRITE}),
    Role.OWNER: frozenset({READ, WRITE, MANAGE}),
}
NOT_FOUND = "No such study for this account."


def study_role(*, study: Study, user: Actor) -> str | None:
    """The user's role in the study (a superuser counts as owner), or None for no access."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    if user.is_superuser:
        return Role.OWNER
    return (
        StudyMembership.objects.filter(study=study, user=user)
        .values_list("role", flat=True)
        .first()
    )


def study_allows(*, study: Study, user: Actor, action: Action) -> bool:
    """Whether the user may ``action`` (READ, WRITE or MANAGE) this study."""
    role = study_role(study=study, user=user)
    return role is not None and action in _ALLOWED[role]


def study_require(*, study: Study, user: Actor, action: Action) -> str:
    """The user's role when it allows ``action``; otherwise Http404 for a study the user cannot
    see, PermissionDenied (403) for one the user sees but may not change."""
    role = study_role(study=study, user=user)
    if role is None:
        raise Http404(NOT_FOUND)
    if action not in _ALLOWED[role]:
        raise PermissionDenied(
            f"Your role in study '{study.slug}' ({Role(role).label.lower()}) does not allow this."
        )
    return role


def study_may_export_free_text(*, study: Study, user: Actor) -> bool:
    """Whether the user's exports of the study include free-text answers (questionnaire
    ``text`` items: identifiable-risk data). Owners and collaborators: yes; viewers only when
    an owner set ``viewers_may_export_free_text``; no role: no. ``None`` is no account at all
    (a management command or a task run by the site's operator): unaffected, yes."""
    if user is None:
        return True
    role = study_role(study=study, user=user)
    if role is None:
        return False
    return role != Role.VIEWER or study.viewers_may_export_free_text


def job_result_allowed(*, job: Job, user: Actor) -> bool:
    """Whether the user may download a job's result, given that the user sees the study: an
    export made with free-text answers (an owner's or collaborator's) only by those who may
    export them; a result that does not say is taken to hold them."""
    if job.kind != Job.Kind.EXPORT or not job.result.get("free_text", True):
        return True
    return study_may_export_free_text(study=job.study, user=user)


def studies_visible(*, user: Actor) -> QuerySet[Study]:
    """Every study the user may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Study.objects.none()
    if user.is_superuser:
        return Study.objects.all()
    return Study.objects.filter(memberships__user=user)


def study_for_user(*, slug: str, user: Actor, action: Action = READ) -> Study:
    """The study by slug, checked for ``action``: Http404 when it is not visible."""
    study = studies_visible(user=user).filter(slug=slug).first()
    if study is None:
        raise Http404(NOT_FOUND)
    study_require(study=study, user=user, action=action)
    return study


def study_view(
    action: Action = READ, *, write_on_post: bool = False
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A console view of one study: login required, the study loaded from the URL's ``slug``
    and checked for ``action`` (or WRITE for a POST when ``write_on_post``), then passed to the
    view as ``study`` in place of the slug, with the user's role as ``request.study_role``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        # Any: the view's further URL arguments, whatever its route's converters produce.
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            needed = WRITE if write_on_post and request.method == "POST" else action
            study = study_for_user(slug=slug, user=request.user, action=needed)
            request.study_role = study_role(study=study, user=request.user)
            return view(request, study, *args, **kwargs)

        return wrapped

    return decorate


def studies_may_start(*, user: Actor) -> bool:
    """Whether the account may start studies (new, from a template, a clone): the site-wide
    study.add_study permission, which the console's new-study pages ask for too."""
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("study.add_study"))

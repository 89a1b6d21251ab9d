"""The links page: create invitation links (shown once, or as CSV), list every link with its
status, label and e-mail state (filtered, paginated), revoke an unused link, re-label one,
e-mail invitations to pasted addresses, and edit the e-mail texts with a preview.

READ lists; every change needs WRITE (permissions.study_view) and is one service call."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from study import exports, permissions, selectors, services
from study.services.emails import (
    DEFAULT_INVITATION_BODY,
    DEFAULT_INVITATION_SUBJECT,
    DEFAULT_REMINDER_BODY,
    DEFAULT_REMINDER_SUBJECT,
    email_preview,
)
from study.services.links import LinkNotFound

from ..forms import form_problems
from ..link_forms import (
    EmailTemplatesForm,
    InviteEmailsForm,
    LinkFilterForm,
    LinkLabelForm,
    LinksCreateForm,
)

LINKS_PER_PAGE = 50
CSV_COLUMNS = ("public_id", "label", "link")
DEFAULTS = {
    "invitation_subject": DEFAULT_INVITATION_SUBJECT,
    "invitation_body": DEFAULT_INVITATION_BODY,
    "reminder_subject": DEFAULT_REMINDER_SUBJECT,
    "reminder_body": DEFAULT_REMINDER_BODY,
}


def _templates_form(study, data=None) -> EmailTemplatesForm:
    initial = {
        "email_from": study.email_from,
        "invitation_subject": study.invitation_subject,
        "invitation_body": study.invitation_body,
        "reminder_subject": study.reminder_subject,
        "reminder_body": study.reminder_body,
        "reminder_interval_days": study.reminder_interval_days,
        "reminder_max": study.reminder_max,
    }
    form = EmailTemplatesForm(data, initial=initial)
    for name, default in DEFAULTS.items():
        form.fields[name].widget.attrs["placeholder"] = default
    return form


def _page(request, study, *, status: int = 200, **extra) -> HttpResponse:
    """The links page; ``extra`` replaces a form (as posted, with its errors) or adds the new
    links, a preview or a problem on one link's row."""
    filters = LinkFilterForm(request.GET)
    if filters.is_valid():
        chosen = filters.cleaned_data["status"]
        links = selectors.study_links(study=study, status=chosen)
        number = filters.cleaned_data["page"] or 1
    else:
        status, chosen, links, number = 400, "", [], 1
    pages = Paginator(links, LINKS_PER_PAGE)
    if pages.num_pages < number:
        number = pages.num_pages  # past the end: the last page, not an error page
    page = pages.page(number)
    context = {
        "study": study,
        "filters": filters,
        "status_choices": selectors.LINK_STATUSES,
        "chosen": chosen,
        "page": page,
        "rows": [selectors.link_row(participant=p) for p in page],
        "may_change": permissions.study_allows(
            study=study, user=request.user, action=permissions.WRITE
        ),
        "create_form": LinksCreateForm(),
        "emails_form": InviteEmailsForm(),
        "templates_form": _templates_form(study),
        **extra,
    }
    return render(request, "console/links.html", context, status=status)


@permissions.study_view()
def links(request, study):
    return _page(request, study)


def _full_link(request, token: str) -> str:
    return request.build_absolute_uri(reverse("participant:entry", args=[token]))


@require_POST
@permissions.study_view(permissions.WRITE)
def links_create(request, study):
    form = LinksCreateForm(request.POST)
    if not form.is_valid():
        return _page(request, study, status=400, create_form=form)
    try:
        created = services.links_create(
            study=study,
            count=form.cleaned_data["count"],
            label_prefix=form.cleaned_data["label_prefix"],
            actor=request.user,
        )
    except services.LinkRefused as refused:
        form.add_error(None, str(refused))
        return _page(request, study, status=400, create_form=form)
    new = [
        {"public_id": p.public_id, "label": p.label, "link": _full_link(request, p.token)}
        for p in created
    ]
    if form.cleaned_data["output"] == "csv":
        response = HttpResponse(
            "".join(exports.csv_lines(CSV_COLUMNS, new)), content_type="text/csv"
        )
        response["Content-Disposition"] = f'attachment; filename="{study.slug}-links.csv"'
        return response
    # Said by the new links' own caption: a message here would be one more list on the page.
    return _page(request, study, new_links=new)


@require_POST
@permissions.study_view(permissions.WRITE)
def link_revoke(request, study, public_id):
    try:
        services.link_revoke(study=study, public_id=public_id, actor=request.user)
    except services.LinkRefused as refused:
        status = 404 if isinstance(refused, LinkNotFound) else 409
        return _page(request, study, status=status, problem_id=public_id, problem=str(refused))
    messages.success(request, f"The link {public_id} is revoked: its pages say so.")
    return redirect(_back(request, study))


@require_POST
@permissions.study_view(permissions.WRITE)
def link_relabel(request, study, public_id):
    form = LinkLabelForm(request.POST)
    try:
        if not form.is_valid():
            raise services.LinkRefused(form_problems(form))
        services.link_relabel(
            study=study, public_id=public_id, label=form.cleaned_data["label"], actor=request.user
        )
    except services.LinkRefused as refused:
        status = 404 if isinstance(refused, LinkNotFound) else 400
        return _page(request, study, status=status, problem_id=public_id, problem=str(refused))
    messages.success(request, f"The link {public_id} is re-labelled.")
    return redirect(_back(request, study))


def _back(request, study) -> str:
    """The list as it was (the filter and page the form was posted from)."""
    url = reverse("console:links", args=[study.slug])
    query = request.GET.urlencode()
    return f"{url}?{query}" if query else url


@require_POST
@permissions.study_view(permissions.WRITE)
def links_email(request, study):
    form = InviteEmailsForm(request.POST)
    if not form.is_valid():
        return _page(request, study, status=400, emails_form=form)
    try:
        rows = services.invitations_email(
            study=study, text=form.cleaned_data["addresses"], actor=request.user
        )
    except services.LinkRefused as refused:
        form.add_error("addresses", str(refused))
        return _page(request, study, status=400, emails_form=form)
    sent = sum(1 for row in rows if selectors.invitation_email_sent(email_id=row.pk))
    messages.success(
        request,
        f"{len(rows)} invitation{'s' if len(rows) != 1 else ''} created; "
        f"{sent} e-mail{'s' if sent != 1 else ''} sent so far (the rest are queued).",
    )
    return redirect("console:links", study.slug)


@require_POST
@permissions.study_view(permissions.WRITE)
def email_templates(request, study):
    form = _templates_form(study, request.POST)
    if not form.is_valid():
        return _page(request, study, status=400, templates_form=form)
    values = {name: value for name, value in form.cleaned_data.items() if name != "action"}
    texts = {name: values[name] for name in DEFAULTS}
    try:
        if form.cleaned_data["action"] == "save":
            services.email_templates_set(study=study, actor=request.user, **values)
        else:
            preview = email_preview(study=study, **texts)
            return _page(request, study, templates_form=form, preview=preview)
    except services.EmailTemplateInvalid as invalid:
        field = {f.label: name for name, f in form.fields.items()}.get(invalid.field)
        form.add_error(field, invalid.reason if field else str(invalid))
        return _page(request, study, status=400, templates_form=form)
    messages.success(request, "The e-mail texts and the reminder plan are saved.")
    return redirect("console:links", study.slug)

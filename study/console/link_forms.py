"""The links page's forms: new links, the list's filter, a new label, addresses to e-mail and
the study's e-mail texts. The rules (ranges, placeholders) are the services'; these forms turn
the posted strings into values and name the field that is wrong."""

from django import forms

from study.selectors.links import LINK_STATUSES
from study.services.emails import MAX_ADDRESSES
from study.services.invitations import MAX_INVITATIONS
from study.services.links import LABEL_MAX, PREFIX_MAX


class LinksCreateForm(forms.Form):
    count = forms.IntegerField(
        label="Number of links", min_value=1, max_value=MAX_INVITATIONS, initial=10
    )
    label_prefix = forms.CharField(
        label="Label prefix (optional: PREFIX-001, PREFIX-002...)",
        required=False,
        max_length=PREFIX_MAX,
    )
    output = forms.ChoiceField(
        label="Show the links",
        choices=[("page", "on the page"), ("csv", "as a CSV file")],
        initial="page",
        required=False,
    )


class LinkFilterForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=[("", "All"), *LINK_STATUSES], required=False
    )
    page = forms.IntegerField(label="Page", min_value=1, required=False)


class LinkLabelForm(forms.Form):
    label = forms.CharField(label="Label", required=False, max_length=LABEL_MAX)


class InviteEmailsForm(forms.Form):
    addresses = forms.CharField(
        label=f"E-mail addresses (one per line, or CSV email,label; at most {MAX_ADDRESSES})",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MAX_ADDRESSES * 400,
    )


class EmailTemplatesForm(forms.Form):
    """Empty texts are the site's defaults (shown as placeholders of the inputs)."""

    email_from = forms.CharField(label="Sender (empty: the site's)", required=False, max_length=254)
    invitation_subject = forms.CharField(label="Invitation subject", required=False, max_length=200)
    invitation_body = forms.CharField(
        label="Invitation body",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=10_000,
    )
    reminder_subject = forms.CharField(label="Reminder subject", required=False, max_length=200)
    reminder_body = forms.CharField(
        label="Reminder body",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10_000,
    )
    reminder_interval_days = forms.IntegerField(
        label="Days between reminders", min_value=1, max_value=365
    )
    reminder_max = forms.IntegerField(
        label="Reminders at most (0: none)", min_value=0, max_value=10
    )
    action = forms.ChoiceField(
        choices=[("preview", "Preview"), ("save", "Save")], required=False, initial="preview"
    )

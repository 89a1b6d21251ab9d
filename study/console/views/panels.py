"""Console page of a study's recruitment panel: the settings (a recruitment setting, outside
the design hash, audited) and the open link with the panel's parameters, ready to paste."""

from django.contrib import messages
from django.shortcuts import redirect, render

from study import permissions, services
from study.core.panels import link_query

from ..panel_forms import PanelSettingsForm


@permissions.study_view(write_on_post=True)
def panel_settings(request, study):
    form = PanelSettingsForm(request.POST if request.method == "POST" else None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            services.panel_settings_set(study=study, config=form.config(), actor=request.user)
        except services.PanelConfigError as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(request, "Panel settings saved.")
            return redirect("console:panel", study.slug)
    can_edit = permissions.study_allows(study=study, user=request.user, action="write")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    config = services.panel_config(study=study)
    context = {
        "study": study,
        "form": form,
        "can_edit": can_edit,
        "link_query": link_query(config),
    }
    return render(request, "console/panel.html", context, status=400 if form.errors else 200)

"""The annual report's target section: the cluster saves its hand-reported indicator values.
The section itself is shown on the report page (templates/grants/_report_targets.html); a
refused save renders the section on its own page with the errors (400), nothing saved."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from grants.reports.services import ReportNotEditable
from grants.reports.target_forms import ReportedIndicatorsForm
from grants.reports.target_section import report_target_section, report_targets_save
from grants.reports.views import _report_or_404
from klyngeadmin.kernel.forms import apply_service_errors
from klyngeadmin.kernel.permissions import has_app_perm


@login_required
@require_POST
def report_targets(request, pk: int):
    report = _report_or_404(request, pk)
    if not has_app_perm(request.user, "grants.change_annualreport", report):
        raise PermissionDenied(_("Rapporten kan ikke ændres."))
    form = ReportedIndicatorsForm(request.POST)
    if form.is_valid():
        try:
            report_targets_save(report=report, actor=request.user, values=form.values())
        except ReportNotEditable as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("De indberettede måltal er gemt."))
            return redirect(reverse("grants:report_detail", args=[report.pk]) + "#targets-heading")
    return render(request, "grants/report_targets.html", {
        "report": report, "targets": report_target_section(report=report),
        "targets_form": form, "can_edit": True,
    }, status=400)

"""The annual report's accounts page (/rapporter/<pk>/regnskab/): the director fills actual
costs and funding per budget line. Thin: scoped selector (404 for another cluster's report),
permission, grants.reports.costs.report_costs_save, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from grants.budgets.selectors import budget_table
from grants.reports import costs
from grants.reports.cost_forms import apply_line_errors, costs_formset, formset_lines
from grants.reports.views import _report_or_404
from klyngeadmin.kernel.errors import StaleVersion
from klyngeadmin.kernel.permissions import require_perm


@login_required
@require_http_methods(["GET", "POST"])
def report_costs(request, pk: int):
    report = _report_or_404(request, pk)
    require_perm(request.user, "grants.change_annualreport", report,
                 message=_("Rapporten kan ikke ændres."))
    table = budget_table(grant_id=report.grant_id, year_number=report.year_number)
    status, conflict = 200, ""
    if request.method == "POST":
        formset = costs_formset(table, data=request.POST)
        version = request.POST.get("version")
        if formset.is_valid():
            try:
                costs.report_costs_save(
                    report=report, lines=formset_lines(formset), actor=request.user,
                    expected_version=int(version) if (version or "").isdigit() else None,
                )
            except StaleVersion as exc:
                conflict = str(exc)
            except costs.ReportNotEditable as exc:
                raise PermissionDenied(str(exc)) from exc
            except ValidationError as exc:
                apply_line_errors(formset, exc)
            else:
                messages.success(request, _("Regnskabet er gemt."))
                return redirect(reverse("grants:report_detail", kwargs={"pk": report.pk}) + "#regnskab")
        status = 409 if conflict else 400
    else:
        formset = costs_formset(table)
    return render(request, "grants/report_costs.html", {
        "report": report, "formset": formset, "table": table, "conflict": conflict,
        "version": report.version,
    }, status=status)

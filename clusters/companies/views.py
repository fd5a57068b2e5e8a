"""/virksomheder/: the caseworkers' company page (the record, where each fact comes from, the
activities it took part in) with "Opdatér fra CVR", and the JSON lookup the activity and
project forms use to show the register's name before saving. Thin: selectors and
clusters.companies.services do the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clusters.companies.selectors import company_activities, company_employees, company_get
from clusters.companies.services import RegisterUnavailable, company_refresh_one
from clusters.cvr import is_valid_cvr
from clusters.cvr.client import get_register
from klyngeadmin.kernel.permissions import has_app_perm, require_perm

PAGE_SIZE = 25


@require_GET
@login_required
def company_detail(request, cvr: str):
    require_perm(request.user, "clusters.view_company_page")
    company = company_get(user=request.user, cvr=cvr)
    if company is None:
        raise Http404
    page = Paginator(company_activities(user=request.user, company=company), PAGE_SIZE).get_page(
        request.GET.get("side")
    )
    return render(request, "clusters/company_detail.html", {
        "company": company, "employees": company_employees(company), "page": page,
        "events": list(company.record_events.select_related("actor").order_by("-created_at")[:10]),
        "register": get_register(),
        "can_refresh": has_app_perm(request.user, "clusters.refresh_company"),
    })


@require_POST
@login_required
def company_refresh(request, cvr: str):
    require_perm(request.user, "clusters.refresh_company")
    company = company_get(user=request.user, cvr=cvr)
    if company is None:
        raise Http404
    try:
        result = company_refresh_one(company=company, actor=request.user)
    except RegisterUnavailable:
        messages.error(request, _("CVR-registret svarer ikke lige nu. Prøv igen senere; "
                                  "virksomheden opdateres også automatisk."))
        return redirect("companies:detail", cvr=cvr)
    if not result.configured:
        messages.warning(request, _("CVR-registret er ikke sat op: virksomhedsdata er ukendte."))
    elif result.not_found:
        messages.warning(request, _("CVR-nummeret findes ikke i CVR-registret."))
    elif result.changed:
        messages.success(request, _("Virksomheden er opdateret fra CVR-registret."))
    else:
        messages.success(request, _("Virksomheden er tjekket i CVR-registret: intet nyt."))
    return redirect("companies:detail", cvr=cvr)


@require_GET
@login_required
def cvr_lookup(request):
    """``?cvr=N``: what the register says about a CVR (name, industry, municipality), for the
    forms' preview. Public register data; the company's other records are not shown."""
    require_perm(request.user, "clusters.lookup_cvr")
    cvr = "".join(ch for ch in request.GET.get("cvr", "") if ch.isdigit())
    if not is_valid_cvr(cvr):
        return JsonResponse({"cvr": cvr, "found": False,
                             "message": _("Ugyldigt CVR-nummer.")}, status=400)
    register = get_register()
    if not register.configured:
        return JsonResponse({"cvr": cvr, "found": False, "message": str(register.description)})
    try:
        record = register.lookup(cvr)
    except RegisterUnavailable:
        return JsonResponse({"cvr": cvr, "found": False,
                             "message": _("CVR-registret svarer ikke lige nu.")})
    if record is None:
        return JsonResponse({"cvr": cvr, "found": False,
                             "message": _("CVR-nummeret findes ikke i CVR-registret.")})
    return JsonResponse({
        "cvr": cvr, "found": True, "name": record.name, "db07_code": record.db07_code,
        "industry": record.industry, "municipality": record.municipality,
        "ceased": record.status == "ceased",
        "message": _("Ophørt virksomhed") if record.status == "ceased" else "",
    })

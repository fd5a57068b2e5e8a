"""What the director's overview says beyond its lists: the next step, each grant's paid and
remaining amounts, deadline names in the reader's language, and which reports are not opened
yet. Works on the rows `selectors.dashboard_data` has loaded already: no queries of its own."""

from __future__ import annotations

from datetime import date

from django.urls import reverse
from django.utils.translation import gettext

from grants.constants import DeadlineKind, ReportStatus, TrancheStatus


def report_not_open_yet(report, today: date) -> bool:
    """A report for a year that has not begun: nothing to report yet, although it is stored as
    a draft from the grant's start. Shown as "Ikke åbnet endnu", not "Kladde"."""
    return report.status == ReportStatus.DRAFT and report.year > today.year


def grant_money(grant) -> dict:
    """The grant's amounts from its (prefetched) tranches: the total of the tranches not
    cancelled, what has been paid out (released), and what remains."""
    tranches = [t for t in grant.tranches.all() if t.status != TrancheStatus.CANCELLED]
    total = sum(t.amount_dkk for t in tranches)
    paid = sum(t.amount_dkk for t in tranches if t.status == TrancheStatus.RELEASED)
    return {"total_dkk": total, "paid_dkk": paid, "remaining_dkk": total - paid}


def deadline_label(deadline, evaluation=None) -> str:
    """The deadline's name in the reader's language. The stored subject is the authority's
    Danish record ("Årsrapport 2026 – Energiklyngen"); the overview is the cluster's own, so
    the name needs no cluster."""
    report = _report(deadline)
    if deadline.kind == DeadlineKind.ANNUAL_REPORT and report is not None:
        return gettext("Årsrapport %(year)s") % {"year": report.year}
    if deadline.kind == DeadlineKind.CHANGES_REQUESTED and report is not None:
        return gettext("Ændringer i årsrapport %(year)s") % {"year": report.year}
    if deadline.kind == DeadlineKind.SELF_ASSESSMENT and evaluation is not None:
        return gettext("Selvevaluering %(year)s") % {"year": evaluation.year}
    return deadline.subject


def _report(deadline):
    """The deadline's annual report (select_related by the selector), or None."""
    return getattr(deadline, "annual_report", None)


def self_assessment_url(evaluation) -> str | None:
    """Where the cluster fills in its self-assessment, once the authority has opened it."""
    if evaluation is not None and evaluation.open_for_self_assessment:
        return reverse("evaluations:self_assessment", args=[evaluation.pk])
    return None


def deadline_action(deadline, evaluation=None) -> tuple[str, str | None]:
    """What to do for the deadline, and the page where it is done (None: nothing to open yet)."""
    report = _report(deadline)
    if report is not None and deadline.kind in (DeadlineKind.ANNUAL_REPORT,
                                                DeadlineKind.CHANGES_REQUESTED):
        url = reverse("grants:report_detail", args=[report.pk])
        if report.status == ReportStatus.CHANGES_REQUESTED:
            return gettext("Ret årsrapport %(year)s og indsend den igen") % {"year": report.year}, url
        return gettext("Udfyld og indsend årsrapport %(year)s") % {"year": report.year}, url
    if deadline.kind == DeadlineKind.SELF_ASSESSMENT and evaluation is not None:
        url = self_assessment_url(evaluation)
        if url:
            return gettext("Udfyld og indsend selvevalueringen %(year)s") % {
                "year": evaluation.year}, url
        return gettext("Selvevalueringen %(year)s åbner, når Erhvervsstyrelsen har åbnet "
                       "midtvejsevalueringen") % {"year": evaluation.year}, None
    return deadline.subject, None


def annotate(*, grants, deadlines, reports, today: date) -> dict | None:
    """Sets `label`, `action` and `url` on the deadlines, `not_open_yet` on the reports and
    `money` on the grants; returns the next step (the nearest open deadline) or None."""
    evaluations = {}
    for g in grants:
        g.money = grant_money(g)
        evaluation = getattr(g, "midway_evaluation", None) if g.midway_year else None
        if evaluation is not None:
            evaluations[evaluation.self_assessment_deadline_id] = evaluation
            evaluation.self_assessment_url = self_assessment_url(evaluation)
    for r in reports:
        r.not_open_yet = report_not_open_yet(r, today)
    for d in deadlines:
        evaluation = evaluations.get(d.pk)
        d.label = deadline_label(d, evaluation)
        d.action, d.url = deadline_action(d, evaluation)
    if not deadlines:
        return None
    nearest = deadlines[0]
    return {"deadline": nearest, "action": nearest.action, "url": nearest.url}

"""The director's overview says what to do next: the nearest deadline and its action as a link,
the grant's paid and remaining amounts, future reports as "Ikke åbnet endnu", the
self-assessment as a link once it is open, deadline names in the reader's language."""

import datetime

import pytest
from django.urls import reverse

from evaluations.constants import EvaluationStatus
from grants.constants import TrancheStatus

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def _dashboard(client, user, **headers):
    client.force_login(user)
    response = client.get(reverse("grants:dashboard"), **headers)
    assert response.status_code == 200
    return response


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    return html[start:html.index("</section>", start)]


def test_next_step_is_the_nearest_deadline_and_its_action_as_a_link(client, director, grant):
    nearest = grant.reports.filter(deadline__completed_at__isnull=True).order_by("year").first()
    html = _dashboard(client, director).content.decode()
    step = _section(html, "next-step-heading")
    assert "Næste skridt" in step
    assert (f'<a href="{reverse("grants:report_detail", args=[nearest.pk])}">'
            f"Udfyld og indsend årsrapport {nearest.year}</a>") in step
    assert f"Frist for Årsrapport {nearest.year}:" in step


def test_future_reports_are_not_opened_yet_not_drafts(client, director, grant):
    response = _dashboard(client, director)
    reports = _section(response.content.decode(), "reports-heading")
    rows = {r.year: r for r in response.context["reports"]}
    future = [y for y in rows if y > TODAY.year]
    assert future, "the test grant runs 2025-2034"
    assert all(rows[y].not_open_yet for y in future)
    assert not rows[TODAY.year].not_open_yet
    assert reports.count("Ikke åbnet endnu") == len(future)
    assert reports.count("<td>Kladde</td>") == len([y for y in rows if y <= TODAY.year])


def test_the_grants_paid_and_remaining_amounts(client, director, grant):
    grant.tranches.filter(year_number__in=(1, 2)).update(
        status=TrancheStatus.RELEASED, released_on=datetime.date(2025, 3, 1))
    grant.tranches.filter(year_number=10).update(status=TrancheStatus.CANCELLED)
    html = _dashboard(client, director).content.decode()
    money = html[html.index('class="facts grant-money"'):]
    money = money[:money.index("</dl>")]
    assert "Udbetalt</dt><dd class=\"numeric\">20.000.000 kr.</dd>" in money
    assert "Tilbage</dt><dd class=\"numeric\">70.000.000 kr.</dd>" in money
    assert "Bevilling i alt</dt><dd class=\"numeric\">90.000.000 kr.</dd>" in money


def test_the_self_assessment_is_a_link_once_it_is_open(client, director, grant, caseworker):
    from evaluations.midway.services import evaluation_open
    from evaluations.panels.defaults import ensure_default_rubrics

    ensure_default_rubrics()
    evaluation = grant.midway_evaluation
    deadlines_html = _section(_dashboard(client, director).content.decode(), "deadlines-heading")
    url = reverse("evaluations:self_assessment", args=[evaluation.pk])
    if f"Selvevaluering {evaluation.year}" in deadlines_html:
        assert url not in deadlines_html  # not opened by the authority yet: plain text
    evaluation_open(evaluation=evaluation, actor=caseworker)
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.SELF_ASSESSMENT
    html = _dashboard(client, director).content.decode()
    assert (f'<a href="{url}">Udfyld selvevaluering {evaluation.year}</a>') in html
    response = client.get(url)
    assert response.status_code == 200


def test_deadline_names_follow_the_english_ui(client, director, grant):
    director.language = "en"
    director.save(update_fields=["language"])
    html = _dashboard(client, director).content.decode()
    deadlines_html = _section(html, "deadlines-heading")
    year = grant.reports.filter(deadline__completed_at__isnull=True).order_by("year").first().year
    assert f"Annual report {year}</a>" in deadlines_html
    assert "Årsrapport" not in deadlines_html
    assert "Next step" in html and "Not opened yet" in html


def test_the_dashboard_query_count_is_fixed(client, director, grant, django_assert_num_queries):
    from evaluations.midway.schedule import grant_create

    client.force_login(director)
    client.get(reverse("grants:dashboard"))
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("grants:dashboard"))
    grant_create(cluster=director.cluster, reference="X-1", start_year=2035, horizon_years=10,
                 annual_amount_dkk=1)
    with django_assert_num_queries(DASHBOARD_QUERIES):
        client.get(reverse("grants:dashboard"))


DASHBOARD_QUERIES = 9  # session, user with cluster (the header's), notifications badge, grants and prefetches, deadlines, extensions, this year's targets


def test_the_extension_page_names_the_deadline_in_the_english_ui(client, director, grant):
    director.language = "en"
    director.save(update_fields=["language"])
    report = grant.reports.get(year=2026)
    client.force_login(director)
    html = client.get(reverse("grants:extension_request", args=[report.deadline_id])).content.decode()
    assert "Annual report 2026" in html and "Årsrapport 2026 –" not in html


@pytest.mark.parametrize("language", ["da", "en"])
def test_choice_label_is_get_foo_display_in_the_language_shown(grant, language):
    from django.utils import translation

    from klyngeadmin.kernel.formatting import choice_label

    with translation.override(language):
        for field in ("status", "grant_type", "funder"):
            assert str(choice_label(grant, field)) == getattr(grant, f"get_{field}_display")()
        tranche = grant.tranches.first()
        assert str(choice_label(tranche, "status")) == tranche.get_status_display()
    grant.status = "no-such-status"
    assert choice_label(grant, "status") == "no-such-status"  # as get_status_display: the value

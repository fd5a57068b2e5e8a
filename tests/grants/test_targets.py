"""Targets (måltal): attainment maths (property-based), the award and reported-value services,
the database's own guards, and the annual report's target section (issue 15, item 1)."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from clusters.constants import InstitutionKind, SizeClass
from clusters.models import CompanyParticipation, InstitutionParticipation
from grants.reports.target_section import grant_target_overview, report_target_section
from grants.targets.attainment import ATTAINMENT_CAP, attainment, deviation, mean_attainment
from grants.targets.catalogue import CATALOGUE, REPORTED_INDICATORS, Indicator
from grants.targets.models import GrantTarget, ReportedIndicatorValue, TargetEvent
from grants.targets.services import (
    TargetError,
    reported_values_set,
    targets_change,
    targets_set_at_award,
)
from tests.factories import ActivityFactory, CompanyFactory, InstitutionFactory

amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False)
positive = st.decimals(min_value=Decimal("0.01"), max_value=10**9, places=2, allow_nan=False,
                       allow_infinity=False)


# -- attainment: properties ------------------------------------------------------------------


@given(realised=amounts, target=positive)
def test_attainment_is_between_zero_and_the_cap(realised, target):
    value = attainment(realised, target)
    assert value is not None
    assert Decimal(0) <= value <= ATTAINMENT_CAP


@given(a=amounts, b=amounts, target=positive)
def test_attainment_grows_with_realised(a, b, target):
    low, high = sorted([a, b])
    assert attainment(low, target) <= attainment(high, target)


@given(realised=amounts, a=positive, b=positive)
def test_attainment_falls_as_the_target_rises(realised, a, b):
    low, high = sorted([a, b])
    assert attainment(realised, high) <= attainment(realised, low)


@given(target=positive, factor=st.decimals(min_value="1.5", max_value=1000, places=2))
def test_attainment_is_capped(target, factor):
    assert attainment(target * factor, target) == ATTAINMENT_CAP


@given(realised=st.one_of(st.none(), amounts))
def test_no_target_is_not_applicable(realised):
    assert attainment(realised, None) is None
    assert attainment(realised, 0) is None


@given(target=positive)
def test_realised_equal_to_target_is_full_attainment(target):
    assert attainment(target, target) == Decimal("1.0000")
    assert deviation(target, target) == 0


def test_attainment_refuses_float_and_means_skip_na():
    with pytest.raises(TypeError):
        attainment(1.5, 2)
    assert mean_attainment([Decimal("0.5"), None, Decimal("1")]) == Decimal("0.7500")
    assert mean_attainment([None, None]) is None
    assert deviation(Decimal(8), Decimal(10)) == Decimal(-2)


def test_catalogue_has_unit_and_definition_for_every_indicator():
    assert set(CATALOGUE) == set(Indicator.values)
    for d in CATALOGUE.values():
        assert d.unit in {"count", "dkk", "ratio"} and d.definition and d.name
    assert set(REPORTED_INDICATORS) == {"new_products", "new_members"}


def test_a_definition_is_shown_in_the_language_of_the_page():
    from django.utils import translation

    d = CATALOGUE["new_members"]
    with translation.override("da"):
        danish = str(d.definition)
    with translation.override("en"):
        english = str(d.definition)
    assert danish.startswith("Virksomheder og organisationer")
    assert english != danish and "member" in english


# -- services --------------------------------------------------------------------------------


def _award(grant, caseworker):
    return targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": 1, "indicator": "companies", "target": 4, "baseline": 2},
        {"year_number": 1, "indicator": "smes", "target": 2},
        {"year_number": 1, "indicator": "new_products", "target": 5},
        {"year_number": 2, "indicator": "companies", "target": 10},
    ])


@pytest.mark.django_db
def test_targets_set_at_award_once_with_history(grant, caseworker):
    assert _award(grant, caseworker) == 4
    assert GrantTarget.objects.filter(grant=grant).count() == 4
    events = TargetEvent.objects.filter(grant=grant)
    assert events.filter(field="target").count() == 4
    assert events.filter(field="baseline").count() == 1
    assert set(events.values_list("actor_id", flat=True)) == {caseworker.pk}
    with pytest.raises(TargetError, match="ændringssag"):
        _award(grant, caseworker)
    assert GrantTarget.objects.filter(grant=grant).count() == 4


@pytest.mark.django_db
@pytest.mark.parametrize(("row", "message"), [
    ({"year_number": 11, "indicator": "companies", "target": 1}, "uden for bevillingens løbetid"),
    ({"year_number": 1, "indicator": "nope", "target": 1}, "Ukendt indikator"),
    ({"year_number": 1, "indicator": "companies", "target": -1}, "negativ"),
    ({"year_number": 1, "indicator": "companies", "target": None}, "mangler"),
    ({"year_number": 1, "indicator": "companies", "target": 1.5}, "float"),
])
def test_bad_targets_are_refused_and_change_nothing(grant, caseworker, row, message):
    with pytest.raises(TargetError, match=message):
        targets_set_at_award(grant=grant, actor=caseworker, rows=[
            {"year_number": 1, "indicator": "smes", "target": 1}, row])
    assert not GrantTarget.objects.filter(grant=grant).exists()
    assert not TargetEvent.objects.filter(grant=grant).exists()


@pytest.mark.django_db
def test_reported_values_only_for_reported_indicators(grant, director):
    assert reported_values_set(grant=grant, year_number=1, values={"new_products": 3},
                               actor=director) == 1
    assert reported_values_set(grant=grant, year_number=1, values={"new_products": 3},
                               actor=director) == 0  # unchanged: no new event
    with pytest.raises(TargetError):
        reported_values_set(grant=grant, year_number=1, values={"companies": 3}, actor=director)
    assert TargetEvent.objects.filter(field="reported").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("stmt", [
    "INSERT INTO grants_granttarget (grant_id, year_number, indicator, target, updated_at) "
    "VALUES (%s, 1, 'companies', -1, now())",
    "INSERT INTO grants_granttarget (grant_id, year_number, indicator, target, updated_at) "
    "VALUES (%s, 11, 'companies', 1, now())",
    "INSERT INTO grants_granttarget (grant_id, year_number, indicator, target, updated_at) "
    "VALUES (%s, 1, 'bogus', 1, now())",
    "INSERT INTO grants_reportedindicatorvalue (grant_id, year_number, indicator, value, "
    "updated_at) VALUES (%s, 1, 'companies', 1, now())",
])
def test_database_guards_targets_without_the_services(grant, stmt):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(stmt, [grant.pk])


@pytest.mark.django_db
def test_database_keeps_one_target_per_indicator_and_year(grant):
    GrantTarget.objects.create(grant=grant, year_number=1, indicator="companies", target=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        GrantTarget.objects.create(grant=grant, year_number=1, indicator="companies", target=2)


# -- realised and the report section -----------------------------------------------------------


def _activity_data(grant):
    cluster = grant.cluster
    small = CompanyFactory(employees=20)  # small 10-49, an SME
    large = CompanyFactory(employees=400, size_class=SizeClass.LARGE)
    a = ActivityFactory(cluster=cluster)
    CompanyParticipation.objects.create(activity=a, company=small)
    CompanyParticipation.objects.create(activity=a, company=large)
    InstitutionParticipation.objects.create(
        activity=a, institution=InstitutionFactory(kind=InstitutionKind.ACADEMY))
    return a


@pytest.mark.django_db
def test_report_section_target_realised_deviation(grant, caseworker):
    _award(grant, caseworker)
    _activity_data(grant)
    report = grant.reports.get(year_number=1)
    reported_values_set(grant=grant, year_number=1, values={"new_products": 10}, actor=None)
    section = report_target_section(report=report)
    rows = {r["indicator"]: r for r in section["rows"]}
    assert rows["companies"]["target"] == 4 and rows["companies"]["realised"] == 2
    assert rows["companies"]["deviation"] == -2
    assert rows["companies"]["attainment"] == Decimal("0.5000")
    assert rows["smes"]["realised"] == 1 and rows["smes"]["attainment"] == Decimal("0.5000")
    assert rows["new_products"]["attainment"] == Decimal("1.5000")  # 10 of 5: capped
    assert rows["new_members"]["target"] is None and rows["new_members"]["attainment"] is None
    assert section["attainment"] == Decimal("0.8333")  # (0.5 + 0.5 + 1.5) / 3


@pytest.mark.django_db
def test_overview_query_count_does_not_grow_with_years(grant, caseworker):
    _award(grant, caseworker)
    _activity_data(grant)
    with CaptureQueriesContext(connection) as one:
        grant_target_overview(grant, [1])
    with CaptureQueriesContext(connection) as ten:
        grant_target_overview(grant)
    assert len(ten) == len(one) <= 8


@pytest.mark.django_db
def test_dashboard_shows_this_years_bar(client, grant, director, other_director, caseworker):
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": 2, "indicator": "rd_applications", "target": 4}])
    for _ in range(3):
        ActivityFactory(cluster=grant.cluster, activity_type="rd_application",
                        start_date=date(2026, 5, 1), end_date=date(2026, 5, 1))
    client.force_login(director)
    page = client.get("/oversigt/").content.decode()
    assert "Måltal 2026" in page and 'value="0.7500"' in page and "3 af 4 (75 %)" in page
    client.force_login(other_director)
    assert "Måltal 2026" not in client.get("/oversigt/").content.decode()


@pytest.mark.django_db
def test_report_page_section_both_ways_and_bad_input(client, grant, director, other_director,
                                                     caseworker):
    _award(grant, caseworker)
    report = grant.reports.get(year_number=1)
    url = f"/rapporter/{report.pk}/maaltal/"
    client.force_login(director)
    page = client.get(f"/rapporter/{report.pk}/").content.decode()
    assert "Måltal og målopfyldelse" in page and 'data-indicator="companies"' in page
    r = client.post(url, {"reported_new_products": "-3"})
    assert r.status_code == 400 and "Antallet kan ikke være negativt." in r.content.decode()
    r = client.post(url, {"reported_new_products": "tre"})
    assert r.status_code == 400 and "Skriv et helt antal" in r.content.decode()
    assert not ReportedIndicatorValue.objects.exists()
    r = client.post(url, {"reported_new_products": "7"})
    assert r.status_code == 302
    assert ReportedIndicatorValue.objects.get(grant=grant, year_number=1).value == 7
    client.force_login(other_director)
    assert client.post(url, {"reported_new_products": "9"}).status_code == 404
    client.force_login(caseworker)  # sees the section, may not enter the cluster's values
    assert "Måltal og målopfyldelse" in client.get(f"/rapporter/{report.pk}/").content.decode()
    assert client.post(url, {"reported_new_products": "9"}).status_code == 403
    assert ReportedIndicatorValue.objects.get(grant=grant, year_number=1).value == 7


@pytest.mark.django_db
def test_report_section_from_the_page_figures_equals_the_grant_reader(grant, caseworker):
    from grants.reports.selectors import report_page_data
    from tests.grants.report_helpers import fill_report

    _award(grant, caseworker)
    targets_change(grant=grant, actor=caseworker, basis="test", rows=[
        {"year_number": 1, "indicator": code, "target": 1000}
        for code in ("cofinancing_dkk", "competitive_funds_dkk", "leverage",
                     "institution_participations", "inst_academy", "international_activities",
                     "small_companies", "companies_outside_strength_position")])
    _activity_data(grant)
    report = fill_report(grant.reports.get(year_number=1))
    page = report_page_data(report=report)
    fast = report_target_section(report=report, key_figures=page["key_figures"],
                                 competitive_funding=page["competitive_funding"])
    slow = report_target_section(report=report)
    assert fast == slow
    assert {r["indicator"] for r in fast["rows"] if r["realised"]} >= {
        "companies", "cofinancing_dkk", "leverage", "inst_academy", "institution_participations"}

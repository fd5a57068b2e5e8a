"""Fees and state aid (clusters/stateaid/): the write doors with their actor and audit event,
the database's own checks, de minimis per single undertaking against the configured ceiling,
the cluster's pages and the caseworkers' register export - permissions both ways."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from openpyxl import load_workbook

from clusters.constants import AidLegalBasis, FeeBasis
from clusters.models import (
    ClusterDataEvent,
    CompanyParticipation,
    ExchangeRate,
    StateAidCeiling,
    StateAidRecord,
)
from clusters.stateaid import selectors, services
from clusters.stateaid.defaults import seed_defaults
from clusters.stateaid.deminimis import OK, OVER, WARN
from klyngeadmin.accounts.keys import api_key_create
from klyngeadmin.kernel.roles import Role
from tests.factories import ActivityFactory, ClusterFactory, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stateaid_configuration(db):
    """The ceilings and rate the migration seeds (a flush by an earlier transactional or demo
    test removes them)."""
    seed_defaults(StateAidCeiling, ExchangeRate)


@pytest.fixture
def api_key_for(cluster, director):
    return api_key_create(name="CRM", cluster=cluster, created_by=director).plain


@pytest.fixture
def activity(cluster):
    a = ActivityFactory(cluster=cluster, start_date=date(2026, 3, 1), end_date=date(2026, 3, 1),
                        title="=HYPERLINK(\"http://x\")")
    return a


@pytest.fixture
def company(activity):
    c = CompanyFactory(name="+Formel ApS")
    CompanyParticipation.objects.create(activity=activity, company=c)
    return c


def declare(cluster, company, director, day=date(2026, 1, 1), other=0, linked=()):
    return services.deminimis_declaration_record(cluster=cluster, company=company, actor=director,
                                                 declared_on=day, other_aid_dkk=other, linked_cvrs=list(linked))


def test_the_ceilings_and_rate_are_configuration_seeded_by_migration():
    seed_defaults(StateAidCeiling, ExchangeRate)  # the migration's function: a second run adds nothing
    assert StateAidCeiling.objects.count() == 2 and ExchangeRate.objects.count() == 1
    ceilings = selectors.ceilings()
    assert [(c.valid_from, c.amount_eur) for c in ceilings] == [
        (date(2014, 1, 1), Decimal("200000.00")), (date(2024, 1, 1), Decimal("300000.00"))]
    assert selectors.rates()[0].dkk_per_eur == Decimal("7.46038")


def test_fee_set_writes_its_event_and_refuses_a_fee_on_a_free_activity(activity, director):
    services.activity_fee_set(activity=activity, actor=director, fee_per_participant_dkk=750,
                              fee_basis=FeeBasis.COST, individual_service=True)
    activity.refresh_from_db()
    assert (activity.fee_per_participant_dkk, activity.fee_basis, activity.individual_service) == (750, "cost", True)
    assert ClusterDataEvent.objects.filter(object_type="activity", object_id=activity.pk, actor=director).exists()
    with pytest.raises(ValidationError) as exc:
        services.activity_fee_set(activity=activity, actor=director, fee_per_participant_dkk=100,
                                  fee_basis=FeeBasis.FREE, individual_service=False)
    assert "fee_per_participant_dkk" in exc.value.message_dict
    activity.refresh_from_db()
    assert activity.fee_per_participant_dkk == 750  # nothing changed
    with pytest.raises(TypeError):
        services.activity_fee_set(activity=activity, actor=None, fee_per_participant_dkk=0,
                                  fee_basis=FeeBasis.FREE, individual_service=False)


def test_the_database_keeps_fee_and_basis_together(activity):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(activity).objects.filter(pk=activity.pk).update(fee_basis="market", fee_per_participant_dkk=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(activity).objects.filter(pk=activity.pk).update(fee_basis="gift")


def test_de_minimis_aid_needs_the_prior_declaration(activity, company, director):
    with pytest.raises(ValidationError) as exc:
        services.aid_record_set(activity=activity, company=company, actor=director,
                                legal_basis=AidLegalBasis.DE_MINIMIS, amount_dkk=10_000)
    assert "legal_basis" in exc.value.message_dict
    assert not StateAidRecord.objects.exists()
    # cluster-access aid (the block exemption) needs none
    services.aid_record_set(activity=activity, company=company, actor=director,
                            legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=10_000)
    declare(activity.cluster, company, director)
    record, standing = services.aid_record_set(activity=activity, company=company, actor=director,
                                               legal_basis=AidLegalBasis.DE_MINIMIS, amount_dkk=10_000)
    assert StateAidRecord.objects.count() == 1  # replaced, once per activity and company
    assert record.granted_on == activity.start_date
    assert standing.sum_eur == Decimal("1340.41") and standing.level == OK
    assert ClusterDataEvent.objects.filter(object_type="stateaidrecord", actor=director).count() == 2


def test_aid_only_to_a_participant_with_a_positive_amount(activity, director):
    outsider = CompanyFactory()
    with pytest.raises(ValidationError) as exc:
        services.aid_record_set(activity=activity, company=outsider, actor=director,
                                legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=0)
    assert set(exc.value.message_dict) == {"company", "amount_dkk"}


def test_the_database_refuses_a_zero_aid(activity, company, director):
    with pytest.raises(IntegrityError), transaction.atomic():
        StateAidRecord.objects.create(cluster=activity.cluster, activity=activity, company=company,
                                      legal_basis="de_minimis", amount_dkk=0, granted_on=date(2026, 1, 1),
                                      created_by=director)


def test_single_undertaking_sums_linked_companies_and_declared_aid_and_warns(cluster, director, activity, company):
    sister = CompanyFactory()
    other = ActivityFactory(cluster=cluster, start_date=date(2025, 5, 1), end_date=date(2025, 5, 1))
    CompanyParticipation.objects.create(activity=other, company=sister)
    declare(cluster, sister, director, day=date(2025, 1, 1))
    services.aid_record_set(activity=other, company=sister, actor=director,
                            legal_basis=AidLegalBasis.DE_MINIMIS, amount_dkk=1_000_000)
    # the company declares 500,000 kr. from others and that it is one undertaking with its sister
    declare(cluster, company, director, day=date(2026, 2, 1), other=500_000, linked=[sister.cvr])
    _r, standing = services.aid_record_set(activity=activity, company=company, actor=director,
                                           legal_basis=AidLegalBasis.DE_MINIMIS, amount_dkk=600_000)
    # each aid converted to the cent, summed: EUR 281,487.00, over 90 % of EUR 300,000
    assert standing.sum_eur == Decimal("281487.00")
    assert standing.level == WARN
    ceiling = StateAidCeiling.objects.get(valid_from=date(2024, 1, 1))
    ceiling.amount_eur = Decimal("250000")  # configuration, not code
    ceiling.save()
    assert selectors.standings(companies=[company], on=date(2026, 3, 1))[company.pk].level == OVER


def test_aid_without_a_stored_rate_is_refused_not_crashed(activity, company, director):
    ExchangeRate.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        services.aid_record_set(activity=activity, company=company, actor=director,
                                legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=10)
    assert "granted_on" in exc.value.message_dict
    assert not StateAidRecord.objects.exists()


def test_declaration_errors_name_the_field(cluster, company, director):
    with pytest.raises(ValidationError) as exc:
        declare(cluster, company, director, linked=["12345678"])
    assert "linked_cvrs" in exc.value.message_dict
    declare(cluster, company, director)
    with pytest.raises(ValidationError) as exc:
        declare(cluster, company, director)
    assert "declared_on" in exc.value.message_dict


# -- pages ------------------------------------------------------------------------------------


def test_activity_aid_page_both_ways(client, director, other_director, caseworker, activity, company):
    url = f"/aktiviteter/{activity.pk}/statsstoette/"
    client.force_login(other_director)
    assert client.get(url).status_code == 404  # another cluster's activity
    client.force_login(caseworker)
    assert client.get(url).status_code == 403
    client.force_login(director)
    assert client.get(url).status_code == 200
    r = client.post(url, {"save_fee": "1", "fee_basis": "market", "fee_per_participant_dkk": "0"})
    assert r.status_code == 400 and "Angiv deltagerbetalingen" in r.content.decode()
    r = client.post(url, {"save_fee": "1", "fee_basis": "market", "fee_per_participant_dkk": "1.500"})
    assert r.status_code == 302
    activity.refresh_from_db()
    assert activity.fee_per_participant_dkk == 1500
    r = client.post(url, {"save_aid": "1", "company": str(company.pk), "legal_basis": "de_minimis",
                          "amount_dkk": "20000"})
    assert r.status_code == 400 and "de minimis-erklæring" in r.content.decode()


def test_cluster_aid_page_lists_and_records_declarations(client, director, caseworker, cluster, activity, company,
                                                         django_assert_max_num_queries):
    client.force_login(caseworker)
    assert client.get("/statsstoette/").status_code == 403
    client.force_login(director)
    r = client.post("/statsstoette/", {"cvr": company.cvr, "declared_on": "1.1.2026", "other_aid_dkk": "0"})
    assert r.status_code == 302
    for i in range(6):
        c = CompanyFactory()
        CompanyParticipation.objects.create(activity=activity, company=c)
        services.aid_record_set(activity=activity, company=c, actor=director,
                                legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=1000 + i)
    with django_assert_max_num_queries(14):
        r = client.get("/statsstoette/")
    assert r.status_code == 200 and r.content.decode().count("<tr>") == 7
    r = client.post("/statsstoette/", {"cvr": "123", "declared_on": "1.1.2026", "other_aid_dkk": "0"})
    assert r.status_code == 400


def test_register_export_is_for_caseworkers_and_formula_safe(client, director, caseworker, activity, company):
    services.aid_record_set(activity=activity, company=company, actor=director,
                            legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=74_604)
    url = "/sagsbehandler/statsstoette/"
    client.force_login(director)
    assert client.get(url).status_code == 403
    client.force_login(caseworker)
    assert client.get(url).status_code == 200
    assert client.get(url, {"from_date": "2026-12-01", "to_date": "2026-01-01", "format": "csv"}).status_code == 400
    r = client.get(url, {"from_date": "2026-01-01", "to_date": "2026-12-31", "format": "csv"})
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["klynge", "klynge_cvr", "cvr"]
    assert rows[1][3] == "'+Formel ApS" and rows[1][4].startswith("'=")
    assert rows[1][8:11] == ["74604", "10000,03", "7,46038"]
    r = client.get(url, {"from_date": "2026-01-01", "to_date": "2026-12-31", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [c.value for c in list(sheet.rows)[1]]
    assert values[4].startswith("=") and list(sheet.rows)[1][4].data_type == "s"
    assert values[8] == 74604
    r = client.get(url, {"from_date": "2027-01-01", "to_date": "2027-12-31", "format": "csv"})
    assert len(r.content.decode("utf-8-sig").strip().splitlines()) == 1  # header only


def test_fee_level_against_sme_share(cluster, director):
    free = ActivityFactory(cluster=cluster, start_date=date(2024, 2, 1), end_date=date(2024, 2, 1))
    paid = ActivityFactory(cluster=cluster, start_date=date(2024, 2, 1), end_date=date(2024, 2, 1))
    services.activity_fee_set(activity=paid, actor=director, fee_per_participant_dkk=2500,
                              fee_basis=FeeBasis.MARKET, individual_service=False)
    for employees, act in [(5, free), (20, free), (300, free), (300, paid), (40, paid)]:
        CompanyParticipation.objects.create(activity=act, company=CompanyFactory(employees=employees))
    rows = {r["band"]: r for r in selectors.fee_level_by_sme_share(from_year=2024, to_year=2024)}
    assert rows["free"]["participations"] == 3 and rows["free"]["sme_share"] == round(2 / 3, 4)
    assert rows["2000_plus"]["participations"] == 2 and rows["2000_plus"]["sme_share"] == 0.5
    assert rows["under_500"]["sme_share"] is None


def test_an_activity_with_aid_is_not_deleted(client, api_key_for, activity, company, director):
    services.aid_record_set(activity=activity, company=company, actor=director,
                            legal_basis=AidLegalBasis.CLUSTER_ACCESS, amount_dkk=500)
    client.force_login(director)
    r = client.post(f"/aktiviteter/{activity.pk}/slet/", {"version": activity.version})
    assert r.status_code == 200 and "registreret statsstøtte" in r.content.decode()
    r = client.delete(f"/api/v1/activities/{activity.external_id}/", HTTP_AUTHORIZATION=f"Bearer {api_key_for}")
    assert r.status_code == 409
    assert type(activity).objects.filter(pk=activity.pk).exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # PROTECT, services bypassed
        type(activity).objects.filter(pk=activity.pk).delete()
    record = StateAidRecord.objects.get()
    client.force_login(UserFactory(role=Role.DIRECTOR, cluster=ClusterFactory()))
    assert client.post(f"/aktiviteter/{activity.pk}/statsstoette/", {"delete_aid": record.pk}).status_code == 404
    client.force_login(director)
    assert client.post(f"/aktiviteter/{activity.pk}/statsstoette/", {"delete_aid": record.pk}).status_code == 302
    assert not StateAidRecord.objects.exists()
    assert ClusterDataEvent.objects.filter(object_type="stateaidrecord", action="deleted").exists()
    r = client.post(f"/aktiviteter/{activity.pk}/slet/", {"version": activity.version})
    assert r.status_code == 302 and not type(activity).objects.filter(pk=activity.pk).exists()

"""Outcomes in companies (grants/outcomes/): the rows shared by the page and the API (all or
nothing, idempotent), the single-use survey through the outbox, the retention of the contact,
the public aggregates with small-number suppression, and Danmarks Statistik's file."""

import io
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from clusters.ingest import IngestValidationError
from clusters.models import CompanyParticipation, ExchangeRate, FacilitatedProject, StateAidCeiling
from clusters.stateaid.defaults import seed_defaults
from grants.notifications.models import Notification
from grants.notifications.services import relay_pending
from grants.outcomes import services
from grants.outcomes.effects import EffectFileInvalid, parse
from grants.outcomes.models import CompanyOutcome, EffectMeasurement, OutcomeEvent, SurveyInvitation
from grants.statistics.outcome_tables import fee_table, outcome_table
from tests.factories import ActivityFactory, CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def stateaid_configuration(db):
    """The ceilings and rate the migration seeds (a flush by an earlier transactional or demo
    test removes them)."""
    seed_defaults(StateAidCeiling, ExchangeRate)


@pytest.fixture
def activity(cluster):
    return ActivityFactory(cluster=cluster, external_id="crm-7", start_date=date(2026, 4, 1),
                           end_date=date(2026, 4, 1), title="Matchmaking om brint")


@pytest.fixture
def company(activity):
    c = CompanyFactory(name="Brint ApS")
    CompanyParticipation.objects.create(activity=activity, company=c)
    return c


def rows(company, **over):
    return [{"cvr": company.cvr, "activity": "crm-7", "kind": "product", **over}]


def test_upsert_is_idempotent_and_writes_its_event(cluster, director, company):
    first = services.outcomes_upsert(cluster=cluster, actor=director, items=rows(company) + rows(
        company, kind="investment", investment_dkk=2_000_000))
    assert first.as_dict() == {"created": 2, "updated": 0, "unchanged": 0}
    again = services.outcomes_upsert(cluster=cluster, actor=director, items=rows(company))
    assert again.as_dict() == {"created": 0, "updated": 0, "unchanged": 1}
    changed = services.outcomes_upsert(cluster=cluster, actor=director,
                                       items=rows(company, kind="investment", investment_dkk=3_000_000))
    assert changed.updated == 1
    o = CompanyOutcome.objects.get(kind="investment")
    assert (o.year, o.investment_dkk, o.source, o.created_by) == (2026, 3_000_000, "cluster", director)
    assert OutcomeEvent.objects.filter(actor=director).count() == 2


def test_upsert_is_all_or_nothing_and_names_each_field(cluster, director, other_cluster, company):
    outsider = CompanyFactory()
    foreign = ActivityFactory(cluster=other_cluster, external_id="theirs")
    CompanyParticipation.objects.create(activity=foreign, company=outsider)
    bad = [
        *rows(company),  # fine, but the request fails as a whole
        {"cvr": "12345678", "activity": "crm-7", "kind": "product"},
        {"cvr": company.cvr, "activity": "crm-7", "kind": "fame"},
        {"cvr": company.cvr, "activity": "crm-7", "kind": "investment"},
        {"cvr": company.cvr, "activity": "crm-7", "kind": "idea", "investment_dkk": 5},
        {"cvr": outsider.cvr, "activity": "theirs", "kind": "idea"},  # another cluster's activity
        {"cvr": outsider.cvr, "activity": "crm-7", "kind": "idea"},  # not a participant
        {"cvr": company.cvr, "kind": "idea"},
    ]
    with pytest.raises(IngestValidationError) as exc:
        services.outcomes_upsert(cluster=cluster, actor=director, items=bad)
    got = {(e["index"], e["field"]) for e in exc.value.errors}
    assert {(1, "cvr"), (2, "kind"), (3, "investment_dkk"), (4, "investment_dkk"), (5, "activity"),
            (6, "cvr"), (7, "activity")} <= got
    assert not any(i == 0 for i, _f in got)
    assert not CompanyOutcome.objects.exists()


def test_outcomes_from_a_facilitated_project(cluster, director, company):
    project = FacilitatedProject.objects.create(cluster=cluster, external_id="p-1", title="FoU", funder="IFD",
                                                funder_kind="national_public", year=2026, amount_applied_dkk=1)
    project.partner_companies.add(company)
    services.outcomes_upsert(cluster=cluster, actor=director,
                             items=[{"cvr": company.cvr, "project": "p-1", "kind": "rd_application"}])
    assert CompanyOutcome.objects.get().project == project


def test_survey_link_goes_through_the_outbox_and_is_single_use(client, cluster, director, company, activity,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks():
        services.survey_invite(cluster=cluster, actor=director, company=company, activity=activity,
                               contact_name="Kim Kontakt", contact_email="kim@brint.example")
    n = Notification.objects.get(kind=services.SURVEY_KIND)
    assert n.recipient is None and n.to_email == "kim@brint.example" and "/resultater/svar/" in n.url
    token = n.url.rstrip("/").rsplit("/", 1)[1]
    assert SurveyInvitation.objects.get().token_sha256 == services.token_hash(token)  # the token itself is not kept
    mail.outbox.clear()
    assert relay_pending() == 1
    assert mail.outbox[0].to == ["kim@brint.example"] and n.url in mail.outbox[0].body
    path = f"/resultater/svar/{token}/"
    r = client.get(path)
    assert r.status_code == 200 and "Brint ApS" in r.content.decode()
    r = client.post(path, {"kinds": ["investment", "competence"]})
    assert r.status_code == 400 and "investeringens størrelse" in r.content.decode()
    assert not CompanyOutcome.objects.exists()
    r = client.post(path, {"kinds": ["investment", "competence"], "investment_dkk": "250.000"})
    assert r.status_code == 200 and "Tak for svaret" in r.content.decode()
    got = {(o.kind, o.source, o.investment_dkk, o.company_id) for o in CompanyOutcome.objects.all()}
    assert got == {("investment", "survey", 250_000, company.pk), ("competence", "survey", None, company.pk)}
    assert client.post(path, {"kinds": ["idea"]}).status_code == 410  # used up
    assert CompanyOutcome.objects.count() == 2
    assert client.get("/resultater/svar/nonsense/").status_code == 404


def test_an_expired_link_is_refused(client, cluster, director, company, activity):
    services.survey_invite(cluster=cluster, actor=director, company=company, activity=activity,
                           contact_email="kim@brint.example")
    token = Notification.objects.get().url.rstrip("/").rsplit("/", 1)[1]
    SurveyInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/resultater/svar/{token}/").status_code == 410


def test_survey_only_to_a_participant(cluster, director, activity):
    with pytest.raises(Exception) as exc:
        services.survey_invite(cluster=cluster, actor=director, company=CompanyFactory(), activity=activity,
                               contact_email="x@y.example")
    assert "cvr" in exc.value.message_dict
    assert not Notification.objects.exists()


def test_retention_clears_the_contact_and_its_outbox_row(cluster, director, company, activity, settings):
    services.survey_invite(cluster=cluster, actor=director, company=company, activity=activity,
                           contact_name="Kim", contact_email="kim@brint.example")
    later = timezone.now() + timedelta(days=services.SURVEY_VALID_DAYS + settings.SURVEY_CONTACT_RETENTION_DAYS + 1)
    assert services.survey_contacts_forget(now=timezone.now()) == 0
    assert services.survey_contacts_forget(now=later, dry_run=True) == 1
    assert services.survey_contacts_forget(now=later) == 1
    inv = SurveyInvitation.objects.get()
    assert (inv.contact_name, inv.contact_email) == ("", "") and inv.contact_forgotten_at
    assert not Notification.objects.filter(to_email="kim@brint.example").exists()
    assert services.survey_contacts_forget(now=later) == 0  # twice changes nothing


def test_outcomes_page_both_ways(client, director, other_director, caseworker, company, django_assert_max_num_queries):
    client.force_login(caseworker)
    assert client.get("/resultater/2026/").status_code == 403
    client.force_login(other_director)
    r = client.post("/resultater/2026/", {"action": "add", "subject": "a:crm-7", "cvr": company.cvr,
                                         "kind": "idea"})
    assert r.status_code == 400  # not their activity: not even offered
    assert not CompanyOutcome.objects.exists()
    client.force_login(director)
    r = client.post("/resultater/2026/", {"action": "add", "subject": "a:crm-7", "cvr": company.cvr,
                                         "kind": "investment"})
    assert r.status_code == 400 and "beløb" in r.content.decode()
    r = client.post("/resultater/2026/", {"action": "add", "subject": "a:crm-7", "cvr": company.cvr,
                                         "kind": "idea"})
    assert r.status_code == 302
    outcome = CompanyOutcome.objects.get()
    client.force_login(other_director)
    assert client.post("/resultater/2026/", {"action": "delete", "outcome": outcome.pk}).status_code == 404
    client.force_login(director)
    with django_assert_max_num_queries(16):
        assert client.get("/resultater/2026/").status_code == 200


def test_public_outcomes_and_fee_tables_withhold_small_numbers(cluster, director, activity):
    companies = [CompanyFactory() for _ in range(6)]
    for c in companies:
        CompanyParticipation.objects.create(activity=activity, company=c)
    services.outcomes_upsert(cluster=cluster, actor=director, items=[
        {"cvr": c.cvr, "activity": "crm-7", "kind": "competence"} for c in companies
    ] + [{"cvr": companies[0].cvr, "activity": "crm-7", "kind": "idea"}])
    table = outcome_table(from_year=2026, to_year=2026, public=True)
    by_label = {row[0].value: row for row in table.rows}
    competence = by_label["Ny kompetence"]
    assert competence[1].value == 6 and not competence[1].suppressed and competence[4].value == 1.0
    assert by_label["Ny idé"][1].suppressed  # one company only
    assert not outcome_table(from_year=2026, to_year=2026, public=False).rows[1][1].suppressed
    fees = fee_table(from_year=2026, to_year=2026, public=True)
    assert fees.rows[0][2].value == 6 and not fees.rows[0][2].suppressed


def test_public_statistics_page_shows_the_outcomes_section(client):
    r = client.get("/statistik/")
    assert r.status_code == 200 and "Resultater i virksomhederne" in r.content.decode()
    assert "Deltagerbetaling og andel SMV" in r.content.decode()
    assert client.get("/statistik/eksport/resultater.csv").status_code == 200


GOOD = ("klynge_cvr;aar;indikator;deltagere;kontrolgruppe;antal_deltagere;antal_kontrol\n"
        "{cvr};2024;Beskæftigelsesvækst (%);3,5;1,25;120;480\n")


def test_effect_file_loads_and_replaces(cluster, caseworker):
    rows = parse(io.BytesIO(("\ufeff" + GOOD.format(cvr=cluster.cvr)).encode()))
    assert services.effect_measurements_load(rows=rows, actor=caseworker) == 1
    assert services.effect_measurements_load(rows=rows, actor=caseworker) == 1
    m = EffectMeasurement.objects.get()
    assert (str(m.treated_value), str(m.control_value), m.treated_firms) == ("3.5000", "1.2500", 120)


@pytest.mark.parametrize("content, message", [
    (b"\xff\xfe\x00garbage", "UTF-8"),
    (b"", "tom"),
    (b"a;b\n1;2\n", "mangler"),
    (b"klynge_cvr;aar;indikator;deltagere;kontrolgruppe;antal_deltagere;antal_kontrol\n"
     b"1;x;y;=1+1;2;3;4\n", "Række 2"),
    (b"klynge_cvr;aar;indikator;deltagere;kontrolgruppe;antal_deltagere;antal_kontrol\n"
     b"1;2024;y;NaN;2;3;4\n", "Række 2"),
    (b"x" * (2 * 1024 * 1024 + 1), "for stor"),
])
def test_hostile_effect_files_are_refused(content, message):
    with pytest.raises(EffectFileInvalid) as exc:
        parse(io.BytesIO(content))
    assert message in " ".join(exc.value.errors)


def test_effects_page_both_ways(client, director, caseworker, cluster, django_assert_max_num_queries):
    client.force_login(director)
    assert client.get("/resultater/effektmaaling/").status_code == 403
    client.force_login(caseworker)
    bad = SimpleUploadedFile("dst.csv", GOOD.format(cvr="99999999").encode(), content_type="text/csv")
    r = client.post("/resultater/effektmaaling/", {"file": bad})
    assert r.status_code == 400 and "ingen klynge" in r.content.decode()
    assert not EffectMeasurement.objects.exists()
    good = SimpleUploadedFile("dst.csv", GOOD.format(cvr=cluster.cvr).encode(), content_type="text/csv")
    assert client.post("/resultater/effektmaaling/", {"file": good}).status_code == 302
    with django_assert_max_num_queries(12):
        r = client.get("/resultater/effektmaaling/")
    assert "Beskæftigelsesvækst" in r.content.decode() and cluster.name in r.content.decode()

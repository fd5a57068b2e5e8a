"""Browser tests of issue 16 (items 1, 3, 5), in Danish in headless Chromium: a director writes
in a case at phone width and the caseworker answers; a conditions decision creates its deadline
and the cluster's condition report; the head of office finds a proposal under "Til godkendelse"
and confirms it on the confirmation page. axe-core runs on every new page.
(The withdrawal with its hearing is in test_midway.py.)"""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.midway.schedule import grant_create
from evaluations.midway.services import decision_propose, evaluation_open
from evaluations.panels.defaults import ensure_default_rubrics
from grants.cases import proposals
from grants.cases import services as cases
from grants.cases.flows import report_submit
from grants.cases.models import Case, CaseAttachment, ConditionFollowUp
from grants.constants import CaseStatus, CaseType, ProposalStatus, TrancheStatus
from klyngeadmin.kernel.roles import Role
from tests.builders import award_accepted
from tests.e2e.conftest import screenshot
from tests.evaluations.conftest import answer_all, score_as, set_consensus
from tests.factories import ClusterFactory, UserFactory
from tests.grants.report_helpers import fill_report

PASSWORD = "test-password-123"
PHONE = {"width": 390, "height": 844}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def shot(page, name):
    screenshot(page, f"casework_{name}")


@pytest.fixture
def people(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_default_rubrics()
    cluster = ClusterFactory(name="Dialogklyngen Syd")
    director = UserFactory(username="direktoer", role=Role.DIRECTOR, cluster=cluster,
                           first_name="Dorthe", last_name="Direktør")
    worker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER, first_name="Karen",
                         last_name="Sagsbehandler")
    worker2 = UserFactory(username="sagsbehandler2", role=Role.CASEWORKER, first_name="Kasper",
                          last_name="ERST")
    head = UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE, first_name="Henrik",
                       last_name="Kontorchef")
    grant = award_accepted(grant_create(cluster=cluster, reference="KP-E2E-DIALOG", start_year=2025,
                                        horizon_years=10, annual_amount_dkk=6_000_000), director)
    return {"cluster": cluster, "director": director, "worker": worker, "worker2": worker2,
            "head": head, "grant": grant}


def login(browser, live_server, username, viewport=None):
    kwargs = {"viewport": viewport} if viewport else {}
    context = browser.new_context(locale="da-DK", base_url=live_server.url, **kwargs)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill(PASSWORD)
    page.get_by_role("button", name="Log ind").click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return page


def _report_case(people):
    report = fill_report(people["grant"].reports.get(year=2025))
    report_submit(report=report, actor=people["director"])
    case = Case.objects.get(report=report)
    cases.case_take(case=case, actor=people["worker"])
    cases.case_transition(case=case, to=CaseStatus.IN_PROGRESS, actor=people["worker"])
    case.refresh_from_db()
    return case


def test_director_writes_at_phone_width_and_the_caseworker_answers(browser, live_server, people,
                                                                   axe, tmp_path):
    case = _report_case(people)
    journal = case.journal_number
    attachment = tmp_path / "budget.pdf"
    attachment.write_bytes(PDF)

    director = login(browser, live_server, "direktoer", viewport=PHONE)
    director.goto("/mine-sager/")
    expect(director.get_by_role("heading", level=1)).to_have_text("Mine sager hos Erhvervsstyrelsen")
    expect(director.get_by_test_id("cluster-case-status").first).to_have_text(
        "Under behandling hos Erhvervsstyrelsen")
    axe(director)
    director.get_by_role("link", name=journal).click()
    expect(director).to_have_url(re.compile(rf"/mine-sager/{journal}/$"))
    # a message of blanks only is refused in Danish, and nothing is sent
    director.get_by_label("Besked til Erhvervsstyrelsen").fill("   ")
    director.get_by_role("button", name="Send besked").click()
    expect(director.get_by_role("alert")).to_contain_text("Skriv en besked.")
    director.get_by_label("Besked til Erhvervsstyrelsen").fill("Hvornår udbetales raten for 2025?")
    director.get_by_label("Bilag (valgfrit)").set_input_files(str(attachment))
    director.get_by_role("button", name="Send besked").click()
    expect(director.get_by_text("Beskeden er sendt til Erhvervsstyrelsen.")).to_be_visible()
    expect(director.get_by_role("link", name="budget.pdf")).to_be_visible()
    axe(director)
    shot(director, "director_phone")
    assert director.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")

    worker = login(browser, live_server, "sagsbehandler")
    worker.goto("/sager/")
    worker.get_by_role("link", name=re.compile(r"^Svar fra klyngen")).click()
    expect(worker.get_by_test_id("cluster-replied")).to_have_count(1)
    axe(worker)
    worker.get_by_role("link", name=journal).click()
    expect(worker.get_by_test_id("case-message").filter(
        has_text="Hvornår udbetales raten for 2025?")).to_be_visible()
    download = worker.request.get(worker.get_by_role("link", name="budget.pdf").first.get_attribute("href"))
    assert download.status == 200 and download.body() == PDF
    worker.get_by_text("Skriv til klyngen", exact=True).click()
    worker.get_by_label("Besked til klyngen").fill("Raten udbetales, når rapporten er godkendt.")
    worker.locator("form[action$='/besked/'] button[type=submit]").click()
    expect(worker.get_by_text("Beskeden er sendt til klyngen.")).to_be_visible()
    worker.goto("/sager/?fane=svar")
    expect(worker.get_by_text("Ingen sager matcher filtrene.")).to_be_visible()

    director.reload()
    expect(director.get_by_test_id("cluster-event").filter(
        has_text="Raten udbetales, når rapporten er godkendt.")).to_be_visible()
    assert CaseAttachment.objects.get().event.case_id == case.pk
    for p in (director, worker):
        p.context.close()


def test_conditions_decision_creates_the_deadline_and_the_cluster_reports(browser, live_server,
                                                                          people, axe):
    evaluation = people["grant"].midway_evaluation
    evaluation_open(evaluation=evaluation, actor=people["worker"])
    answer_all(evaluation, people["director"])
    score_as(evaluation, people["worker"], 3)
    score_as(evaluation, people["worker2"], 3)
    evaluation.refresh_from_db()
    set_consensus(evaluation, people["worker"], 3, "conditions")
    due = timezone.localdate() + timedelta(days=60)
    decision_propose(evaluation=evaluation, actor=people["worker"], outcome="conditions",
                     reasons="Middel score.", conditions="Mindst 30 nye SMV'er i aktiviteterne.",
                     follow_up_due=due)

    head = login(browser, live_server, "kontorchef")
    head.goto(f"/midtvejsevaluering/{evaluation.pk}/")
    head.get_by_role("button", name="Godkend afgørelsen").click()
    expect(head.locator("#evaluation-status")).to_have_text("Afgjort")
    followup = ConditionFollowUp.objects.get(case__evaluation=evaluation,
                                             case__case_type=CaseType.CONDITIONS)
    assert timezone.localtime(followup.deadline.due_at).date() == due
    journal = followup.case.journal_number

    director = login(browser, live_server, "direktoer")
    director.goto("/mine-sager/")
    row = director.get_by_role("row").filter(has_text=journal)
    expect(row).to_contain_text("Jeres redegørelse for vilkårene")
    expect(row).to_contain_text(str(due.year))
    row.get_by_role("link", name=journal).click()
    expect(director.get_by_role("heading", name="Redegørelse for vilkår")).to_be_visible()
    expect(director.get_by_text("Mindst 30 nye SMV'er i aktiviteterne.").first).to_be_visible()
    axe(director)
    director.get_by_label("Redegørelse for, hvordan vilkårene er opfyldt").fill(
        "Vi har haft 34 nye SMV'er med i aktiviteterne.")
    director.get_by_role("button", name="Send redegørelsen").click()
    expect(director.get_by_text("Jeres redegørelse er sendt til Erhvervsstyrelsen.")).to_be_visible()
    expect(director.get_by_test_id("waiting-for")).to_have_text("Intet fra jer")

    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/sager/{journal}/")
    expect(worker.get_by_test_id("case-message").filter(
        has_text="Vi har haft 34 nye SMV'er")).to_be_visible()
    worker.get_by_role("button", name="Påbegynd behandlingen").click()
    worker.get_by_text("Vurdér vilkårene", exact=True).click()
    worker.get_by_label("Vilkårene er opfyldt", exact=True).check()
    worker.get_by_label("Begrundelse for vurderingen").fill("Målet er nået.")
    worker.get_by_role("button", name="Registrér vurderingen").click()
    expect(worker.get_by_test_id("case-status")).to_have_text("Afgjort")
    axe(worker)
    followup.refresh_from_db()
    assert followup.outcome == "met" and followup.deadline.completed_at is not None
    for p in (head, director, worker):
        p.context.close()


def test_head_of_office_finds_the_proposal_and_confirms_it(browser, live_server, people, axe):
    case = _report_case(people)
    cases.case_approve_report(case=case, actor=people["worker"])
    proposal = proposals.tranche_propose_release(
        case=case, actor=people["worker"], amount_dkk=6_000_000,
        pay_on=date.today() + timedelta(days=5))

    head = login(browser, live_server, "kontorchef")
    head.goto("/sager/")
    head.get_by_role("link", name=re.compile(r"^Til godkendelse")).click()
    item = head.get_by_test_id("awaiting-approval")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("6.000.000 kr.")
    expect(item).to_contain_text("Karen Sagsbehandler")
    axe(head)
    head.get_by_role("link", name=case.journal_number).click()
    head.get_by_role("button", name="Godkend indstillingen").click()
    expect(head.get_by_role("heading", level=1)).to_have_text("Bekræft godkendelsen")
    expect(head.get_by_test_id("confirm-amount")).to_have_text("6.000.000 kr.")
    expect(head.get_by_test_id("confirm-grant")).to_contain_text("KP-E2E-DIALOG")
    expect(head.get_by_test_id("confirm-proposer")).to_contain_text("Karen Sagsbehandler")
    axe(head)
    shot(head, "confirm")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED  # the page alone changes nothing
    head.get_by_role("button", name="Ja, godkend 6.000.000 kr.").click()
    expect(head.get_by_text("afgørelsesbrevet er dannet")).to_be_visible()
    proposal.refresh_from_db()
    proposal.tranche.refresh_from_db()
    assert proposal.status == ProposalStatus.APPROVED
    assert proposal.tranche.status == TrancheStatus.RELEASED
    head.goto("/sager/?fane=godkendelse")
    expect(head.get_by_text("Ingen sager matcher filtrene.")).to_be_visible()
    head.context.close()


def test_complaint_route_version_diff_and_cluster_pages_pass_axe(browser, live_server, people,
                                                                  axe):
    case = _report_case(people)
    cases.case_request_changes(case=case, actor=people["worker"], text="Ret sponsoraterne.")
    report = case.report
    report.refresh_from_db()
    report.cofinancing_sponsorship_dkk = 123_000
    report.save(update_fields=["cofinancing_sponsorship_dkk"])
    report_submit(report=report, actor=people["director"])
    case.refresh_from_db()
    cases.case_approve_report(case=case, actor=people["worker"])
    proposal = proposals.tranche_propose_release(case=case, actor=people["worker"],
                                                 amount_dkk=6_000_000, pay_on=date.today())
    proposals.tranche_proposal_approve(proposal=proposal, actor=people["head"])

    worker = login(browser, live_server, "sagsbehandler")
    worker.goto(f"/sager/{case.journal_number}/")
    worker.get_by_role("link", name="ændringer i 2 mod 1").click()
    expect(worker.get_by_test_id("diff-summary")).to_have_text("1 felt er ændret.")
    expect(worker.get_by_test_id("changed-row")).to_contain_text("123.000 kr.")
    axe(worker)
    worker.goto(f"/sager/{case.journal_number}/")
    worker.get_by_role("link", name="Klyngens aktiviteter og virksomheder").click()
    expect(worker.get_by_role("heading", level=1)).to_contain_text("aktiviteter og virksomheder i 2025")
    axe(worker)

    director = login(browser, live_server, "direktoer")
    director.goto("/mine-sager/")
    director.get_by_role("link", name=re.compile("^Klag over afgørelsen")).first.click()
    expect(director.get_by_role("heading", level=1)).to_have_text("Klag over afgørelsen")
    axe(director)
    director.get_by_label("Jeres klage og begrundelsen for den").fill("Udbetalingsdatoen er forkert.")
    director.get_by_role("button", name="Send klagen").click()
    expect(director.get_by_text(re.compile(r"Jeres klage er modtaget og oprettet som sag"))).to_be_visible()
    complaint = Case.objects.get(case_type=CaseType.COMPLAINT)
    assert complaint.appeal_of.case_id == case.pk
    worker.goto(f"/sager/{complaint.journal_number}/")
    expect(worker.get_by_test_id("case-message").filter(
        has_text="Udbetalingsdatoen er forkert.")).to_be_visible()
    axe(worker)
    for p in (worker, director):
        p.context.close()

"""Browser test of issue 16, item 2 for the open call, in Danish in headless Chromium: the
caseworker proposes to reject an application and sends the hearing letter from its case; the
head of office cannot decide before the applicant is heard; the applicant (at phone width)
reads the letter and answers with an attachment on their application's page; then the head
of office rejects, and the rejection letter quotes the answer's receipt. axe-core runs on the
pages the hearing adds to."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluations.calls import services as cs
from evaluations.midway.panel_services import ScoreInput, consensus_save
from evaluations.models import Criterion
from evaluations.panels.defaults import ensure_default_rubrics
from grants.cases.models import Case, Hearing
from grants.constants import LetterKind
from klyngeadmin.kernel.roles import Role
from tests.e2e.test_casework_both_ways import PASSWORD, PDF, PHONE, login
from tests.evaluations.test_open_call import apply_and_submit, score_panel
from tests.factories import UserFactory, next_cvr


@pytest.fixture
def scored(transactional_db, settings, tmp_path):
    """An application the panel found weak (consensus: reject), waiting for the proposal."""
    settings.MEDIA_ROOT = tmp_path / "media"
    ensure_default_rubrics()
    admin = UserFactory(username="admin1", administrator=True)
    worker = UserFactory(username="sagsbehandler", role=Role.CASEWORKER)
    worker2 = UserFactory(username="sagsbehandler2", role=Role.CASEWORKER)
    UserFactory(username="kontorchef", role=Role.HEAD_OF_OFFICE)
    now = timezone.now()
    call = cs.call_publish(call=cs.call_create(
        title="Åbent opslag 2027", description="Spirende områder", budget_dkk=20_000_000,
        opens_at=now - timezone.timedelta(days=1), closes_at=now + timezone.timedelta(days=30),
        actor=admin), actor=admin)
    applicant = cs.applicant_register(
        username="ansoeger", email="a@example.test", password=PASSWORD, first_name="Anna",
        last_name="Ansøger", organisation_name="Kvanteklyngen Fyn", cvr=next_cvr(), city="Odense",
        region="DK-83")
    application = apply_and_submit(call, applicant)
    panel = score_panel(application, [worker, worker2], value=1)
    consensus_save(panel=panel, actor=worker, outcome="reject", text="Svag",
                   scores={c.pk: ScoreInput(value=1, reason="Svag")
                           for c in Criterion.objects.filter(rubric=panel.rubric)})
    return {"application": application, "applicant": applicant}


def test_rejection_after_the_applicants_hearing(browser, live_server, scored, axe):
    application = scored["application"]
    detail = f"/opslag/ansoegninger/{application.pk}/"

    # The caseworker proposes the rejection and is told the applicant must be heard first.
    page = login(browser, live_server, "sagsbehandler")
    page.goto(detail)
    page.get_by_role("link", name="Indstil afgørelse").click()
    page.get_by_label("Afslag").check()
    page.get_by_label("Begrundelse").fill("Konsortiet er for spinkelt til et 10-årigt forløb.")
    page.get_by_role("button", name="Indstil til godkendelse").click()
    expect(page.get_by_text("Et afslag træffes først, når ansøgeren er partshørt.")).to_be_visible()
    journal = Case.objects.get(application=application).journal_number

    # The head of office cannot reject before the hearing.
    head = login(browser, live_server, "kontorchef")
    head.goto(detail)
    head.get_by_role("button", name="Godkend indstillingen").click()
    expect(head.get_by_text("kræver en partshøring først")).to_be_visible()
    expect(head.locator("#application-status")).to_have_text("Under bedømmelse")

    # The caseworker sends the hearing letter from the application's case.
    page.get_by_test_id("application-case").click()
    expect(page).to_have_url(re.compile(rf"/sager/{journal}/$"))
    expect(page.get_by_test_id("case-application")).to_be_visible()
    page.get_by_text("Send i partshøring", exact=True).click()
    expect(page.get_by_label("Afgørelsen, parten høres om")).to_have_value("application_rejection")
    page.get_by_label("Påtænkt afgørelse").fill("Ansøgningen afslås.")
    page.get_by_label("Begrundelse", exact=True).fill("Konsortiet er for spinkelt.")
    page.get_by_role("button", name="Send høringsbrev").click()
    expect(page.get_by_text("Høringsbrevet er sendt, og sagen afventer partens svar.")).to_be_visible()
    axe(page)

    # The applicant, on a phone, reads the letter and answers with an attachment.
    mobile = login(browser, live_server, "ansoeger", viewport=PHONE)
    mobile.goto(detail)
    expect(mobile.get_by_role("heading", name="Partshøring: jeres svar")).to_be_visible()
    expect(mobile.get_by_text("Ansøgningen afslås.").first).to_be_visible()
    hearing = Hearing.objects.get(case__journal_number=journal)
    letter = mobile.request.get(f"/afgoerelsesbreve/{hearing.letter_id}/")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    axe(mobile)
    mobile.get_by_label("Jeres høringssvar").fill("Vi har fået to nye partnere med.")
    mobile.get_by_label("Bilag (valgfrit)").set_input_files(
        files=[{"name": "partnere.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    mobile.get_by_role("button", name="Send høringssvar").click()
    expect(mobile.get_by_text("Jeres høringssvar er modtaget.")).to_be_visible()
    expect(mobile.get_by_test_id("hearing-answers")).to_contain_text(f"kvittering {journal}-H")
    expect(mobile.get_by_test_id("hearing-answers")).to_contain_text("partnere.pdf")

    # Now the head of office rejects; the applicant finds the letter quoting the receipt.
    head.goto(detail)
    head.get_by_role("button", name="Godkend indstillingen").click()
    expect(head.get_by_text("Afgørelsen er truffet, og ansøgeren er underrettet.")).to_be_visible()
    expect(head.locator("#application-status")).to_have_text("Afslået")
    rejection = Case.objects.get(journal_number=journal).letters.get(
        kind=LetterKind.APPLICATION_REJECTED)
    assert f"kvittering {journal}-H{hearing.pk}-" in rejection.body
    mobile.goto(detail)
    expect(mobile.get_by_test_id("application-letters")).to_contain_text("Afgørelse om ansøgning")
    for context_page in (page, head, mobile):
        context_page.context.close()

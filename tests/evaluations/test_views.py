"""Views: allowed and denied (anonymous -> login, other cluster -> 404, wrong role -> 403),
blind scoring in the page and by URL, and constant query counts on the list pages."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from evaluations.constants import EvaluationStatus as S
from evaluations.midway.panel_services import panel_join
from evaluations.models import Criterion, PanelMember, Rubric
from tests.evaluations.conftest import hear_cluster, score_as, set_consensus
from tests.factories import ClusterFactory, UserFactory
from tests.grants.case_fixtures import media_root  # noqa: F401 (letters are stored)


def url(name, evaluation, *args):
    return reverse(f"evaluations:{name}", args=[evaluation.pk, *args])


def test_anonymous_is_sent_to_login(client, evaluation):
    for target in [reverse("evaluations:list"), url("detail", evaluation), url("self_assessment", evaluation),
                   url("score", evaluation), reverse("evaluations:cohort", args=[2029]),
                   reverse("evaluations:rubrics")]:
        response = client.get(target)
        assert response.status_code == 302 and "/login/" in response["Location"], target


def test_list_is_scoped(client, evaluation, other_grant, director, caseworker):
    client.force_login(director)
    body = client.get(reverse("evaluations:list")).content.decode()
    assert evaluation.grant.cluster.name in body
    assert other_grant.cluster.name not in body
    client.force_login(caseworker)
    body = client.get(reverse("evaluations:list")).content.decode()
    assert evaluation.grant.cluster.name in body and other_grant.cluster.name in body


def test_other_cluster_gets_404(client, opened, other_director):
    client.force_login(other_director)
    for name in ["detail", "self_assessment", "score", "consensus", "propose", "letter"]:
        assert client.get(url(name, opened)).status_code == 404, name


def test_open_allowed_for_caseworker_denied_for_director(client, evaluation, caseworker, director):
    client.force_login(director)
    assert client.post(url("open", evaluation)).status_code == 403
    client.force_login(caseworker)
    # before its year (the grant's year 5 lies ahead): a confirmation page, nothing opened yet
    assert evaluation.year > timezone.localdate().year
    page = client.post(url("open", evaluation))
    assert page.status_code == 200 and "Åbn midtvejsevalueringen før tid?" in page.content.decode()
    assert str(evaluation.year) in page.content.decode()
    evaluation.refresh_from_db()
    assert evaluation.status == S.SCHEDULED
    assert client.post(url("open", evaluation), {"bekraeftet": "1"}).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == S.SELF_ASSESSMENT


def test_open_in_its_year_needs_no_confirmation(client, evaluation, caseworker):
    type(evaluation).objects.filter(pk=evaluation.pk).update(year=timezone.localdate().year,
                                                             decision_effective_year=timezone.localdate().year + 1)
    client.force_login(caseworker)
    assert client.post(url("open", evaluation)).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == S.SELF_ASSESSMENT


def test_self_assessment_form_for_cluster_only(client, opened, director, caseworker):
    client.force_login(caseworker)
    assert client.get(url("self_assessment", opened)).status_code == 403
    client.force_login(director)
    response = client.get(url("self_assessment", opened))
    assert response.status_code == 200
    assert "Nøgletal for år 1–5" in response.content.decode()


def test_self_assessment_submit_incomplete_shows_error_and_saves_nothing(client, opened, director):
    client.force_login(director)
    criteria = list(opened.rubric.criteria.all())
    data = {"version": 1, "summary": "", "submit": "1", f"answer_{criteria[0].pk}": "Kun ét svar"}
    response = client.post(url("self_assessment", opened), data)
    assert response.status_code == 200
    assert "Besvar alle kriterier" in response.content.decode()
    opened.refresh_from_db()
    assert opened.status == S.SELF_ASSESSMENT
    assert not opened.self_assessment.answers.exclude(text="").exists()


def test_self_assessment_stale_version_refused(client, opened, director):
    client.force_login(director)
    client.post(url("self_assessment", opened), {"version": 1, "summary": "Første", "save": "1"})
    response = client.post(url("self_assessment", opened), {"version": 1, "summary": "Anden", "save": "1"})
    assert "ændret af en anden" in response.content.decode()
    opened.self_assessment.refresh_from_db()
    assert opened.self_assessment.summary == "Første"


def test_self_assessment_submit_via_page(client, opened, director):
    client.force_login(director)
    data = {"version": 1, "summary": "Samlet", "submit": "1"}
    for c in opened.rubric.criteria.all():
        data[f"answer_{c.pk}"] = "Svar"
    response = client.post(url("self_assessment", opened), data)
    assert response.status_code == 302
    opened.refresh_from_db()
    assert opened.status == S.SCORING


def test_attachment_upload_and_download_scoped(client, opened, director, other_director, caseworker):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(director)
    bad = client.post(url("attach", opened), {"title": "x", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "Filtypen er ikke tilladt" in bad.content.decode()
    client.post(url("attach", opened), {"title": "Strategi", "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4")})
    attachment = opened.self_assessment.attachments.get()
    assert client.get(url("attachment", opened, attachment.pk)).status_code == 200
    client.force_login(caseworker)
    assert client.get(url("attachment", opened, attachment.pk)).status_code == 200
    client.force_login(other_director)
    assert client.get(url("attachment", opened, attachment.pk)).status_code == 404


def test_join_panel_requires_declaration(client, in_scoring, caseworker, director):
    client.force_login(director)
    assert client.get(url("join_panel", in_scoring)).status_code == 403
    client.force_login(caseworker)
    response = client.post(url("join_panel", in_scoring), {"declaration": ""})
    assert response.status_code == 200
    assert "erklære, at du ikke er inhabil" in response.content.decode()
    assert not PanelMember.objects.exists()
    response = client.post(url("join_panel", in_scoring), {"no_conflict": "on"})
    assert response.status_code == 302
    assert PanelMember.objects.filter(user=caseworker).exists()


def test_blind_scoring_in_page_and_by_url(client, in_scoring, caseworker, caseworker2, head_of_office):
    """caseworker submits 5s with a distinctive reason; caseworker2 cannot see them in the page or
    by URL until they have submitted too (then everyone on the authority side can)."""
    first = score_as(in_scoring, caseworker, value=5)
    from evaluations.models import Score

    Score.objects.filter(member=first).update(reason="HEMMELIG-BEGRUNDELSE")
    member2 = panel_join(panel=in_scoring.panel, actor=caseworker2, no_conflict=True)
    client.force_login(caseworker2)
    page = client.get(url("score", in_scoring)).content.decode()
    assert "HEMMELIG-BEGRUNDELSE" not in page
    detail = client.get(url("detail", in_scoring)).content.decode()
    assert "HEMMELIG-BEGRUNDELSE" not in detail
    assert url("member_scores", in_scoring, first.pk) not in detail
    assert client.get(url("member_scores", in_scoring, first.pk)).status_code == 403
    client.force_login(head_of_office)
    assert client.get(url("member_scores", in_scoring, first.pk)).status_code == 403
    # caseworker2 submits: scoring closes and the scores are revealed
    client.force_login(caseworker2)
    data = {"submit": "1"}
    for c in in_scoring.rubric.criteria.all():
        data[f"score_{c.pk}"] = "2"
        data[f"reason_{c.pk}"] = "Begrundet"
    assert client.post(url("score", in_scoring), data).status_code == 302
    in_scoring.refresh_from_db()
    assert in_scoring.status == S.CONSENSUS
    response = client.get(url("member_scores", in_scoring, first.pk))
    assert response.status_code == 200 and "HEMMELIG-BEGRUNDELSE" in response.content.decode()
    assert member2.pk != first.pk


def test_non_member_cannot_open_score_page(client, in_scoring, caseworker):
    client.force_login(caseworker)
    assert client.get(url("score", in_scoring)).status_code == 403


def test_score_departure_without_reason_is_refused(client, in_scoring, caseworker):
    """A score differing from the suggestion needs a reason; the error sits next to the field."""
    panel_join(panel=in_scoring.panel, actor=caseworker, no_conflict=True)
    client.force_login(caseworker)
    page = client.get(url("score", in_scoring))
    criterion = in_scoring.rubric.criteria.get(key="sme-knowledge")
    suggested = page.context["form"].initial.get(f"score_{criterion.pk}")
    other = "5" if suggested != "5" else "0"
    response = client.post(url("score", in_scoring), {f"score_{criterion.pk}": other, "save": "1"})
    if suggested is None:
        assert response.status_code == 302  # no data: no suggestion to depart from
    else:
        body = response.content.decode()
        assert response.status_code == 400 and "afviger fra det foreslåede" in body
        assert f'aria-describedby="id_score_{criterion.pk}_error"' in body


def test_consensus_and_propose_permissions(client, in_consensus, caseworker, caseworker2, head_of_office, director):
    client.force_login(director)
    assert client.get(url("consensus", in_consensus)).status_code == 403
    client.force_login(head_of_office)  # not on the panel
    assert client.get(url("consensus", in_consensus)).status_code == 403
    client.force_login(caseworker)
    assert client.get(url("consensus", in_consensus)).status_code == 200
    # propose only after consensus: the caseworker may open the page, the head of office may not
    assert client.get(url("propose", in_consensus)).status_code == 200
    client.force_login(head_of_office)
    assert client.get(url("propose", in_consensus)).status_code == 403


def test_propose_and_approve_four_eyes_via_views(client, in_consensus, caseworker, head_of_office, director):
    set_consensus(in_consensus, caseworker, 1, "withdraw")
    client.force_login(caseworker)
    response = client.post(url("propose", in_consensus), {
        "version": in_consensus.version, "outcome": "conditions", "reasons": "r"})
    assert response.status_code == 400 and "Skriv vilkårene" in response.content.decode()
    client.post(url("propose", in_consensus), {"version": in_consensus.version, "outcome": "withdraw",
                                               "reasons": "Lav score"})
    in_consensus.refresh_from_db()
    assert in_consensus.status == S.PROPOSED
    # the proposer cannot approve (not head of office, and the proposer)
    assert client.post(url("approve", in_consensus)).status_code == 403
    client.force_login(director)
    assert client.post(url("approve", in_consensus)).status_code == 403
    assert client.get(url("letter", in_consensus)).status_code == 403  # not decided yet
    client.force_login(head_of_office)
    # Not before the cluster has been heard (partshøring) ...
    assert client.post(url("approve", in_consensus), {"version": in_consensus.version,
                                                      "bekraeftet": "1"}).status_code == 302
    in_consensus.refresh_from_db()
    assert in_consensus.status == S.PROPOSED
    hear_cluster(in_consensus, caseworker, director)
    in_consensus.refresh_from_db()
    # ... and a withdrawal asks for confirmation first: grant, amount and proposer; nothing changes
    page = client.post(url("approve", in_consensus), {"version": in_consensus.version})
    assert page.status_code == 200
    body = page.content.decode()
    assert in_consensus.grant.reference in body and "Bekræft tilbagekaldelsen" in body
    assert caseworker.get_full_name() in body
    in_consensus.refresh_from_db()
    assert in_consensus.status == S.PROPOSED
    assert client.post(url("approve", in_consensus), {"version": in_consensus.version,
                                                      "bekraeftet": "1"}).status_code == 302
    in_consensus.refresh_from_db()
    assert in_consensus.status == S.DECIDED
    client.force_login(director)
    letter = client.get(url("letter", in_consensus))
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF")
    # The letter is kept with the case as it was sent, listed on the cluster's own page, and
    # served from there (not rendered again from today's data).
    from grants.cases.models import DecisionLetter

    stored = DecisionLetter.objects.get(case__evaluation=in_consensus, kind="midway_decision")
    assert stored.cluster_id == director.cluster_id and stored.created_by == head_of_office
    assert letter.content == stored.file.open("rb").read()
    assert "Afgørelse i midtvejsevalueringen" in client.get("/mine-sager/").content.decode()
    with open(stored.file.path, "wb") as f:
        f.write(b"%PDF-1.4 as sent")
    assert client.get(url("letter", in_consensus)).content == b"%PDF-1.4 as sent"


@pytest.mark.usefixtures("media_root")
def test_letter_html_states_scores_reasons_and_appeal_deadline(in_consensus, caseworker, head_of_office,
                                                               director):
    from evaluations.midway.letters import decision_letter_html
    from evaluations.midway.services import decision_approve, decision_propose

    set_consensus(in_consensus, caseworker, 1, "withdraw")
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="withdraw", reasons="For lav score")
    hear_cluster(in_consensus, caseworker, director)
    decision = decision_approve(evaluation=in_consensus, actor=head_of_office)
    html = decision_letter_html(in_consensus)
    assert "Tilbagekaldelse" in html and "For lav score" in html
    assert "Klagefrist" in html or "klagefrist" in html
    assert decision.appeal_deadline.strftime("%Y") in html
    assert "1,00" in html  # the adjusted total
    from django.utils import translation

    with translation.override("en"):  # a legal document: Danish whoever asks
        assert decision_letter_html(in_consensus) == html


def test_cohort_authority_only_and_constant_queries(client, django_assert_max_num_queries, evaluation,
                                                    caseworker, director):
    from evaluations.midway.schedule import grant_create

    client.force_login(director)
    assert client.get(reverse("evaluations:cohort", args=[2029])).status_code == 403
    assert client.get(reverse("evaluations:cohort_xlsx", args=[2029])).status_code == 403
    client.force_login(caseworker)
    # about 20, plus the rubric version's choices and the targets' attainment (issue 15)
    with django_assert_max_num_queries(28) as small:
        assert client.get(reverse("evaluations:cohort", args=[2029])).status_code == 200
    for i in range(3):
        c = ClusterFactory()
        grant_create(cluster=c, reference=f"KP-Q-{i}", start_year=2025, horizon_years=10,
                     annual_amount_dkk=1_000_000)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("evaluations:cohort", args=[2029]))
    assert response.content.decode().count("<th scope=\"row\">") == 4


def test_cohort_xlsx(client, in_consensus, caseworker):
    set_consensus(in_consensus, caseworker, 4, "continue")
    client.force_login(caseworker)
    response = client.get(reverse("evaluations:cohort_xlsx", args=[2029]))
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "Klynge"
    assert rows[1][0] == in_consensus.grant.cluster.name
    assert 4.0 in rows[1]  # the adjusted total (all criteria at 4)


def test_list_query_count_constant(client, django_assert_max_num_queries, evaluation, caseworker):
    from evaluations.midway.schedule import grant_create

    client.force_login(caseworker)
    with django_assert_max_num_queries(10) as first:
        client.get(reverse("evaluations:list"))
    for i in range(3):
        grant_create(cluster=ClusterFactory(), reference=f"KP-L-{i}", start_year=2025, horizon_years=10,
                     annual_amount_dkk=1_000_000)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(reverse("evaluations:list"))


def test_rubric_admin_allowed_and_denied(client, administrator, caseworker, opened):
    client.force_login(caseworker)
    assert client.get(reverse("evaluations:rubrics")).status_code == 403
    client.force_login(administrator)
    assert client.get(reverse("evaluations:rubrics")).status_code == 200
    locked = opened.rubric
    # a locked rubric's criteria cannot be edited in the browser
    criterion = locked.criteria.first()
    response = client.post(reverse("evaluations:criterion", args=[locked.pk, criterion.pk]),
                           {"key": criterion.key, "title": "Ændret", "weight": 1, "kind": "judgement",
                            "position": 1})
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.title != "Ændret"
    # a new version can be edited and activated
    client.post(reverse("evaluations:rubric_new_version", args=[locked.pk]))
    new = Rubric.objects.get(purpose="midway", version=2)
    c2 = new.criteria.get(key=criterion.key)
    response = client.post(reverse("evaluations:criterion", args=[new.pk, c2.pk]),
                           {"key": c2.key, "title": "Ændret", "weight": 7, "kind": "data", "metric": "",
                            "position": 1})
    assert response.status_code == 200 and "skal have et nøgletal" in response.content.decode()
    client.post(reverse("evaluations:criterion", args=[new.pk, c2.pk]),
                {"key": c2.key, "title": "Ændret", "weight": 7, "kind": "judgement", "metric": "",
                 "position": 1})
    assert Criterion.objects.get(pk=c2.pk).title == "Ændret"
    client.post(reverse("evaluations:rubric_activate", args=[new.pk]))
    assert Rubric.objects.get(purpose="midway", active=True) == new


@pytest.mark.parametrize("role", ["director", "caseworker", "head_of_office"])
def test_detail_renders_for_roles(client, proposed, role, request):
    user = request.getfixturevalue(role)
    client.force_login(user)
    response = client.get(url("detail", proposed))
    assert response.status_code == 200
    body = response.content.decode()
    if role == "director":
        assert "Lav score på alle kriterier" not in body  # a proposal is internal until decided
    else:
        assert "Lav score på alle kriterier" in body


def test_director_of_cluster_in_other_role_cannot_score(client, in_scoring):
    staff = UserFactory(role="cluster_staff", cluster=in_scoring.grant.cluster)
    client.force_login(staff)
    assert client.get(url("join_panel", in_scoring)).status_code == 403
    assert client.get(url("member_scores", in_scoring, 1)).status_code == 403


def test_steps_before_their_prerequisites_answer_in_danish_not_500(
    client, evaluation, director, administrator
):
    """Scheduled: no self-assessment, no panel, no decision yet. The steps' rules depend on the
    evaluation's state, so everyone - the administrator too, whom the app's rules treat like
    any other role - is refused (403), and nothing answers 500 or changes."""
    client.force_login(director)
    assert client.get(url("self_assessment", evaluation)).status_code == 403
    client.force_login(administrator)
    for name in ("self_assessment", "consensus", "letter"):
        assert client.get(url(name, evaluation)).status_code == 403, name
    assert client.post(url("approve", evaluation), {"version": 1}).status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == "scheduled"


def test_adding_an_attachment_keeps_the_typed_answers(client, opened, director, settings, tmp_path):
    """The upload button belongs to the answers' form: the typed text comes along and is kept
    as the page's draft, shown again after the upload, whether the file is taken or refused."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    client.force_login(director)
    page = url("self_assessment", opened)
    html = client.get(page).content.decode()
    assert 'form="self-assessment-form" formaction="' in html
    typed = {"summary": "Skrevet, ikke gemt", "version": ""}
    bad = client.post(url("attach", opened), {**typed, "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert bad.status_code == 400 and "Skrevet, ikke gemt" in bad.content.decode()
    client.post(url("attach", opened), {**typed, "title": "Strategi",
                                        "file": SimpleUploadedFile("s.pdf", b"%PDF-1.4")})
    assert opened.self_assessment.attachments.count() == 1
    html = client.get(page).content.decode()
    assert "Skrevet, ikke gemt" in html and 'id="draft-restored"' in html
    opened.self_assessment.refresh_from_db()
    assert opened.self_assessment.summary == ""  # kept as a draft, not saved behind their back

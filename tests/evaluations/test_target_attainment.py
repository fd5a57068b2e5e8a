"""The midway rubric's "target attainment" criterion (issue 15): the suggestion from the
grant's own targets, n/a without targets, in the default rubric; the rubric version's choices
(level per grant krone, emerging areas as their own peer group); the cohort shows attainment."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from evaluations.midway import selectors
from evaluations.midway.letters import decision_letter_html
from evaluations.midway.schedule import grant_create
from evaluations.midway.services import decision_approve, decision_propose
from evaluations.models import Criterion, Rubric
from evaluations.panels import scoring
from grants.targets.services import targets_set_at_award
from tests.evaluations.conftest import set_consensus
from tests.factories import ActivityFactory, ClusterFactory, StrengthPositionFactory
from tests.grants.case_fixtures import media_root  # noqa: F401 (decision letters are stored)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("media_root")]

shares = st.one_of(st.none(), st.decimals(min_value=0, max_value="1.5", places=4))


@given(values=st.dictionaries(st.integers(1, 5), shares))
def test_attainment_suggestion_bounds_and_na(values):
    p = scoring.attainment_point(values, [])
    if all(v is None for v in values.values()):
        assert not p.has_data and p.suggested is None  # no targets: not applicable
    else:
        assert Decimal(0) <= p.suggested <= Decimal(5)
        assert p.suggested_points in range(0, 6)


@given(a=st.decimals(min_value=0, max_value="1.5", places=4),
       b=st.decimals(min_value=0, max_value="1.5", places=4))
def test_attainment_suggestion_is_monotone_and_full_at_target(a, b):
    low, high = sorted([a, b])
    assert scoring.attainment_point({1: low}, []).suggested <= scoring.attainment_point(
        {1: high}, []).suggested
    if high >= 1:
        assert scoring.attainment_point({1: high}, []).suggested == 5


def test_default_rubric_has_the_target_criterion(rubrics):
    rubric = Rubric.objects.get(purpose="midway", active=True)
    c = Criterion.objects.get(rubric=rubric, key="target-attainment")
    assert c.kind == "target_attainment" and c.metric == "" and c.is_target_attainment
    assert sum(rubric.criteria.values_list("weight", flat=True)) == 100


def test_starting_point_from_targets_and_na_without(evaluation, caseworker):
    criteria = selectors.criteria_of(evaluation.rubric)
    points = selectors.starting_points(evaluation, criteria)
    assert not points["target-attainment"].has_data  # no targets yet: n/a
    grant = evaluation.grant
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": 1, "indicator": "rd_applications", "target": 4}])
    for _ in range(2):
        ActivityFactory(cluster=grant.cluster, activity_type="rd_application")
    points = selectors.starting_points(evaluation, criteria)
    p = points["target-attainment"]
    assert p.level == Decimal("0.5000") and p.suggested_points == 3  # 2 of 4: 2,50 -> 3


def _emerging_evaluation():
    position = StrengthPositionFactory(emerging=True)
    cluster = ClusterFactory(strength_position=position)
    g = grant_create(cluster=cluster, reference=f"KP-EM-{cluster.pk}", start_year=2025,
                     horizon_years=10, annual_amount_dkk=2_000_000)
    return g.midway_evaluation


def test_emerging_areas_form_their_own_peer_group(evaluation, rubrics):
    other = _emerging_evaluation()
    rubric = Rubric.objects.get(purpose="midway", active=True)
    criteria = selectors.criteria_of(rubric)
    points = selectors.starting_points_for([evaluation, other], criteria).by_evaluation
    assert points[evaluation.pk]["sme-reach"].peers == 2
    Rubric.objects.filter(pk=rubric.pk).update(emerging_peer_group=True)
    points = selectors.starting_points_for([evaluation, other], criteria).by_evaluation
    assert points[evaluation.pk]["sme-reach"].peers == 1
    assert points[other.pk]["sme-reach"].peers == 1


def test_level_per_grant_krone_is_a_recorded_choice(evaluation, rubrics):
    grant = evaluation.grant  # 10 mio. kr. a year
    ActivityFactory(cluster=grant.cluster, international=True)
    rubric = Rubric.objects.get(purpose="midway", active=True)
    criteria = selectors.criteria_of(rubric)
    plain = selectors.starting_points(evaluation, criteria)["internationalisation"]
    assert plain.values[1] == 1
    Rubric.objects.filter(pk=rubric.pk).update(normalise_per_grant_krone=True)
    per_krone = selectors.starting_points(evaluation, criteria)["internationalisation"]
    assert per_krone.values[1] == Decimal("0.1000")  # 1 per 10 mio. = 0.1 per mio.
    # shares stay shares
    assert selectors.per_mio_grant_kroner(None, 1) is None


def test_cohort_shows_attainment(client, evaluation, caseworker):
    targets_set_at_award(grant=evaluation.grant, actor=caseworker, rows=[
        {"year_number": 1, "indicator": "international_activities", "target": 1}])
    ActivityFactory(cluster=evaluation.grant.cluster, international=True)
    client.force_login(caseworker)
    page = client.get(reverse("evaluations:cohort", args=[2029])).content.decode()
    assert "Målopfyldelse år 1-5" in page and "100 %" in page
    xlsx = client.get(reverse("evaluations:cohort_xlsx", args=[2029]))
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    header = [c.value for c in ws[1]]
    col = header.index("Målopfyldelse år 1-5")
    assert Decimal(str(ws.cell(row=2, column=col + 1).value)) == 1


def test_withdrawal_letter_of_a_cluster_below_its_targets_shows_attainment(
        in_consensus, caseworker, director, head_of_office, settings, tmp_path):
    from tests.evaluations.conftest import hear_cluster

    settings.MEDIA_ROOT = tmp_path / "media"
    grant = in_consensus.grant
    targets_set_at_award(grant=grant, actor=caseworker, rows=[
        {"year_number": 1, "indicator": "rd_applications", "target": 4}])
    ActivityFactory(cluster=grant.cluster, activity_type="rd_application")  # 1 of 4
    set_consensus(in_consensus, caseworker, 1, "withdraw")
    decision_propose(evaluation=in_consensus, actor=caseworker, outcome="withdraw",
                     reasons="Under måltallene")
    hear_cluster(in_consensus, caseworker, director)  # an adverse decision: after the hearing
    decision_approve(evaluation=in_consensus, actor=head_of_office)
    html = decision_letter_html(in_consensus)
    assert "Måltal og målopfyldelse" in html
    assert "i gennemsnit opfyldt 25 %" in html
    assert "ikke har indfriet sine måltal" in html


def test_rubric_pages_record_the_choices(client, administrator, rubrics):
    client.force_login(administrator)
    r = client.post(reverse("evaluations:rubric_create"), {
        "purpose": "midway", "name": "Pr. krone", "description": "",
        "normalise_per_grant_krone": "on", "emerging_peer_group": "on"})
    assert r.status_code == 302
    rubric = Rubric.objects.get(name="Pr. krone")
    assert rubric.normalise_per_grant_krone and rubric.emerging_peer_group
    r = client.post(reverse("evaluations:rubric", args=[rubric.pk]), {
        "name": "Pr. krone", "description": "", "version": rubric.row_version,
        "emerging_peer_group": "on"})
    rubric.refresh_from_db()
    assert not rubric.normalise_per_grant_krone and rubric.emerging_peer_group

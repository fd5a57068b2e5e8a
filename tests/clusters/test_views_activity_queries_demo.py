"""The activity list and the projects list use a fixed number of queries whatever the amount of
data: the demo data's largest cluster (director-foedevarer) against a cluster with two activities."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clusters.models import Activity, FacilitatedProject
from klyngeadmin.accounts.models import User
from klyngeadmin.kernel.roles import Role
from tests.factories import ActivityFactory, ClusterFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST_MAX_QUERIES = 7  # session, user, years, count, page, header's cluster + notification count


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", [
    "/aktiviteter/",
    "/aktiviteter/?q=a&year=2022&activity_type=knowledge_sharing&international=nej&eu_funded=nej",
    "/aktiviteter/?side=9",  # past the small cluster's last page: its first page
    "/projekter/",
])
def test_fixed_query_count_on_the_largest_cluster(client, demo_data, path,
                                                  django_assert_max_num_queries):
    director = User.objects.get(username="director-foedevarer")
    assert Activity.objects.filter(cluster_id=director.cluster_id).count() > 600
    client.force_login(director)
    with django_assert_max_num_queries(LIST_MAX_QUERIES):
        big = queries(client, path)
    small = ClusterFactory()
    for i in range(2):
        ActivityFactory(cluster=small, title=f"a {i}", start_date=date(2022, 5, 1),
                        end_date=date(2022, 5, 1))
    FacilitatedProject.objects.create(cluster=small, external_id="p", title="p", funder="EUDP",
                                      funder_kind="eu", year=2025, amount_applied_dkk=1)
    client.force_login(UserFactory(role=Role.DIRECTOR, cluster=small))
    assert big <= queries(client, path)


def test_largest_cluster_list_counts_match_the_data(client, demo_data):
    director = User.objects.get(username="director-foedevarer")
    client.force_login(director)
    response = client.get("/aktiviteter/")
    page = list(response.context["activities"])
    assert len(page) == 50
    for a in page[:5]:
        assert a.n_companies == a.company_participations.count()
        assert a.n_institutions == a.institution_participations.count()

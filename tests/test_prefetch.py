"""klyngeadmin.kernel.prefetch.mark_empty: an empty reverse relation answers without a query."""

from grants.cases.models import Case, CaseEvent
from klyngeadmin.kernel.prefetch import mark_empty
from tests.grants.case_fixtures import make_report_case


def test_a_relation_marked_empty_answers_without_a_query(db, grant, director,
                                                           django_assert_num_queries):
    case = make_report_case(grant, director)
    case = Case.objects.get(pk=case.pk)
    assert case.events.exists()  # it has events: the mark, not the data, makes them empty
    mark_empty([case], "events", "hearings")
    with django_assert_num_queries(0):
        assert list(case.events.all()) == [] and list(case.hearings.all()) == []
        assert case.events.count() == 0 and not case.hearings.exists()


def test_the_mark_is_per_instance_and_refresh_forgets_it(db, grant, director,
                                                        django_assert_num_queries):
    made = make_report_case(grant, director)
    marked, other = Case.objects.get(pk=made.pk), Case.objects.get(pk=made.pk)
    mark_empty([marked], "events")
    n = CaseEvent.objects.filter(case=made).count()
    assert n > 0
    with django_assert_num_queries(1):
        assert len(other.events.all()) == n
    marked.refresh_from_db()
    with django_assert_num_queries(1):
        assert len(marked.events.all()) == n

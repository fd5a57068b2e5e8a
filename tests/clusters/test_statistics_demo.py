"""The demo programme reproduces klyngestatistik 2021-2023 exactly (its own module: the demo
data lives for the whole module)."""

import pytest

from grants.statistics.selectors import HEADLINE_KEYS, headline_figures, programme_statistics

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_data_gives_the_reference_figures(demo_data):
    figures = headline_figures(from_year=2021, to_year=2023)
    assert set(HEADLINE_KEYS) <= set(figures)
    assert figures["companies"] == 11_050
    assert figures["activities"] == 3_083
    assert figures["institution_participations"] == 5_784
    assert figures["institution_activities"] == 2_284
    assert figures["grant_spent_dkk"] == 365_000_000
    assert figures["external_funding_dkk"] == 850_000_000
    assert figures["companies_outside_strength_position"] == 5_525
    assert 0.49 <= figures["share_companies_outside_strength_position"] <= 0.51
    assert figures["sme_companies"] == (
        figures["micro_companies"] + figures["small_companies"] + figures["medium_companies"]
    )
    assert figures["leverage"] == round(850 / 365, 2)


def test_demo_data_trend_and_clusters_add_up(demo_data):
    stats = programme_statistics(from_year=2021, to_year=2023)
    assert [year for year, _ in stats.by_year] == [2021, 2022, 2023]
    assert sum(f["activities"] for _, f in stats.by_year) == 3_083
    assert sum(f["grant_spent_dkk"] for _, f in stats.by_year) == 365_000_000
    assert sum(f["external_funding_dkk"] for _, f in stats.by_cluster) == 850_000_000
    assert len(stats.by_cluster) == 13
    # companies in several clusters count once nationally, once in each cluster
    assert sum(f["companies"] for _, f in stats.by_cluster) > stats.totals["companies"]




def test_the_statistics_pages_read_right(demo_data, client):
    """No "kr.." after an amount, "Faciliterede" (not "Facilitererede"), »« quotes."""
    for url in ("/statistik/", "/statistik/?fra=2021&til=2023"):
        html = client.get(url).content.decode()
        assert "kr.." not in html
        assert "acilitererede" not in html and "Faciliterede" in html
        assert '("vises ikke"' not in html and "(»vises ikke« i tabellerne, »..« i" in html

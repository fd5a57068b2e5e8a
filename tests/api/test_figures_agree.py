"""One cluster-year, every door: the report's key figures (page and API), the statistics
(caseworker page export, cluster page export, API) and the midway metric give the same
numbers (clusters.figures). The data has one company inside, one outside, one more inside
and one with an unknown industry."""

import csv
import io

import pytest
from openpyxl import load_workbook

from clusters.figures import KEY_FIGURES
from evaluations.constants import Metric
from evaluations.midway.metrics import key_figures
from grants.reports.selectors import report_key_figures
from tests.grants.report_helpers import build_activity_data, report_for

pytestmark = pytest.mark.django_db

YEAR = 2025
EXPECTED = {
    "companies": 4,
    "smes": 3,
    "companies_outside_strength_position": 1,
    "companies_unknown_industry": 1,
    "share_outside_strength_position": "0.3333",
}


def _rows(response) -> dict[str, list[str]]:
    text = response.content.decode("utf-8-sig")
    return {row[0]: row[1:] for row in csv.reader(io.StringIO(text), delimiter=";") if row}


def test_every_door_gives_the_same_key_figures(client, grant, director, caseworker, api,
                                               caseworker_api):
    cluster = grant.cluster
    build_activity_data(cluster, YEAR)
    report = report_for(grant, YEAR)
    selection = f"?from_year={YEAR}&to_year={YEAR}"

    assert report_key_figures(report=report)["key_figures"] == EXPECTED
    body = api.get(f"/api/v1/reports/{report.pk}/").json()
    assert body["key_figures"] == EXPECTED
    stats = caseworker_api.get(f"/api/v1/statistics/{selection}&cluster={cluster.slug}").json()
    assert {k: stats[k] for k in KEY_FIGURES} == EXPECTED
    midway = key_figures([Metric.OUTSIDE_SHARE, Metric.SME_REACH], [cluster.pk], [YEAR])
    assert str(midway[Metric.OUTSIDE_SHARE][(cluster.pk, YEAR)]) == "0.3333"
    assert midway[Metric.SME_REACH][(cluster.pk, YEAR)] == 3

    for user, base in ((caseworker, "/statistik/sagsbehandler/"), (director, "/statistik/klynge/")):
        client.force_login(user)
        extra = f"&clusters={cluster.pk}" if user == caseworker else ""
        headline = _rows(client.get(f"{base}eksport/noegletal.csv{selection}{extra}"))
        assert headline["Virksomheder (forskellige)"] == ["4"]
        assert headline["Virksomheder uden for klyngens styrkeposition"] == ["1"]
        assert headline["Virksomheder med ukendt branche (ingen DB07-kode)"] == ["1"]
        assert headline["Andel uden for styrkepositionen"] == ["0,3333"]
        position = _rows(client.get(f"{base}eksport/styrkeposition.csv{selection}{extra}"))
        assert position["Inden for styrkepositionen"] == ["2", "0,6667"]
        assert position["Uden for styrkepositionen"] == ["1", "0,3333"]
        assert position["Ukendt branche"] == ["1", ""]
        workbook = load_workbook(io.BytesIO(client.get(f"{base}eksport/alle.xlsx{selection}{extra}").content))
        sheet = {row[0]: row[1:] for row in workbook["styrkeposition"].iter_rows(values_only=True)}
        assert sheet["Ukendt branche"][0] == 1

import pytest

from tests.grants.case_fixtures import media_root  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _auditor_threshold_high(settings):
    """Most tests here are not about the auditor's statement: keep it out of the way."""
    settings.AUDITOR_STATEMENT_THRESHOLD_DKK = 50_000_000

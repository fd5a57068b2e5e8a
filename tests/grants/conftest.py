from tests.grants.case_fixtures import media_root, report_case  # noqa: F401 (fixtures for test_case*.py)

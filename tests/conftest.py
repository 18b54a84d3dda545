"""Fixtures shared by the tests. Shared tables and oracles are in support modules (helpers,
kind_cases, oracles); no test module imports another."""

import pytest


@pytest.fixture(autouse=True)
def _terminal_width_unset(monkeypatch):
    # every test starts from the documented default (piped output is 160 columns) whatever the
    # shell or the test runner says (pytest-xdist's workers set COLUMNS=80); a test that means a
    # width sets COLUMNS itself
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    # nor the terminal the tests were started from (piped output fits the user's terminal)
    monkeypatch.setattr("cnncalc.cli._terminal_width", lambda: None)


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/* from the current output (review the diff!)",
    )


@pytest.fixture
def update_golden(request):
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def analyzed():
    """analyze() memoized per built-in name, for tests that read many rows of one network."""
    from helpers import analyzed

    return analyzed

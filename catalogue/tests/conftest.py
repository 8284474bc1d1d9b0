import pytest

from catalogue.tests.helpers import copy_patterns


@pytest.fixture
def patterns_root(tmp_path):
    """A writable copy of the shipped patterns, to break or bump one of them."""
    return copy_patterns(tmp_path)


@pytest.fixture
def web_app(catalogue):
    """The current version of the public-facing web application."""
    return catalogue["web-app"].current_version


@pytest.fixture
def postgres_database(catalogue):
    return catalogue["postgres-database"].current_version

"""Notification fixtures: a mail server that is not there."""

import pytest

from tests.smtp import free_port, use_smtp


@pytest.fixture
def smtp_down(settings):
    """Django sends its mail to a port where nothing listens: connection refused."""
    use_smtp(settings, free_port())

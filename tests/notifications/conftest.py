"""Notification fixtures: an SMTP server that keeps what it receives (aiosmtpd on a free
port), calendars and SLA policies, and cases to write about."""

import pytest

from tests.sla.seed import create_policies
from tests.smtp import free_port, use_smtp


@pytest.fixture
def smtp_down(settings):
    """Django sends its mail to a port where nothing listens: connection refused."""
    use_smtp(settings, free_port())


@pytest.fixture
def policies(db):
    return create_policies()

"""Shared fixtures: a throw-away folder for files, the people every permission test needs
(with an outsider) and browsers signed in as them, the SLA policies and a frozen clock, a
real Celery worker on the real broker, an SMTP server and a real Chromium driven by
Playwright. Plain helper functions are in tests/helpers.py."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.factories import (
    AgentFactory,
    CustomerFactory,
    DepartmentFactory,
    ManagerFactory,
    OrganizationFactory,
)
from tests.helpers import signed_in
from tests.sla.seed import T0, create_policies
from tests.smtp import SmtpSink, use_smtp

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    from django.conf import settings

    # With DEBUG off the settings ask for the manifest written by `collectstatic`; the
    # suite serves static files straight from the finders instead (the live server's
    # static handler does), so the plain storage is the honest one here.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Deliberately weak and fast: the suite hashes many passwords; PBKDF2 is tested by Django.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests read figures right after changing them: no minute-old report summary.
    settings.REPORT_SUMMARY_CACHE_SECONDS = 0
    # Production requires staff to enrol a second factor; the suite signs staff in with a
    # password alone unless a test asks for the requirement (tests/accounts/test_mfa.py).
    settings.MFA_REQUIRED_FOR_STAFF = False
    # Uploaded files and raw mail go to a throw-away folder of the run, never into var/
    # (set once: a per-test settings override costs about 10 ms a test).
    settings.MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="helpdesk-media-"))
    atexit.register(shutil.rmtree, settings.MEDIA_ROOT, ignore_errors=True)

    # Rate limits count in the cache; a cache of the run's own (not the shared Redis),
    # emptied before every test, keeps one test's sign-ins from counting against the next.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}
    }

    # Several runs of the suite share one PostgreSQL and one Redis (two engineers in one
    # checkout, an editor's test runner): each run sends its tasks to a queue of its own,
    # so another run's worker never takes them (see also django_db_modify_db_settings).
    from helpdesk.celery import app

    app.conf.task_default_queue = f"tests-{os.getpid()}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each run creates and drops a test database of its own, named after its process."""
    from django.conf import settings

    for db in settings.DATABASES.values():
        if db["ENGINE"] == "django.db.backends.sqlite3":
            continue  # SQLite's test database is in memory: private already.
        test = db.setdefault("TEST", {})
        test["NAME"] = f"{test.get('NAME') or 'test_' + db['NAME']}_{os.getpid()}"


@pytest.fixture(autouse=True)
def _empty_caches():
    from django.core.cache import caches

    from cases import clocks
    from cases.services import routing
    from helpdesk.accounts import identity

    for cache in caches.all():
        cache.clear()
    # A fresh test database holds no support identity: pages draw the default without
    # reading it, as they do once one page has been drawn.
    identity.remember(identity.DEFAULT)
    # A rolled-back test leaves no signal behind: forget the policies and hours it read.
    clocks.forget_policies()
    routing.forget_working_hours()


@pytest.fixture
def media_root(settings, tmp_path):
    """A folder of the test's own for uploaded files and raw mail, for tests that count
    what is stored (every other test uses the run's throw-away folder, see above)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- People -------------------------------------------------------------------------


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme")


@pytest.fixture
def other_organization(db):
    return OrganizationFactory(name="Globex")


@pytest.fixture
def support(db):
    return DepartmentFactory(name="Support")


@pytest.fixture
def hardware(db):
    return DepartmentFactory(name="Hardware")


@pytest.fixture
def parts(db):
    return DepartmentFactory(name="Parts")


@pytest.fixture
def agent(support):
    return AgentFactory(email="agent@example.test", full_name="Dana Lee", departments=[support])


@pytest.fixture
def teammate(hardware):
    """Sam, of Hardware: may add notes to Dana's cases, owns cases of their own, never
    steers someone else's."""
    return AgentFactory(email="sam@example.test", full_name="Sam Ortiz", departments=[hardware])


@pytest.fixture
def hw_agent(hardware):
    """Harper, of Hardware: does the work Hardware is asked for in a handoff."""
    return AgentFactory(
        email="harper@example.test", full_name="Harper Hale", departments=[hardware]
    )


@pytest.fixture
def manager(support):
    return ManagerFactory(
        email="manager@example.test", full_name="Morgan Reyes", departments=[support]
    )


@pytest.fixture
def customer(organization):
    return CustomerFactory(
        email="customer@example.test", full_name="Alex Kim", organization=organization
    )


@pytest.fixture
def outsider(other_organization):
    return CustomerFactory(
        email="outsider@example.test", full_name="Jordan Blake", organization=other_organization
    )


# --- Browsers of their own, signed in --------------------------------------------------


@pytest.fixture
def agent_client(agent):
    return signed_in(agent)


@pytest.fixture
def manager_client(manager):
    return signed_in(manager)


@pytest.fixture
def customer_client(customer):
    return signed_in(customer)


@pytest.fixture
def outsider_client(outsider):
    return signed_in(outsider)


# --- SLA policies and a frozen clock ------------------------------------------------


@pytest.fixture
def policies(db):
    """The SLA policies and calendars of tests/sla/seed.py."""
    return create_policies()


@pytest.fixture
def clock(time_machine):
    """Time stands still at T0 (Monday 3 March 2025, 09:00 UTC) until the test moves it."""
    time_machine.move_to(T0, tick=False)
    return time_machine


# --- A real Celery worker -----------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db):
    """A Celery worker in a thread, consuming from the real broker (Redis in `make test`).

    The worker's tasks use their own database connection, so the test's data must be
    committed: this fixture brings `transactional_db` with it.
    """
    from celery.contrib.testing.worker import start_worker

    from helpdesk.celery import app

    # Messages a test sent without a worker running are not for this test.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=20) as worker:
        yield worker


# --- A real browser -----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread, which trips Django's
    # async-unsafe check on every ORM call the test makes while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                headless=True,
                args=CHROMIUM_ARGS,
            )
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def smtp_sink(settings):
    """Django sends its mail to a fresh, real SMTP server for this test."""
    sink = SmtpSink().start()
    use_smtp(settings, sink.port)
    yield sink
    sink.stop()

"""Every page carries the headers that keep a browser from running what it should not:
a Content-Security-Policy with no inline script and no eval, no framing, no sniffing, a
same-origin referrer. And the production settings pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import HTMX, desk_url, streamed, upload

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0].lower()] = words[1:]
    return parsed


def assert_safe_headers(response, path: str) -> None:
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"{path}: no Content-Security-Policy"
    policy = directives(csp)
    script_src = policy.get("script-src", policy.get("default-src"))
    assert script_src, f"{path}: no script-src or default-src in {csp}"
    assert "'unsafe-inline'" not in script_src, path
    assert "'unsafe-eval'" not in csp, path
    assert "*" not in script_src and "data:" not in script_src, path
    if "sandbox" in policy:
        # A download: nothing in it may load or run, even if a browser were to render it
        # (X-Frame-Options below keeps it out of frames).
        assert policy["default-src"] == ["'none'"], path
    else:
        assert policy.get("frame-ancestors") == ["'none'"], path
        assert policy.get("object-src") == ["'none'"], path
        assert policy.get("base-uri") == ["'self'"], path
    assert response["X-Frame-Options"] == "DENY", path
    assert response["X-Content-Type-Options"] == "nosniff", path
    assert response["Referrer-Policy"] == "same-origin", path


@pytest.fixture
def a_case(agent, customer):
    from cases import services

    case = services.open_case(
        acting_user=agent, customer=customer, title="Headers", description="Check them"
    )
    services.take_ownership(case=case, acting_user=agent, expected_version=None)
    services.reply_to_customer(case=case, acting_user=agent, body="File", files=[upload("log.txt")])
    return case


def test_every_kind_of_page_sends_the_security_headers(
    client, agent, manager, customer, outsider, a_case
):
    ref = a_case.reference
    attachment = a_case.attachments.get()
    pages = {
        None: ["/accounts/login/", "/accounts/link/", "/accounts/password_reset/",
               "/desk/", "/no-such-page/"],
        agent: ["/desk/", f"/desk/cases/{ref}/", f"/desk/cases/{ref}/timeline/?after=0",
                "/desk/incidents/", "/portal/", "/reports/"],
        manager: ["/reports/", "/reports/audit/", "/reports/sla/?format=csv"],
        customer: ["/portal/", f"/portal/cases/{ref}/", "/desk/",
                   f"/portal/cases/{ref}/attachments/{attachment.pk}/"],
        outsider: [f"/portal/cases/{ref}/"],
    }  # fmt: skip
    seen_statuses = set()
    for user, paths in pages.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        for path in paths:
            response = client.get(path)
            seen_statuses.add(response.status_code)
            assert_safe_headers(response, path)
            if getattr(response, "streaming", False):
                streamed(response)
    # 200s, redirects, 403s and 404s alike.
    assert {200, 302, 403, 404} <= seen_statuses


def test_htmx_fragments_send_the_security_headers(client, agent, a_case):
    client.force_login(agent)

    response = client.get(desk_url(a_case, "timeline/?after=0"), headers=HTMX)

    assert response.status_code == 200
    assert_safe_headers(response, "timeline fragment")


def test_hsts_and_secure_cookies_in_production(client, agent, settings):
    if settings.DEBUG:
        pytest.skip("the suite runs with DEBUG=0 (make test); DEBUG=1 drops HSTS by design")
    response = client.post(
        "/accounts/login/", {"username": agent.email, "password": "pw"}, secure=True
    )

    assert response.status_code == 302
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert session["samesite"] == "Lax"


def test_the_password_hasher_of_the_production_settings_is_argon2():
    # tests/conftest.py swaps in a fast hasher for the suite; the settings module is the truth.
    import argon2  # noqa: F401  (the hasher's library is installed, not just named)

    import helpdesk.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_production_hashes_passwords_with_argon2(settings):
    from django.contrib.auth.hashers import check_password, make_password

    import helpdesk.settings as production

    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    encoded = make_password("correct horse battery staple")

    assert encoded.startswith("argon2$argon2id$")
    assert check_password("correct horse battery staple", encoded)


def run_check(**overrides: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DJANGO_"))}
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="help.example.com",
        SECURE_SSL_REDIRECT="1",
        SECURE_HSTS_PRELOAD="1",
    )
    env.update(overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checks():
    result = run_check()

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_would_catch_an_insecure_setting():
    """The check above can fail: a production without HTTPS redirect is refused."""
    result = run_check(SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0")

    assert result.returncode != 0
    assert "security.W008" in result.stderr + result.stdout
    assert "security.W012" in result.stderr + result.stdout

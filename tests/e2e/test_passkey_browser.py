"""A passkey as the second factor, in a real Chromium with a virtual authenticator (the
browser's own WebAuthn, through the DevTools protocol): an agent adds a security key, signs
out, and signs in again with the password and the key; without the key they stay out."""

import pytest
from allauth.mfa.models import Authenticator
from playwright.sync_api import expect

from tests.helpers import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def virtual_authenticator(page) -> None:
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_an_agent_adds_a_passkey_and_signs_in_with_it(page, live_server, settings, agent):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True  # the test server speaks http
    virtual_authenticator(page)
    browser_sign_in(page, live_server, agent.email)

    page.get_by_role("link", name="Two-step sign-in").click()
    page.get_by_role("link", name="Add").first.click()
    page.get_by_label("Name").fill("Laptop key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=agent, type="webauthn").count() == 1
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page, live_server, agent.email)
    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", name="Two-Factor Authentication")).to_be_visible()
    page.goto(f"{live_server.url}/desk/")
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/desk/")

    browser_sign_in(page, live_server, agent.email)
    page.get_by_role("button", name="Use a security key").click()

    expect(page).to_have_url(f"{live_server.url}/desk/")
    expect(page.get_by_test_id("signed-in-as")).to_have_text("Dana Lee · Agent")

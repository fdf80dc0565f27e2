"""Personal API tokens: created on the account page with the secret shown once and never
stored, used as a bearer token, refused once revoked or expired, each step audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpdesk.accounts.models import AuditEvent
from helpdesk.api.models import ApiToken
from tests.api.conftest import ApiClient, token_for

pytestmark = pytest.mark.django_db


def test_a_new_token_is_shown_once_and_stored_as_a_digest(agent_client, agent):
    page = agent_client.post(
        "/account/tokens/", {"name": "Monitoring", "scope": "write", "days": "90"}
    )

    assert page.status_code == 200
    secret = page.text.split('aria-label="Your new token"', 1)[0].rsplit('value="', 1)[1]
    secret = secret.split('"', 1)[0]
    assert secret.startswith("hd_")
    token = ApiToken.objects.get(user=agent)
    assert secret not in str(ApiToken.objects.values().get())  # only its digest is kept
    assert f"hd_{token.prefix}_…" in page.text
    assert ApiClient(secret).get("/api/v1/me").json()["email"] == "agent@example.test"
    again = agent_client.get("/account/tokens/")
    assert secret not in again.text and "Copy it now" not in again.text
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.API_TOKEN_CREATED)
    assert event.actor == agent and event.data["token"] == token.prefix


def test_a_refused_token_form_keeps_what_was_typed(agent_client, agent):
    token_for(agent, name="CRM sync")

    page = agent_client.post(
        "/account/tokens/", {"name": "CRM sync", "scope": "read", "days": "30"}
    )

    assert page.status_code == 422
    assert "You already have a token of that name" in page.text
    assert 'value="CRM sync"' in page.text
    assert ApiToken.objects.filter(user=agent).count() == 1


def test_a_customer_manages_tokens_in_the_portals_frame(customer_client):
    page = customer_client.get("/account/tokens/")

    assert page.status_code == 200
    assert "your organisation's cases, as the portal shows them" in page.text
    assert "Support portal" in page.text


def test_a_revoked_token_is_refused(agent_client, agent):
    secret = token_for(agent)
    token = ApiToken.objects.get(user=agent)

    agent_client.post(f"/account/tokens/{token.pk}/revoke/")

    response = ApiClient(secret).get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {
        "error": {
            "code": "unauthenticated",
            "message": "This token is unknown, expired or revoked.",
        }
    }
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.API_TOKEN_REVOKED, actor=agent).exists()


def test_nobody_revokes_someone_elses_token(client, agent, teammate):
    token_for(agent)
    token = ApiToken.objects.get(user=agent)
    client.force_login(teammate)

    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked is None


def test_an_expired_token_is_refused(agent, time_machine):
    secret = token_for(agent, days=30)
    time_machine.move_to(timezone.now() + timedelta(days=30, seconds=1))

    assert ApiClient(secret).get("/api/v1/me").status_code == 401


def test_a_token_of_someone_deactivated_is_refused(agent):
    secret = token_for(agent)
    agent.is_active = False
    agent.save()

    assert ApiClient(secret).get("/api/v1/me").status_code == 401


def test_no_token_or_a_forged_one_is_refused(agent):
    secret = token_for(agent)
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")

    missing = ApiClient(None).get("/api/v1/me")
    assert missing.status_code == 401
    assert missing.json()["error"]["message"] == "Send a personal token: Authorization: Bearer hd_…"
    assert missing.headers["WWW-Authenticate"] == 'Bearer realm="api"'
    assert ApiClient(forged).get("/api/v1/me").status_code == 401


def test_a_read_only_token_cannot_write(api, agent, laptop):
    response = api(agent, "read").post(f"/api/v1/cases/{laptop.reference}/note/", {"body": "Hi"})

    assert response.status_code == 403
    assert response.json()["error"] == {
        "code": "forbidden",
        "message": "This token may only read: create one that may read and write.",
    }
    assert not laptop.timeline.filter(body="Hi").exists()


def test_me_says_who_the_token_speaks_for(api, agent, customer):
    me = api(agent, "read").get("/api/v1/me").json()
    assert me["role"] == "agent" and me["departments"] == [
        {"id": me["departments"][0]["id"], "name": "Support"}
    ]
    assert me["token"]["scope"] == "read"

    them = api(customer).get("/api/v1/me").json()
    assert them["organization"]["name"] == "Acme" and them["departments"] == []


def test_each_token_has_its_rate(api, agent, settings):
    settings.API_RATE = "3/minute"
    caller, other = api(agent), api(agent)

    answers = [caller.get("/api/v1/me").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]
    refused = caller.get("/api/v1/me")
    assert refused.json()["error"]["code"] == "rate_limited"
    assert int(refused.headers["Retry-After"]) > 0
    assert other.get("/api/v1/me").status_code == 200  # another token counts on its own

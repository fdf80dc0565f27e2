"""The webhooks page: admins and department leads subscribe a receiver to events, read its
delivery log, resume it once paused; nobody else reaches it."""

import pytest

from helpdesk.api import webhooks
from helpdesk.api.models import WebhookDelivery, WebhookSubscription
from tests.helpers import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(agent, support):
    support.lead = agent
    support.save()
    return agent


def test_a_lead_subscribes_a_receiver_and_reads_its_log(lead, api, customer):
    page = signed_in(lead)

    made = page.post(
        "/desk/webhooks/",
        {"name": "Slack #support", "url": "https://hooks.example.test/support",
         "events": ["case.created", "sla.breached"]},
    )  # fmt: skip
    assert made.status_code == 302
    subscription = WebhookSubscription.objects.get()
    assert subscription.owner == lead and len(subscription.secret) == 64
    listed = page.get("/desk/webhooks/").text
    assert "Slack #support" in listed and subscription.secret in listed
    api(customer).post("/api/v1/cases/", {"title": "Printer jams"})
    log = page.get(f"/desk/webhooks/{subscription.pk}/").text
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "case.created" and str(delivery.event_id) in log


def test_a_bad_subscription_is_refused_as_typed(lead):
    page = signed_in(lead)

    refused = page.post("/desk/webhooks/", {"name": "Local file", "url": "file:///etc/passwd"})

    assert refused.status_code == 422
    assert "Enter a valid URL." in refused.text and 'value="Local file"' in refused.text
    assert "This field is required." in refused.text  # no event chosen
    assert not WebhookSubscription.objects.exists()


def test_only_admins_and_leads_manage_webhooks(agent, teammate, customer, lead):
    assert signed_in(teammate).get("/desk/webhooks/").status_code == 403
    assert signed_in(customer).get("/desk/webhooks/").status_code == 403
    assert "webhooks" in signed_in(lead).get("/account/tokens/").text
    assert "/desk/webhooks/" not in signed_in(teammate).get("/account/tokens/").text


def test_a_paused_subscription_is_resumed_from_the_page(lead):
    subscription = WebhookSubscription.objects.create(
        owner=lead, name="CRM", url="https://crm.example.test/hooks", secret=webhooks.new_secret(),
        events=["case.created"],
    )  # fmt: skip
    webhooks.pause(subscription, reason="10 failed attempts in a row; last: HTTP 500")
    page = signed_in(lead)
    assert "10 failed attempts in a row" in page.get("/desk/webhooks/").text

    page.post(f"/desk/webhooks/{subscription.pk}/resume/")

    subscription.refresh_from_db()
    assert not subscription.is_paused and subscription.failures == 0

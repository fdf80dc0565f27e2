"""A case an agent opens on a customer's behalf (a phone call) tells the customer's story
in the customer's name, and says who opened it for them, in the desk and the portal."""

import pytest
from django.urls import reverse

from cases.models import Case, EntryKind

pytestmark = pytest.mark.django_db


def test_the_story_is_the_customers_and_the_agent_is_named_as_opener(client, agent, customer):
    client.force_login(agent)
    client.post(
        reverse("desk:open_case"),
        {
            "customer": customer.pk,
            "title": "Phone: dock drops the screen",
            "description": "It happens every morning at nine, she says.",
            "priority": "20",
        },
    )
    case = Case.objects.get(title="Phone: dock drops the screen")
    opened = case.timeline.get(kind=EntryKind.CASE_OPENED)
    assert opened.actor == customer
    assert opened.data["opened_by"] == agent.pk

    desk = client.get(reverse("desk:case", kwargs={"reference": case.reference})).text
    assert "Case opened</strong>\n    · Alex Kim\n" in desk
    assert "Opened by Dana Lee on the customer&#x27;s behalf" in desk

    client.force_login(customer)
    portal = client.get(reverse("portal:case", kwargs={"reference": case.reference})).text
    assert "Case opened for you by Dana Lee" in portal
    assert "<strong>Dana Lee</strong>" not in portal.split("Case opened for you")[0][-400:]


def test_a_case_the_customer_opens_names_no_opener(client, customer):
    client.force_login(customer)
    client.post(
        reverse("portal:report"),
        {"title": "Printer jams", "description": "Tray 2.", "priority": "20"},
    )
    opened = Case.objects.get(title="Printer jams").timeline.get(kind=EntryKind.CASE_OPENED)
    assert opened.actor == customer and "opened_by" not in opened.data

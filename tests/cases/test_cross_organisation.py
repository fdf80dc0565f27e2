"""Probes from outside: a customer of another organisation reaches nothing of Acme's,
by any desk URL or through the visibility querysets; unknown references are 404."""

import pytest

from cases import services
from cases.models import Attachment, Case, TimelineEntry
from tests.helpers import desk_url, fresh, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_case(owned_case, agent):
    """Acme's case with a public reply, an internal note and an attachment on each."""
    services.reply_to_customer(
        case=owned_case,
        acting_user=agent,
        body="We ordered a battery.",
        files=[upload("invoice.pdf", b"%PDF-1.4", "application/pdf")],
    )
    services.add_internal_note(
        case=owned_case,
        acting_user=agent,
        body="Warranty ends next week.",
        files=[upload("warranty.txt", b"ends soon")],
    )
    return owned_case


def desk_urls(case: Case) -> list[tuple[str, str]]:
    attachment = Attachment.objects.filter(case=case).first()
    return [
        ("get", desk_url(case)),
        ("get", desk_url(case, "timeline/?after=0")),
        ("get", desk_url(case, "timeline/?before=999999")),
        ("post", desk_url(case, "entries/")),
        ("post", desk_url(case, "identifiers/")),
        ("post", desk_url(case, "take/")),
        ("post", desk_url(case, "transfer/")),
        ("post", desk_url(case, "priority/")),
        ("post", desk_url(case, "propose/")),
        ("post", desk_url(case, "close/")),
        ("post", desk_url(case, "reopen/")),
        ("get", desk_url(case, f"attachments/{attachment.pk}/")),
    ]


def test_outsider_is_refused_every_desk_url_of_the_case(client, acme_case, outsider):
    client.force_login(outsider)
    before = TimelineEntry.objects.filter(case=acme_case).count()

    for method, url in desk_urls(acme_case):
        data = {"kind": "reply", "body": "Give me this case", "version": acme_case.version}
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
        assert "We ordered a battery" not in response.text
        assert "Warranty ends next week" not in response.text

    assert TimelineEntry.objects.filter(case=acme_case).count() == before
    assert fresh(acme_case).owner.full_name == "Dana Lee"


def test_outsider_sees_nothing_of_another_organisation_through_the_querysets(
    acme_case, other_case, outsider, customer
):
    assert list(Case.objects.visible_to(outsider)) == [other_case]
    assert not TimelineEntry.objects.visible_to(outsider).filter(case=acme_case).exists()
    assert not Attachment.objects.visible_to(outsider).exists()
    assert {e.case_id for e in TimelineEntry.objects.visible_to(outsider)} == {other_case.pk}

    # Acme's own customer sees the public attachment, never the one on the internal note.
    assert list(Case.objects.visible_to(customer)) == [acme_case]
    assert [a.filename for a in Attachment.objects.visible_to(customer)] == ["invoice.pdf"]


def test_inactive_or_anonymous_users_see_no_case(acme_case, customer):
    from django.contrib.auth.models import AnonymousUser

    customer.is_active = False
    assert not Case.objects.visible_to(customer).exists()
    assert not Case.objects.visible_to(AnonymousUser()).exists()
    assert not TimelineEntry.objects.visible_to(AnonymousUser()).exists()


def test_signed_out_visitor_is_sent_to_the_login_page(client, acme_case):
    response = client.get(desk_url(acme_case))

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={desk_url(acme_case)}"


@pytest.mark.parametrize("reference", ["C-999999", "999999", "not-a-case", "C-12x", "C--1"])
def test_agent_gets_404_for_unknown_or_malformed_reference(agent_client, acme_case, reference):
    attachment = Attachment.objects.filter(case=acme_case).first()

    assert agent_client.get(f"/desk/cases/{reference}/").status_code == 404
    assert agent_client.get(f"/desk/cases/{reference}/timeline/").status_code == 404
    assert agent_client.post(f"/desk/cases/{reference}/take/").status_code == 404
    assert agent_client.post(f"/desk/cases/{reference}/entries/", {}).status_code == 404
    url = f"/desk/cases/{reference}/attachments/{attachment.pk}/"
    assert agent_client.get(url).status_code == 404


def test_attachment_of_another_case_is_404(agent_client, acme_case, other_case):
    attachment = Attachment.objects.filter(case=acme_case).first()

    response = agent_client.get(desk_url(other_case, f"attachments/{attachment.pk}/"))

    assert response.status_code == 404


def test_unknown_action_is_404(agent_client, acme_case):
    assert agent_client.post(desk_url(acme_case, "delete/")).status_code == 404

"""A reply finds its case by the email we sent (In-Reply-To, References), by the signed
reply address, or by the [C-000123] subject tag, and only when the sender belongs to the
case's organisation: a forged token or a stranger's tag never writes into a case."""

from cases.models import Case, EntryKind, Status
from notifications import inbound
from notifications.models import InboundMessage
from tests.factories import CustomerFactory
from tests.helpers import desk_url, entries, page_text, portal_url
from tests.mail.corpus import plain

OUTSIDER = "Jordan Blake <outsider@example.test>"


def forged_address(case: Case) -> str:
    """The reply address of `case`, with a signature made up by hand."""
    return f"support+{case.pk}.{'0' * 16}@helpdesk.localhost"


def test_it_threads_a_reply_to_the_email_we_sent(case, context, agent_client, customer_client):
    stored = inbound.receive(
        plain(
            "reply-1",
            "The battery icon now shows charging.",
            subject="Re: your case",
            In_Reply_To=context.notice(),
        )
    )

    assert stored.case == case
    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == [
        "The battery icon now shows charging."
    ]
    desk = page_text(agent_client.get(desk_url(case)))
    assert "The battery icon now shows charging." in desk
    portal = page_text(customer_client.get(portal_url(case)))
    assert "The battery icon now shows charging." in portal


def test_it_threads_by_references_to_the_case(case, context):
    stored = inbound.receive(
        plain(
            "reply-2",
            "Still not charging.",
            subject="Re: something else",
            References=f"<unrelated@mail.acme.example> {context.thread()}",
        )
    )

    assert stored.case == case
    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == ["Still not charging."]


def test_it_threads_by_the_signed_reply_address_alone(case, context):
    stored = inbound.receive(
        plain("reply-3", "Charging works in safe mode.", subject="hello", to=context.reply_address)
    )

    assert stored.case == case
    assert [m.body for m in entries(case, EntryKind.CUSTOMER_MESSAGE)] == [
        "Charging works in safe mode."
    ]


def test_it_threads_by_the_subject_tag_from_the_case_organisation(case, acme):
    # A colleague of Alex's, new to us, writes from Acme's domain with the case's tag.
    stored = inbound.receive(
        plain(
            "reply-4",
            "I have the same laptop; mine charges fine.",
            sender="Sam Rivera <sam@acme.example>",
            subject=f"About [{case.reference.lower()}]",
        )
    )

    assert stored.case == case
    [message] = entries(case, EntryKind.CUSTOMER_MESSAGE)
    assert message.body == "I have the same laptop; mine charges fine."
    assert message.actor.email == "sam@acme.example"
    assert message.actor.organization == acme


def test_a_customer_reply_reopens_a_closed_case_with_its_owner(closed_case, context, agent):
    inbound.receive(
        plain(
            "reply-5",
            "It jams again.",
            subject=f"Re: [{context.closed_reference}]",
            In_Reply_To=context.notice(closed=True),
        )
    )

    closed_case.refresh_from_db()
    assert closed_case.status == Status.OPEN
    assert closed_case.owner == agent
    assert [m.body for m in entries(closed_case, EntryKind.CUSTOMER_MESSAGE)] == ["It jams again."]


def test_a_forged_token_from_another_organisation_opens_a_case_of_their_own(case, outsider):
    stored = inbound.receive(
        plain(
            "forged-1",
            "Please add this to the laptop case.",
            sender=OUTSIDER,
            subject="Laptop",
            to=forged_address(case),
        )
    )

    assert stored.status == InboundMessage.Status.PROCESSED
    assert stored.case != case
    assert stored.case.organization == outsider.organization
    assert stored.case.customer == outsider
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_a_forged_token_from_a_stranger_waits_in_quarantine(case):
    stored = inbound.receive(
        plain(
            "forged-2",
            "Please add this to the laptop case.",
            sender="someone@elsewhere.example",
            to=forged_address(case),
        )
    )

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert "Unknown sender someone@elsewhere.example" in stored.reason
    assert stored.case is None
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_another_organisation_never_writes_into_the_case(case, context, outsider):
    """Even with every genuine pointer to Acme's case (a leaked email), Globex's customer
    only ever writes on a case of Globex's."""
    stored = inbound.receive(
        plain(
            "leaked",
            "I found this email; our laptop is broken too.",
            sender=OUTSIDER,
            subject=f"Re: [{case.reference}] Laptop will not charge",
            to=context.reply_address,
            In_Reply_To=context.notice(),
            References=context.thread(),
        )
    )

    assert stored.case.organization == outsider.organization
    assert stored.case != case
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []
    assert Case.objects.filter(organization=case.organization).count() == 2  # open + closed


def test_a_stranger_using_a_case_tag_waits_in_quarantine(case):
    stored = inbound.receive(
        plain(
            "stranger-tag",
            "Any news?",
            sender="guess@elsewhere.example",
            subject=f"[{case.reference}] Laptop",
        )
    )

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert stored.case is None
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_a_tag_of_another_organisations_case_opens_a_case_of_ones_own(case, outsider):
    stored = inbound.receive(
        plain("guessed-tag", "Any news?", sender=OUTSIDER, subject=f"[{case.reference}] Laptop")
    )

    assert stored.case.organization == outsider.organization
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_message_ids_of_another_domain_do_not_thread(case, context):
    stored = inbound.receive(
        plain(
            "other-domain",
            "A new problem: the dock is dead.",
            subject="Dock",
            In_Reply_To=f"<notice-{context.notice_id}@evil.example>",
            References=f"<case-{case.pk}@evil.example>",
        )
    )

    assert stored.case != case
    assert stored.case.title == "Dock"
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_a_deactivated_customer_waits_in_quarantine(case, context, customer):
    customer.is_active = False
    customer.save(update_fields=["is_active"])

    stored = inbound.receive(
        plain("deactivated", "Hello?", subject="Re: laptop", In_Reply_To=context.notice())
    )

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert "not an active customer" in stored.reason
    assert entries(case, EntryKind.CUSTOMER_MESSAGE) == []


def test_an_agent_writing_in_is_not_taken_for_a_customer(case, agent):
    stored = inbound.receive(
        plain("agent-mail", "Testing the mailbox.", sender=agent.email, subject="Test")
    )

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert "not an active customer" in stored.reason
    assert not Case.objects.filter(customer=agent).exists()


def test_a_known_customer_stays_in_their_organisation_whatever_their_domain(
    case, acme, other_organization
):
    # A Globex contractor with an acme.example address: known, so not Acme's by domain.
    CustomerFactory(email="contractor@acme.example", organization=other_organization)

    stored = inbound.receive(
        plain("known-elsewhere", "Hello", sender="contractor@acme.example", subject="Hi")
    )

    assert stored.case.organization == other_organization

"""Mail fixtures: Acme owns the mail domain acme.example; Alex's laptop case, owned by Dana,
with the email we sent about it; a closed case; and what a corpus message may refer to."""

import pytest

from cases import services
from cases.models import Case
from notifications.addresses import reply_address
from notifications.models import Notice
from tests.helpers import report_case, take
from tests.mail.corpus import Context


@pytest.fixture
def acme(organization):
    """Mail from anyone @acme.example is Acme's."""
    organization.email_domains = "acme.example, acme-mail.example"
    organization.save(update_fields=["email_domains"])
    return organization


def _owned_case(agent, customer, title: str, description: str) -> Case:
    return take(report_case(customer, title, description=description), agent)


def _emailed(case: Case, agent, body: str) -> Notice:
    """Dana writes to the customer; the email notice is what their mail client replies to."""
    entry = services.reply_to_customer(case=case, acting_user=agent, body=body)
    return Notice.objects.get(idempotency_key=f"case:{case.pk}:entry:{entry.pk}:{case.customer_id}")


@pytest.fixture
def case(acme, agent, customer) -> Case:
    """Alex's laptop: open, owned by Dana, who has written to Alex once."""
    case = _owned_case(
        agent, customer, "Laptop will not charge", "The laptop stopped charging on Monday."
    )
    _emailed(case, agent, "Please try the BIOS update from our download page.")
    case.refresh_from_db()
    return case


@pytest.fixture
def closed_case(acme, agent, customer) -> Case:
    """Alex's earlier printer case: Dana wrote, then closed it."""
    case = _owned_case(agent, customer, "Printer jams", "The printer jams on every page.")
    _emailed(case, agent, "We replaced the roller.")
    return services.close_case(
        case=case, acting_user=agent, reason="Roller replaced.", expected_version=None
    )


@pytest.fixture
def context(case, closed_case, settings) -> Context:
    """What a corpus message may refer to: our cases, the emails we sent, reply addresses."""
    return Context(
        case_id=case.pk,
        reference=case.reference,
        notice_id=case.notices.filter(channel=Notice.Channel.EMAIL).get().pk,
        reply_address=reply_address(case.pk),
        closed_case_id=closed_case.pk,
        closed_reference=closed_case.reference,
        closed_notice_id=closed_case.notices.get(
            channel=Notice.Channel.EMAIL, kind=Notice.Kind.AGENT_REPLY
        ).pk,
        domain=settings.MESSAGE_ID_DOMAIN,
    )

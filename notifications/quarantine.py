"""What an agent decides for mail waiting in the quarantine (/desk/mail/), or ignored as a
machine's (/desk/mail/?show=ignored), after reading it.

- `accept`: the sender becomes a customer of an organisation (at the address the agent
  gives when the sender's cannot be read), or the message is read as an existing
  customer's; then it is handled like any mail (a new case, or the case it continues).
- `add_to_case`: the message goes onto a case the agent names, as an internal note saying
  who sent it (a stranger's words are never put in the case customer's mouth).
- `reject`: kept, never answered.

Each returns nothing and leaves the message's status saying what became of it; a message
that still cannot be handled stays waiting with its new reason.
"""

from email.utils import parseaddr

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from cases import services
from cases.models import Case
from helpdesk.accounts.models import Organization, User
from notifications import inbound
from notifications.models import InboundMessage


def require_agent(user: User) -> None:
    if not (user.is_active and user.is_agent):
        raise services.NotAllowed("Only agents handle quarantined mail.")


def sender_of(stored: InboundMessage) -> tuple[str, str]:
    """(name, address) from the stored From header; either may be empty."""
    name, address = parseaddr(stored.sender)
    return name, address.lower() if "@" in address else ""


def accept(
    stored: InboundMessage,
    *,
    acting_user: User,
    organization: Organization | None = None,
    customer: User | None = None,
    address: str = "",
    name: str = "",
) -> User:
    """Read the message as `customer`'s, or as a new customer of `organization` (at
    `address` with `name` when the sender's cannot be read, or to correct them).
    Returns the customer whose mail it now is."""
    require_agent(acting_user)
    if customer is None:
        sender_name, sender_address = sender_of(stored)
        address, name = (address.strip().lower() or sender_address), (name.strip() or sender_name)
        if organization is None or not address:
            raise services.CaseError(
                "The sender's address cannot be read: choose the customer who sent it, or "
                "give the new customer's address and organisation."
            )
        try:
            validate_email(address)
        except ValidationError:
            raise services.CaseError(f"{address} is not an email address.") from None
        customer = User.objects.filter(email__iexact=address).first()
        if customer is None:
            customer = User.objects.create_user(
                address,
                None,
                full_name=(name or address.partition("@")[0])[:150],
                organization=organization,
            )
    if not (customer.is_active and customer.is_customer):
        raise services.CaseError(f"{customer.email} is not an active customer.")
    inbound.process(stored, as_customer=customer)
    return customer


def add_to_case(stored: InboundMessage, *, case: Case, acting_user: User) -> None:
    """Put the message on `case` as an internal note of who sent what."""
    require_agent(acting_user)
    _message, parsed = inbound.read(stored)
    accepted, refused = services.screen_attachments(parsed.files)
    sender = stored.sender or "an unreadable sender"
    lines = [
        f"Email from {sender}, added from the mail quarantine by {acting_user.full_name}.",
        f"Subject: {parsed.subject or '(none)'}",
        "",
        parsed.text or "(The message had no text.)",
    ]
    lines += [f"Not attached: {refusal.message}" for refusal in refused]
    entry = services.add_internal_note(
        case=case, acting_user=acting_user, body="\n".join(lines), files=accepted
    )
    inbound.finish(stored, InboundMessage.Status.PROCESSED, case=case, entry=entry)


def reject(stored: InboundMessage, *, acting_user: User) -> None:
    require_agent(acting_user)
    inbound.finish(stored, InboundMessage.Status.REJECTED, f"Rejected by {acting_user.full_name}.")

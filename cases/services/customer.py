"""What only the customer decides: how they hear from us, and how we did."""

from django.db import transaction

from cases.models import Case, Satisfaction
from cases.services.core import lock_case, tell_owner
from cases.services.errors import CaseError, Conflict, NotAllowed
from helpdesk.accounts.models import User
from notifications.models import Notice


@transaction.atomic
def rate_case(*, case: Case, acting_user: User, rating: int, comment: str = "") -> Satisfaction:
    """The customer rates a closed case, once. Who: the case's customer organisation.

    Writes: no timeline entry (the rating is shown on the desk's case page).
    """
    case = lock_case(case, None, acting_user, "rate")
    if not 1 <= int(rating) <= 5:
        raise CaseError("Choose a rating from 1 to 5.")
    if Satisfaction.objects.filter(case=case).exists():
        raise Conflict("This case has been rated already. Thank you!", case=case)
    rated = Satisfaction.objects.create(
        case=case, rating=int(rating), comment=comment.strip()[:5000], rated_by=acting_user
    )
    tell_owner(
        case,
        actor=acting_user,
        kind=Notice.Kind.CUSTOMER_RATED,
        subject=f"{acting_user.full_name} rated {case.reference} {rated.rating} of 5",
        body=rated.comment[:500] or "No comment.",
        key=f"case:{case.pk}:customer_rated",
    )
    return rated


def set_notify_preference(*, acting_user: User, preference: str) -> None:
    """A customer chooses every update by email, or one daily digest. Writes no entry."""
    if preference not in User.NotifyPreference.values:
        raise CaseError("Choose how you want to hear from us.")
    acting_user.notify_preference = preference
    acting_user.save(update_fields=["notify_preference"])


def set_contact_details(
    *,
    customer: User,
    acting_user: User,
    phone: str,
    preferred_contact: str,
    call_notes_by_email: bool | None = None,
) -> User:
    """A customer's phone and whether they prefer a call about a delay.

    Who: the customer themselves, or any agent (taking it down on the phone). Writes no
    entry. A customer who prefers calls needs a number to be called on.
    """
    if acting_user.pk != customer.pk and not (acting_user.is_active and acting_user.is_agent):
        raise NotAllowed("Only the customer or an agent changes how they are reached.")
    if not customer.is_customer:
        raise CaseError("Only a customer's contact details are kept here.")
    if preferred_contact not in User.Contact.values:
        raise CaseError("Choose email or phone.")
    phone = " ".join(phone.split())
    if preferred_contact == User.Contact.PHONE and not phone:
        raise CaseError("Give a phone number to be called on.")
    customer.phone, customer.preferred_contact = phone, preferred_contact
    fields = ["phone", "preferred_contact"]
    if call_notes_by_email is not None:
        customer.call_notes_by_email = call_notes_by_email
        fields.append("call_notes_by_email")
    customer.save(update_fields=fields)
    return customer

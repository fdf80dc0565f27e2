"""The customer's references (customer no., serials, order IDs), captured once on the
case for every department to see: nobody asks the customer for them again."""

from django.db import transaction

from cases.models import Case, CustomerIdentifier, EntryKind, Visibility
from cases.services.core import lock_case, touch, write_entry
from cases.services.errors import CaseError, NotFound
from cases.services.permissions import require
from helpdesk.accounts.models import User


@transaction.atomic
def add_identifier(*, case: Case, acting_user: User, name: str, value: str) -> CustomerIdentifier:
    """Record a customer reference once, for every department to see.

    Who: any agent, or a customer of the case's organisation. Writes: `identifiers_change`
    (public: the customer sees what is on file).
    """
    require(case, acting_user, "identifier")
    name, value = name.strip()[:60], value.strip()[:200]
    if not name or not value:
        raise CaseError("An identifier needs a name and a value.")
    case = lock_case(case, None)
    identifier, created = CustomerIdentifier.objects.get_or_create(
        case=case, name=name, value=value, defaults={"added_by": acting_user}
    )
    if created:
        write_entry(
            case=case,
            kind=EntryKind.IDENTIFIERS_CHANGE,
            actor=acting_user,
            visibility=Visibility.PUBLIC,
            data={"added": {"name": name, "value": value}, "summary": f"{name} added"},
        )
        touch(case, bump=False)
    return identifier


@transaction.atomic
def remove_identifier(*, case: Case, acting_user: User, identifier_id: int) -> None:
    """Take a wrong reference off the case. Who: any agent, or the case's customer.

    Writes: `identifiers_change` (public).
    """
    require(case, acting_user, "identifier")
    case = lock_case(case, None)
    identifier = CustomerIdentifier.objects.filter(case=case, pk=identifier_id).first()
    if identifier is None:
        raise NotFound("That identifier is not on this case.")
    name, value = identifier.name, identifier.value
    identifier.delete()
    write_entry(
        case=case,
        kind=EntryKind.IDENTIFIERS_CHANGE,
        actor=acting_user,
        visibility=Visibility.PUBLIC,
        data={"removed": {"name": name, "value": value}, "summary": f"{name} removed"},
    )
    touch(case, bump=False)

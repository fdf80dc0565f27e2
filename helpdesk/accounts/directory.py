"""Single sign-on's mapping: the groups an identity provider says a person is in, to a
role and departments here (`DirectoryGroup`, kept in the admin). Applied at every sign-on,
so a change at the provider reaches the helpdesk at the person's next sign-in."""

from dataclasses import dataclass, field

from django.db import transaction

from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent, Department, DirectoryGroup, User

GROUPS_CLAIM = "groups"
RANK = {User.Role.AGENT: 1, User.Role.MANAGER: 2}


@dataclass
class Grant:
    role: str
    departments: list[Department] = field(default_factory=list)


def claims(extra_data: dict) -> dict:
    """What the provider said: its userinfo answer over the ID token's claims."""
    return {**(extra_data.get("id_token") or {}), **(extra_data.get("userinfo") or {})}


def grant_for(said: dict, claim: str = GROUPS_CLAIM) -> Grant | None:
    """The highest role and every department of the listed groups the person is in;
    None when they are in none (they are refused)."""
    names = said.get(claim) or []
    if isinstance(names, str):
        names = [names]
    groups = list(DirectoryGroup.objects.filter(name__in=names).prefetch_related("departments"))
    if not groups:
        return None
    role = max((g.role for g in groups), key=RANK.__getitem__)
    departments = {d.pk: d for g in groups for d in g.departments.all()}
    return Grant(role, sorted(departments.values(), key=lambda d: d.name))


@transaction.atomic
def apply(user: User, grant: Grant, *, request) -> None:
    """Give `user` the grant's role and departments, audited when that changes them."""
    before = (user.role, {d.pk for d in user.departments.all()})
    user.role = grant.role
    user.save(update_fields=["role"])
    user.departments.set(grant.departments)
    after = (user.role, {d.pk for d in grant.departments})
    if before != after:
        audit.record(
            AuditEvent.Kind.ROLE_CHANGE,
            request=request,
            actor=user,
            user=user.email,
            fields=["role", "departments"],
            role=user.role,
            departments=[d.name for d in grant.departments],
            source="single sign-on",
        )


def full_name(said: dict) -> str:
    parts = [said.get("given_name", ""), said.get("family_name", "")]
    return (said.get("name") or " ".join(p for p in parts if p) or said.get("email", ""))[:150]

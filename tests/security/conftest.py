"""Security fixtures: the world the access-control tests probe: three organisations (one
whose customers see only their own cases), every role, and cases with public and internal
entries, attachments and incidents, each carrying marker text that must never reach anyone
who may not see it."""

from dataclasses import dataclass, field

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client

from cases import services
from cases.models import Attachment, Case, Incident
from cases.services import incidents
from helpdesk.accounts.models import SignInPolicy, User
from helpdesk.knowledge import services as knowledge
from helpdesk.knowledge.models import Article, Category
from tests.accounts.second_factor import emailed_code
from tests.factories import AgentFactory, CustomerFactory, OrganizationFactory
from tests.helpers import sign_in, signed_in, upload


@dataclass(frozen=True)
class Person:
    key: str
    # customer | agent | manager | inactive | anonymous; staff who must give a second
    # factor: "password-only" (a stolen password, no code), "enrolling" (the mailbox code
    # given, no factor added yet)
    role: str
    org: str | None = None
    own_cases_only: bool = False


@dataclass(frozen=True)
class CaseSpec:
    key: str
    org: str
    customer: str


@dataclass(frozen=True)
class Probe:
    """One URL and what it reaches: `case`/`incident` keys and whether a file is public."""

    url: str
    surface: str  # desk | portal | reports
    kind: str  # page | case | attachment | incident
    case: str | None = None
    incident: str | None = None
    public_file: bool = True
    mismatched: bool = False  # an attachment asked for through another case's URL
    article: str | None = None


@dataclass
class World:
    people: dict[str, Person]
    users: dict[str, User | None]
    cases: dict[str, CaseSpec]
    incidents: dict[str, set[str]]  # incident key -> organisations it affects ("*" = all)
    probes: list[Probe]
    markers: dict[str, list[str]]  # case or incident key -> text only its viewers may read
    internal_markers: list[str]
    # article key -> organisations that may read it ("*" all, empty: agents only; None:
    # a draft nobody reads)
    articles: dict[str, set[str] | None] = field(default_factory=dict)
    clients: dict[str, Client] = field(default_factory=dict)

    def client(self, person: str) -> Client:
        if person not in self.clients:
            user = self.users[person]
            self.clients[person] = Client() if user is None else signed_in(user)
        return self.clients[person]


PEOPLE = [
    Person("customer_a", "customer", "acme"),
    Person("colleague_a", "customer", "acme"),
    Person("customer_b", "customer", "globex"),
    Person("customer_c", "customer", "initech", own_cases_only=True),
    Person("agent", "agent"),
    Person("manager", "manager"),
    Person("inactive_agent", "inactive"),
    Person("anonymous", "anonymous"),
    Person("password_only_agent", "password-only"),
    Person("enrolling_agent", "enrolling"),
]

CASES = [
    CaseSpec("A1", "acme", "customer_a"),
    CaseSpec("A2", "acme", "colleague_a"),
    CaseSpec("B1", "globex", "customer_b"),
    CaseSpec("C1", "initech", "customer_c"),
    CaseSpec("C2", "initech", "colleague_c"),
]


def marker(key: str, what: str) -> str:
    return f"QZX{key}{what}QZX"


@pytest.fixture
def world(db, agent, manager, customer, outsider, organization, other_organization) -> World:
    initech = OrganizationFactory(name="Initech", customers_see_own_cases_only=True)
    inactive = AgentFactory(email="gone@example.test", full_name="Gone Agent")
    users: dict[str, User | None] = {
        "customer_a": customer,
        "colleague_a": CustomerFactory(full_name="Ari Acme", organization=organization),
        "customer_b": outsider,
        "customer_c": CustomerFactory(full_name="Cam Initech", organization=initech),
        "colleague_c": CustomerFactory(full_name="Cori Initech", organization=initech),
        "agent": agent,
        "manager": manager,
        "inactive_agent": inactive,
        "anonymous": None,
    }
    markers: dict[str, list[str]] = {}
    internal: list[str] = []
    cases: dict[str, Case] = {}
    files: dict[str, list[tuple[Attachment, bool]]] = {}
    for spec in CASES:
        case = services.open_case(
            acting_user=agent,
            customer=users[spec.customer],
            title=f"Printer jam {marker(spec.key, 'title')}",
            description=f"Paper everywhere {marker(spec.key, 'description')}",
            identifiers=[services.IdentifierInput("Serial number", marker(spec.key, "serial"))],
        )
        case = services.take_ownership(case=case, acting_user=agent, expected_version=None)
        reply = services.reply_to_customer(
            case=case,
            acting_user=agent,
            body=f"We are on it {marker(spec.key, 'reply')}",
            files=[upload(f"{spec.key}-public.txt")],
        )
        note = services.add_internal_note(
            case=case,
            acting_user=agent,
            body=f"Internal only {marker(spec.key, 'note')}",
            files=[upload(f"{spec.key}-internal.txt")],
        )
        cases[spec.key] = case
        files[spec.key] = [(reply.attachments.get(), True), (note.attachments.get(), False)]
        markers[spec.key] = [marker(spec.key, w) for w in ("title", "description", "reply")]
        markers[spec.key] += [marker(spec.key, "serial"), f"{spec.key}-public.txt"]
        internal += [marker(spec.key, "note"), f"{spec.key}-internal.txt"]

    incident_rows: dict[str, Incident] = {}
    affected: dict[str, set[str]] = {}
    for key, linked, orgs_of in [("IA", "A1", {"acme"}), ("IB", "B1", {"globex"}),
                                 ("IC", "C2", {"initech"})]:  # fmt: skip
        incident_rows[key] = incidents.open_incident(
            acting_user=agent,
            title=f"Print server down {marker(key, 'title')}",
            public_summary=f"We restart it {marker(key, 'summary')}",
            cases=[cases[linked]],
        )
        affected[key] = orgs_of
        markers[key] = [marker(key, "title"), marker(key, "summary")]
    incident_rows["IALL"] = incidents.open_incident(
        acting_user=agent,
        title=f"Everyone's mail is slow {marker('IALL', 'title')}",
        affects_all=True,
    )
    affected["IALL"] = {"*"}
    markers["IALL"] = [marker("IALL", "title")]
    articles = knowledge_articles(manager, organization, markers)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    users.update(second_factor_people())

    probes: list[Probe] = [
        Probe("/desk/", "desk", "page"),
        Probe("/desk/queue/", "desk", "page"),
        Probe("/desk/incidents/", "desk", "page"),
        Probe("/desk/mail/", "desk", "page"),
        Probe("/desk/search/?q=QZX", "desk", "page"),
        Probe("/reports/", "reports", "page"),
        Probe("/reports/audit/", "reports", "page"),
        Probe("/portal/", "portal", "page"),
    ]
    for key, case in cases.items():
        ref = case.reference
        for surface in ("desk", "portal"):
            base = f"/{surface}/cases/{ref}/"
            probes += [
                Probe(base, surface, "case", case=key),
                Probe(f"{base}timeline/?after=0", surface, "case", case=key),
                Probe(f"{base}timeline/?before=2000000000", surface, "case", case=key),
            ]
            for attachment, public in files[key]:
                probes.append(
                    Probe(
                        f"{base}attachments/{attachment.pk}/",
                        surface,
                        "attachment",
                        case=key,
                        public_file=public,
                    )
                )
        probes.append(Probe(f"/desk/cases/{ref}/similar/", "desk", "case", case=key))
    # Another case's file through this case's URL is never served.
    stray, _public = files["B1"][0]
    for surface in ("desk", "portal"):
        probes.append(
            Probe(
                f"/{surface}/cases/{cases['A1'].reference}/attachments/{stray.pk}/",
                surface,
                "attachment",
                case="A1",
                mismatched=True,
            )
        )
    for key, row in incident_rows.items():
        probes.append(Probe(f"/desk/incidents/{row.pk}/", "desk", "incident", incident=key))
        probes.append(Probe(f"/portal/incidents/{row.pk}/", "portal", "incident", incident=key))
    probes += [
        Probe("/help/", "help", "page"),
        Probe("/help/c/printers/", "help", "page"),
        Probe("/help/search/?q=printer", "help", "page"),
        Probe("/help/suggestions/?title=printer+help", "help", "customer-page"),
    ]
    for key, (slug, _audience) in articles.items():
        probes.append(Probe(f"/help/{slug}/", "help", "article", article=key))

    world = World(
        people={p.key: p for p in PEOPLE},
        users=users,
        cases={spec.key: spec for spec in CASES},
        incidents=affected,
        probes=probes,
        markers=markers,
        internal_markers=internal,
        articles={key: audience for key, (_slug, audience) in articles.items()},
    )
    world.clients = {key: half_signed_in(users[key]) for key in SECOND_FACTOR_PEOPLE}
    return world


SECOND_FACTOR_PEOPLE = ("password_only_agent", "enrolling_agent")


def second_factor_people() -> dict[str, User]:
    """The second factor is required: the agent and manager have one (their sessions are
    whole); one agent with a factor gives only the password, one without has typed the
    mailbox code and not yet added a factor."""
    SignInPolicy.objects.create(staff_second_factor=SignInPolicy.SecondFactor.REQUIRED)
    newcomer = AgentFactory(email="newcomer@example.test")
    keyholder = AgentFactory(email="keyholder@example.test")
    staff = User.objects.filter(role__in=[User.Role.AGENT, User.Role.MANAGER])
    for person in staff.exclude(pk=newcomer.pk):
        TOTP.activate(person, generate_totp_secret())
    return {"password_only_agent": keyholder, "enrolling_agent": newcomer}


def half_signed_in(user: User) -> Client:
    client = Client()
    sign_in(client, user.email)
    if not Authenticator.objects.filter(user=user).exists():
        client.post("/accounts/login/code/confirm/", {"code": emailed_code(user.email)})
    return client


def knowledge_articles(writer, acme, markers) -> dict[str, tuple[str, set[str] | None]]:
    """Printer articles for everyone, for Acme only, for agents only, and a draft."""
    printers = Category.objects.create(name="Printers", slug="printers")
    made = {}
    for key, visibility, orgs, audience in [
        ("KP", Article.Visibility.PUBLIC, [], {"*"}),
        ("KA", Article.Visibility.ORGANIZATIONS, [acme], {"acme"}),
        ("KI", Article.Visibility.INTERNAL, [], set()),
        ("KD", Article.Visibility.PUBLIC, [], None),
    ]:  # fmt: skip
        article = knowledge.create_article(
            acting_user=writer, category=printers, title=f"Printer help {marker(key, 'title')}",
            body=f"Printer steps {marker(key, 'body')}", visibility=visibility, organizations=orgs,
        )  # fmt: skip
        if audience is not None:
            knowledge.publish(version=article.versions.get(), acting_user=writer)
        made[key] = (article.slug, audience)
        markers[key] = [marker(key, "title"), marker(key, "body")]
    return made

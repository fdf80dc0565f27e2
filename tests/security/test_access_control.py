"""Who reaches what, by every desk, portal and reports URL: a property over every role and
every case, entry attachment, incident and fragment of three organisations.

The rule, written out here independently of `visible_to`:
- signed out (or deactivated): sent to the login page, whatever the URL; so is a staff
  member who gave the password but not the second factor the helpdesk requires, and one
  who must still add a factor reaches only the page to add it;
- the desk is for agents and managers (403 for customers), the reports for managers;
- a customer reads their organisation's cases (only their own when the organisation says
  so), public entries and files only; anything else is 404, and the 404 page says nothing
  of what it hides; incidents only when they affect the customer's organisation;
- agents read every case on the desk and preview the portal, which never shows an internal
  entry to anyone;
- the help centre shows a customer the public articles and their organisation's, agents
  every published one, nobody a draft; its words a customer may not read appear on none
  of its pages, searches or suggestions.
"""

import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import Case, TimelineEntry
from notifications import inbound
from tests.helpers import desk_url, fresh, portal_url, streamed, upload
from tests.security.conftest import PEOPLE, Probe, World

pytestmark = pytest.mark.django_db

LOGIN = "login"
ENROL = "enrol"


def can_read_case(world: World, person: str, case_key: str) -> bool:
    who = world.people[person]
    if who.role in ("agent", "manager"):
        return True
    if who.role != "customer":
        return False
    case = world.cases[case_key]
    if case.org != who.org:
        return False
    return not who.own_cases_only or case.customer == person


def can_read_incident(world: World, person: str, incident_key: str) -> bool:
    who = world.people[person]
    if who.role in ("agent", "manager"):
        return True
    affected = world.incidents[incident_key]
    return who.role == "customer" and ("*" in affected or who.org in affected)


def can_read_article(world: World, person: str, article_key: str) -> bool:
    """Published articles: agents every one; a customer the public ones and their
    organisation's; a draft nobody (in the help centre)."""
    who = world.people[person]
    audience = world.articles[article_key]
    if audience is None:
        return False
    if who.role in ("agent", "manager"):
        return True
    return who.role == "customer" and ("*" in audience or who.org in audience)


def expected(world: World, person: str, probe: Probe):
    role = world.people[person].role
    if role in ("anonymous", "inactive", "password-only"):
        return LOGIN
    if role == "enrolling":
        return ENROL
    staff = role in ("agent", "manager")
    if probe.surface == "help":
        if probe.kind == "customer-page":
            return 403 if staff else 200
        if probe.kind == "article":
            return 200 if can_read_article(world, person, probe.article) else 404
        return 200
    if probe.surface == "reports":
        return 200 if role == "manager" else 403
    if probe.surface == "desk" and not staff:
        return 403
    if probe.kind == "page":
        return 200
    if probe.kind == "incident":
        return 200 if can_read_incident(world, person, probe.incident) else 404
    if not can_read_case(world, person, probe.case):
        return 404
    if probe.kind == "attachment":
        if probe.mismatched:
            return 404
        return 200 if (probe.public_file or staff) else 404
    return 200


def forbidden_text(world: World, person: str, probe: Probe) -> list[str]:
    """What this response must not contain: for a customer, everything of cases and
    incidents they may not read and every internal entry; on the portal, internal entries
    for anyone (the agents' preview shows what customers see)."""
    who = world.people[person]
    texts: list[str] = []
    if who.role in ("customer", "anonymous", "inactive"):
        texts += [
            text
            for key, found in world.markers.items()
            if not (
                can_read_incident(world, person, key)
                if key in world.incidents
                else can_read_article(world, person, key)
                if key in world.articles
                else can_read_case(world, person, key)
            )
            for text in found
        ]
    staff = who.role in ("agent", "manager")
    # Every portal page hides internal entries, from agents previewing it too; an agent's
    # download of an internal file through the preview is the file, not a page.
    if not staff or (probe.surface == "portal" and probe.kind != "attachment"):
        texts += world.internal_markers
    return texts


def body_of(response) -> str:
    # A download is read to the end, which closes the file (the test client's wrapper does,
    # without closing the test's database connection as a second close() would).
    content = streamed(response) if getattr(response, "streaming", False) else response.content
    return content.decode(errors="replace")


def check(world: World, person: str, probe: Probe) -> None:
    response = world.client(person).get(probe.url)
    want = expected(world, person, probe)
    body = body_of(response)
    context = f"{person} GET {probe.url}"
    if want == LOGIN:
        assert response.status_code == 302, context
        assert response["Location"].startswith("/accounts/login/?next="), context
    elif want == ENROL:
        assert (response.status_code, response["Location"]) == (302, "/accounts/2fa/"), context
    else:
        assert response.status_code == want, f"{context}: {response.status_code}, not {want}"
    leaked = [text for text in forbidden_text(world, person, probe) if text in body]
    assert not leaked, f"{context} ({response.status_code}) shows {leaked}"
    if want == 200 and probe.kind == "attachment":
        assert response["Content-Disposition"].startswith("attachment;"), context


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_role_reaches_exactly_what_the_visibility_rule_allows(world, data):
    person = data.draw(st.sampled_from([p.key for p in PEOPLE]), label="person")
    probe = data.draw(st.sampled_from(world.probes), label="probe")

    check(world, person, probe)


def test_a_password_without_the_required_second_factor_reaches_nothing(world):
    """Exhaustively: every URL, for the agent who gave only a password and for the one who
    has not added a factor yet."""
    for person in ("password_only_agent", "enrolling_agent"):
        for probe in world.probes:
            check(world, person, probe)


def test_no_customer_reaches_anything_of_a_case_they_may_not_read(world):
    """Exhaustively, the promise customers care most about: every portal URL of every case,
    file and incident of another organisation (or of a colleague, where that is private)."""
    customers = [p.key for p in PEOPLE if p.role == "customer"]
    checked = 0
    for person in customers:
        for probe in world.probes:
            # Every help centre page too: its lists, search and suggestions must not show
            # an article the customer may not read.
            if probe.surface == "help" or (
                probe.surface == "portal" and expected(world, person, probe) == 404
            ):
                check(world, person, probe)
                checked += 1
    assert checked > 80


POSTS = [
    ("reply/", {"body": "Let me in"}),
    ("confirm/", {}),
    ("still-broken/", {"body": "Still broken"}),
    ("rate/", {"rating": "1"}),
    ("identifiers/", {"name": "Serial", "value": "X"}),
]


@pytest.mark.parametrize("person", ["customer_b", "customer_c"])
def test_customer_cannot_act_on_a_case_they_may_not_read(world, person):
    client = world.client(person)
    target = "A1" if person == "customer_b" else "C2"
    case = Case.objects.get(title__contains=f"QZX{target}title")
    before = TimelineEntry.objects.filter(case=case).count()

    for suffix, data in POSTS:
        response = client.post(portal_url(case, suffix), data)
        assert response.status_code == 404, suffix
        assert f"QZX{target}" not in response.text
    response = client.post(
        portal_url(case, "reply/"), {"body": "file", "files": [upload("x.txt", b"x")]}
    )
    assert response.status_code == 404

    for suffix in ("entries/", "take/", "close/", "identifiers/"):
        data = {"kind": "reply", "body": "mine now", "reason": "x", "version": case.version}
        response = client.post(desk_url(case, suffix), data)
        assert response.status_code == 403, suffix
        assert f"QZX{target}" not in response.text

    assert TimelineEntry.objects.filter(case=case).count() == before
    assert fresh(case).version == case.version


def mail_from(sender: str, subject: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: support@helpdesk.localhost\r\nSubject: {subject}\r\n"
        f"Message-ID: <{uuid.uuid4()}@mail.example.test>\r\n\r\nMe too, add this.\r\n"
    ).encode()


def test_mail_threads_only_into_cases_the_sender_may_read(world):
    """A subject tag is easy to guess: it threads a message only into a case its sender
    could open in the portal (their organisation's, or only their own where it says so)."""
    a1 = Case.objects.get(title__contains="QZXA1title")
    c2 = Case.objects.get(title__contains="QZXC2title")
    entries = {case.pk: TimelineEntry.objects.filter(case=case).count() for case in (a1, c2)}

    colleague = inbound.receive(mail_from(world.users["colleague_a"].email, f"[{a1.reference}]"))
    private = inbound.receive(mail_from(world.users["customer_c"].email, f"[{c2.reference}]"))
    stranger = inbound.receive(mail_from(world.users["customer_b"].email, f"[{a1.reference}]"))

    assert colleague.case_id == a1.pk  # Acme's customers share their cases
    assert private.case_id not in (None, c2.pk)  # a new case of Cam's own instead
    assert stranger.case_id not in (None, a1.pk)
    assert TimelineEntry.objects.filter(case=c2).count() == entries[c2.pk]
    assert TimelineEntry.objects.filter(case=a1).count() == entries[a1.pk] + 1

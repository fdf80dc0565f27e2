"""The second factor for staff: a stolen password alone opens no session where it is
required; enrolment starts only after a code sent to the person's mailbox; codes come from
a real TOTP computation at a moving clock; recovery codes work once; every enrolment,
failure and reset is in the audit trail; an admin sees who enrolled and resets a factor."""

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from django.core import mail
from django.test import Client
from django.utils import timezone

from helpdesk.accounts.models import AuditEvent, SignInPolicy
from tests.accounts.second_factor import emailed_code, enrol_totp, sign_in_with_code, totp
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

DESK = "/desk/"


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def kinds(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).values_list("kind", flat=True))


def enrolled(client: Client, agent, committed) -> tuple[str, list[str]]:
    """`agent` through the first sign-in under the requirement: the emailed code, then an
    authenticator app."""
    first = sign_in(client, agent.email)
    assert first["Location"] == "/accounts/login/code/confirm/"
    client.post("/accounts/login/code/confirm/", {"code": emailed_code(agent.email)})
    return enrol_totp(client, committed)


def test_a_password_alone_starts_no_enrolment_and_opens_no_desk(required, agent):
    client = Client()

    response = sign_in(client, agent.email)

    assert response["Location"] == "/accounts/login/code/confirm/"
    assert "sign-in code" in mail.outbox[-1].body
    assert client.get(DESK)["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/login/")
    wrong = client.post("/accounts/login/code/confirm/", {"code": "AAAAAA"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    assert client.get(DESK)["Location"].startswith("/accounts/login/")


def test_after_the_mailbox_code_the_session_reaches_only_enrolment(required, agent, committed):
    client = Client()
    sign_in(client, agent.email)

    client.post("/accounts/login/code/confirm/", {"code": emailed_code(agent.email)})

    assert client.get(DESK)["Location"] == "/accounts/2fa/"
    assert client.get("/api/v1/me")["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/")
    assert page.status_code == 200 and "Authenticator App" in page.content.decode()
    _, codes = enrol_totp(client, committed)
    assert client.get(DESK).status_code == 200
    assert len(codes) == 10
    assert kinds(actor=agent).count(AuditEvent.Kind.SECOND_FACTOR_ADDED) == 2  # app + codes


def test_staff_sign_in_with_a_code_from_the_moving_clock(required, agent, committed):
    secret, _ = enrolled(Client(), agent, committed)
    later = timezone.now() + timedelta(hours=3, seconds=7)

    with time_machine.travel(later, tick=False):
        client = Client()
        stolen = sign_in(client, agent.email)
        assert stolen["Location"] == "/accounts/2fa/authenticate/"
        assert client.get(DESK)["Location"].startswith("/accounts/login/")
        stale = client.post(
            "/accounts/2fa/authenticate/", {"code": totp(secret, later - timedelta(minutes=5))}
        )
        assert "Incorrect code" in stale.content.decode()
        assert client.get(DESK)["Location"].startswith("/accounts/login/")
        done = client.post("/accounts/2fa/authenticate/", {"code": totp(secret, later)})

        assert done.status_code == 302
        assert client.get(DESK).status_code == 200
    failed = AuditEvent.objects.get(kind=AuditEvent.Kind.SECOND_FACTOR_FAILED)
    assert failed.data["user"] == agent.email


def test_wrong_codes_lock_the_second_step(required, agent, committed):
    secret, _ = enrolled(Client(), agent, committed)
    client = Client()
    sign_in(client, agent.email)

    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    locked = client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})

    assert "Too many failed" in locked.content.decode()
    assert client.get(DESK)["Location"].startswith("/accounts/login/")
    assert kinds().count(AuditEvent.Kind.SECOND_FACTOR_FAILED) >= 5


def test_a_recovery_code_works_once(required, agent, committed):
    _, codes = enrolled(Client(), agent, committed)

    first = Client()
    sign_in_with_code(first, agent.email, codes[0])
    again = Client()
    refused = sign_in_with_code(again, agent.email, codes[0])

    assert first.get(DESK).status_code == 200
    assert "Incorrect code" in refused.content.decode()
    assert again.get(DESK)["Location"].startswith("/accounts/login/")
    assert AuditEvent.Kind.RECOVERY_CODE_USED in kinds(actor=agent)


def test_an_admin_sees_who_enrolled_and_resets_a_lost_factor(required, agent, teammate, committed):
    enrolled(Client(), agent, committed)
    root = type(agent).objects.create_superuser("root@example.test", "pw")
    Authenticator.objects.create(user=root, type=Authenticator.Type.WEBAUTHN, data={})
    admin = Client()
    admin.force_login(root)

    listing = admin.get("/admin/accounts/user/?second_factor=yes").content.decode()
    assert agent.email in listing and teammate.email not in listing
    assert "Authenticator app, Recovery codes" in listing
    admin.post(
        "/admin/accounts/user/",
        {"action": "reset_second_factors", "_selected_action": [agent.pk]},
    )

    assert not Authenticator.objects.filter(user=agent).exists()
    reset = AuditEvent.objects.get(kind=AuditEvent.Kind.SECOND_FACTOR_RESET)
    assert reset.data["user"] == agent.email and reset.actor.email == "root@example.test"
    assert sign_in(Client(), agent.email)["Location"] == "/accounts/login/code/confirm/"


def test_the_admin_can_require_the_factor_where_the_setting_does_not(agent):
    assert sign_in(Client(), agent.email)["Location"] == "/"

    SignInPolicy.objects.create(staff_second_factor=SignInPolicy.SecondFactor.REQUIRED)

    assert sign_in(Client(), agent.email)["Location"] == "/accounts/login/code/confirm/"


def test_customers_may_opt_in_and_then_give_it_with_a_sign_in_link(required, customer, committed):
    client = Client()
    assert sign_in(client, customer.email)["Location"] == "/"
    secret, _ = enrol_totp(client, committed)
    client.post("/accounts/logout/")
    token_client = Client()
    token_client.post("/accounts/link/", {"email": customer.email})
    link = mail.outbox[-1].body.split("/accounts/link/")[1].split("/")[0]

    redeemed = token_client.post(f"/accounts/link/{link}/")

    assert redeemed["Location"] == "/accounts/2fa/authenticate/"
    assert token_client.get("/portal/")["Location"].startswith("/accounts/login/")
    token_client.post("/accounts/2fa/authenticate/", {"code": totp(secret)})
    assert token_client.get("/portal/").status_code == 200


def test_sign_in_links_are_for_customers_only(agent, customer):
    from helpdesk.accounts import links

    assert links.send_link(agent.email) is False
    assert mail.outbox == []
    # A link sent to a customer who is staff by the time it is used opens nothing.
    Client().post("/accounts/link/", {"email": customer.email})
    link = mail.outbox[-1].body.split("/accounts/link/")[1].split("/")[0]
    customer.role, customer.organization = "agent", None
    customer.save()
    client = Client()

    assert client.post(f"/accounts/link/{link}/").status_code == 410
    assert client.get("/desk/")["Location"].startswith("/accounts/login/")


def test_the_admin_sign_in_page_is_no_way_around_the_second_factor(required, agent, committed):
    root = type(agent).objects.create_superuser("root@example.test", "pw", full_name="Root")
    enrolled(Client(), root, committed)
    client = Client()

    page = client.get("/admin/login/?next=/admin/")
    posted = client.post("/admin/login/", {"username": root.email, "password": "pw"})

    assert page.status_code == 302 and page["Location"].startswith("/accounts/login/")
    assert posted.status_code == 302 and posted["Location"].startswith("/accounts/login/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_removing_a_factor_is_audited_and_emailed(required, agent, committed):
    client = Client()
    enrolled(client, agent, committed)

    with committed(execute=True):
        client.post("/accounts/2fa/totp/deactivate/")

    assert not Authenticator.objects.filter(user=agent, type="totp").exists()
    removed = AuditEvent.objects.filter(kind=AuditEvent.Kind.SECOND_FACTOR_REMOVED)
    assert {(event.actor, event.data["type"]) for event in removed} >= {(agent, "totp")}
    assert "deactivated" in mail.outbox[-1].body.lower()

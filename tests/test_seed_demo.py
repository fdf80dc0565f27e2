"""`seed_demo`: the demo logins of DESIGN.md, created once, only on a development machine."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from helpdesk.accounts.models import Department, Organization, User
from tests.helpers import run_command, sign_in

pytestmark = pytest.mark.django_db

# DESIGN.md, "Names everyone relies on": (login, where it lands, its organisation or departments)
DEMO_LOGINS = [
    ("manager@demo.test", "/desk/", {"Support"}),
    ("agent@demo.test", "/desk/", {"Support"}),
    ("hardware@demo.test", "/desk/", {"Hardware"}),
    ("software@demo.test", "/desk/", {"Software"}),
    ("parts@demo.test", "/desk/", {"Parts"}),
    ("warranty@demo.test", "/desk/", {"Warranty"}),
    ("customer@demo.test", "/portal/", "Acme"),
    ("other@demo.test", "/portal/", "Globex"),
]


def seed_demo() -> str:
    with override_settings(DEBUG=True):
        return run_command("seed_demo")


def snapshot():
    return {
        "organizations": list(Organization.objects.order_by("name").values()),
        "departments": list(
            Department.objects.order_by("name").values("id", "name", "lead__email")
        ),
        "users": list(User.objects.order_by("email").values()),
        "memberships": sorted(
            User.departments.through.objects.values_list("user__email", "department__name")
        ),
    }


def test_seeding_twice_changes_nothing():
    seed_demo()
    first = snapshot()

    seed_demo()

    assert snapshot() == first
    with_password = [u["email"] for u in first["users"] if not u["password"].startswith("!")]
    assert sorted(with_password) == sorted(email for email, _lands, _org in DEMO_LOGINS)


@pytest.mark.parametrize(("email", "lands_on", "belongs_to"), DEMO_LOGINS)
def test_every_demo_login_signs_in_with_password_demo(client, email, lands_on, belongs_to):
    seed_demo()

    response = sign_in(client, email, "demo", follow=True)

    assert response.redirect_chain[-1][0] == lands_on
    assert response.status_code == 200
    user = User.objects.get(email=email)
    if isinstance(belongs_to, str):
        assert user.organization.name == belongs_to
    else:
        assert set(user.departments.values_list("name", flat=True)) == belongs_to


def test_seeding_prints_every_demo_login():
    output = seed_demo()

    for email, _lands_on, _belongs_to in DEMO_LOGINS:
        assert email in output


def test_only_the_demo_manager_has_the_manager_role_and_the_admin():
    seed_demo()

    assert list(User.objects.filter(role=User.Role.MANAGER).values_list("email", flat=True)) == [
        "manager@demo.test"
    ]
    assert list(User.objects.filter(is_staff=True).values_list("email", flat=True)) == [
        "manager@demo.test"
    ]


def test_every_department_has_a_lead():
    seed_demo()

    leads = dict(Department.objects.values_list("name", "lead__email"))

    assert leads == {
        "Support": "manager@demo.test",
        "Software": "software@demo.test",
        "Hardware": "hardware@demo.test",
        "Parts": "parts@demo.test",
        "Warranty": "warranty@demo.test",
    }


@override_settings(DEBUG=False)
def test_seeding_is_refused_when_debug_is_off():
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("seed_demo")

    assert not User.objects.exists()
    assert not Organization.objects.exists()

"""An admin sets a department to automatic routing and the intake rules in the admin
site; every path that creates a case then goes through routing."""

import re
from pathlib import Path

import pytest

from cases.models import IntakeRule
from helpdesk.accounts.models import Department
from tests.helpers import report_case

pytestmark = pytest.mark.django_db

PRODUCT = ["cases", "notifications", "helpdesk/accounts", "helpdesk/views.py"]


def test_an_admin_turns_on_routing_and_adds_a_rule(
    admin_client, support, hardware, teammate, customer
):
    response = admin_client.post(
        f"/admin/accounts/department/{hardware.pk}/change/",
        {"name": "Hardware", "lead": "", "routing": "automatic", "alert_after_minutes": "5"},
    )
    assert response.status_code == 302
    response = admin_client.post(
        "/admin/cases/intakerule/add/",
        {"order": "1", "department": hardware.pk, "mailbox": "", "title_words": "laptop, battery"},
    )
    assert response.status_code == 302

    hardware.refresh_from_db()
    assert hardware.routing == Department.Routing.AUTOMATIC and hardware.alert_after_minutes == 5
    assert str(IntakeRule.objects.get()) == "title has laptop, battery → Hardware"
    case = report_case(customer, "Laptop battery swells")
    assert case.intake_department == hardware and case.owner == teammate
    listing = admin_client.get("/admin/cases/intakerule/").content.decode()
    assert "title has laptop, battery → Hardware" in listing


def test_cases_are_created_in_one_place_only():
    """`cases.services.opening._create_case` is the one way a case comes to exist, so no
    path (portal, email, desk, a future API) can skip the intake rules and routing."""
    makers = re.compile(
        r"(?<!class )\bCase\((?!\))|Case\.objects\.(create|bulk_create|get_or_create)\("
    )
    found = []
    for root in PRODUCT:
        for path in sorted(Path(root).rglob("*.py")) if Path(root).is_dir() else [Path(root)]:
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if makers.search(line):
                    found.append(f"{path}:{number}")
    assert found == [f"cases/services/opening.py:{_line_of_case_constructor()}"]


def _line_of_case_constructor() -> int:
    lines = Path("cases/services/opening.py").read_text().splitlines()
    return next(n for n, line in enumerate(lines, 1) if "case = Case(" in line)

"""Details a support team trips over on day one: each refusal gives its own reason,
file names come out as the person named them, and case texts hold no same-origin links."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services
from cases.models import Attachment
from cases.text import render_markdown
from tests.factories import AgentFactory, DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(customer, agent):
    case = services.report_case(acting_user=customer, title="Printer jams", description="Tray 2.")
    return services.take_ownership(case=case, acting_user=agent, expected_version=case.version)


def act(client, case, action, **data):
    url = reverse("desk:case_action", kwargs={"reference": case.reference, "action": action})
    return client.post(url, data, HTTP_HX_REQUEST="true")


def test_a_department_agent_on_a_stale_page_is_told_who_may_act(client, owned):
    parts = AgentFactory(full_name="Pat Moss", departments=[DepartmentFactory(name="Parts")])
    stale = owned.version - 1
    client.force_login(parts)

    response = act(client, owned, "wait", version=stale)

    assert response.status_code == 403
    assert "Only the case&#x27;s owner or a manager can wait on the customer." in response.text
    assert "changed" not in response.text


def test_the_owner_on_a_stale_page_is_told_who_changed_it(client, owned, manager):
    services.change_priority(
        case=owned, acting_user=manager, priority=30, expected_version=owned.version
    )
    client.force_login(owned.owner)

    response = act(client, owned, "wait", version=owned.version)

    assert response.status_code == 409
    assert "Morgan Reyes changed" in response.text


def test_taking_an_owned_case_says_who_owns_it(client, owned):
    second = AgentFactory(full_name="Sam Park")
    client.force_login(second)
    for version in (owned.version, owned.version - 1):  # fresh or stale page alike
        response = act(client, owned, "take", version=version)
        assert response.status_code == 409
        assert f"{owned.reference} is already owned by Dana Lee" in response.text


def test_a_file_name_with_quotes_is_kept_as_named(client, customer, owned):
    # Browsers send `"` in a multipart file name as %22 (and CR, LF as %0D, %0A).
    upload = SimpleUploadedFile("Q3 report %22final%22.txt", b"figures", "text/plain")
    client.force_login(customer)
    url = reverse("portal:reply", kwargs={"reference": owned.reference})

    response = client.post(url, {"body": "The report.", "files": [upload]})

    assert response.status_code in (200, 302)
    stored = Attachment.objects.get(case=owned)
    assert stored.filename == 'Q3 report "final".txt'
    page = client.get(reverse("portal:case", kwargs={"reference": owned.reference}))
    assert "Q3 report &quot;final&quot;.txt" in page.text
    download = client.get(
        reverse(
            "portal:attachment", kwargs={"reference": owned.reference, "attachment_id": stored.pk}
        )
    )
    assert download["Content-Disposition"] == 'attachment; filename="Q3 report \\"final\\".txt"'


@pytest.mark.parametrize(
    "markdown",
    ["[next page](12)", "[desk](/desk/)", "[proto](//evil.example/x)", "[js](javascript:alert(1))"],
)
def test_relative_and_unsafe_links_lose_their_target(markdown):
    html = render_markdown(markdown)
    assert "href" not in html
    assert ">" + markdown[1:].split("]")[0] + "</a>" in html  # the words stay


def test_absolute_web_and_mail_links_are_kept():
    html = render_markdown("[docs](https://docs.example/a) and [mail](mailto:help@example.test)")
    assert 'href="https://docs.example/a"' in html
    assert 'href="mailto:help@example.test"' in html

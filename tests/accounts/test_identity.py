"""The support organisation's name and logo, set in the admin, on every page; the logo is
served from the database, and only as the raster image it is."""

import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpdesk.accounts.models import SupportIdentity, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def png() -> bytes:
    """A real 1 x 1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x0d\x6e\xfd")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.fixture
def admin_client(client):
    client.force_login(
        UserFactory(role=User.Role.MANAGER, is_staff=True, is_superuser=True, email="root@x.test")
    )
    return client


def set_identity(admin_client, name: str, logo: bytes | None = None, filename="logo.png", **more):
    data = {"name": name, **more}
    if logo is not None:
        data["logo_file"] = SimpleUploadedFile(filename, logo, content_type="image/png")
    if SupportIdentity.objects.exists():
        return admin_client.post("/admin/accounts/supportidentity/1/change/", data)
    return admin_client.post("/admin/accounts/supportidentity/add/", data)


def test_it_calls_itself_helpdesk_until_named(agent_client):
    page = agent_client.get("/desk/").text

    assert "<title>Dashboard · Helpdesk</title>" in page or "· Helpdesk</title>" in page
    assert '<span hx-disable>Helpdesk</span><span class="ms-1">· Desk</span>' in page
    assert 'class="brand-logo' not in page
    assert agent_client.get("/logo").status_code == 404


def test_the_name_and_logo_set_in_the_admin_show_on_every_page(
    admin_client, agent_client, customer_client
):
    response = set_identity(admin_client, "Acme IT Support", png())
    assert response.status_code == 302
    visitor = Client()

    for page in (
        agent_client.get("/desk/").text,
        customer_client.get("/portal/").text,
        visitor.get("/accounts/login/").text,
    ):
        assert "Acme IT Support</span>" in page
        assert "· Acme IT Support</title>" in page
        assert '<img class="brand-logo me-2" src="/logo?v=' in page

    logo = visitor.get("/logo")  # the sign-in page shows it too: no session needed
    assert logo.status_code == 200
    assert logo["Content-Type"] == "image/png"
    assert logo["X-Content-Type-Options"] == "nosniff"
    assert logo.content == png()


def test_a_logo_that_is_not_a_raster_image_is_refused_and_nothing_changes(admin_client):
    set_identity(admin_client, "Acme IT Support", png())
    script = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

    response = set_identity(admin_client, "Renamed", script, filename="logo.png")

    assert response.status_code == 200
    assert "The logo must be a PNG, JPEG or WebP image." in response.text
    assert 'value="Renamed"' in response.text  # what was typed stays
    assert SupportIdentity.objects.get().name == "Acme IT Support"
    assert Client().get("/logo").content == png()


def test_a_logo_over_200_kb_is_refused(admin_client):
    response = set_identity(admin_client, "Acme", png() + b"\0" * 210_000)

    assert "The logo is larger than 200 KB." in response.text
    assert not SupportIdentity.objects.exists()


def test_the_logo_can_be_removed(admin_client, agent_client):
    set_identity(admin_client, "Acme IT Support", png())

    set_identity(admin_client, "Acme IT Support", remove_logo="on")

    assert agent_client.get("/logo").status_code == 404
    assert 'class="brand-logo' not in agent_client.get("/desk/").text


def test_the_name_is_text_never_markup(admin_client, agent_client):
    set_identity(admin_client, "<b>Acme</b>")

    page = agent_client.get("/desk/").text

    assert "&lt;b&gt;Acme&lt;/b&gt;</span>" in page
    assert "<b>Acme</b>" not in page


def test_there_is_one_identity(admin_client):
    set_identity(admin_client, "Acme")

    assert admin_client.get("/admin/accounts/supportidentity/add/").status_code == 403
    assert admin_client.post("/admin/accounts/supportidentity/1/delete/").status_code == 403

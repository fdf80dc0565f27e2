"""Files people send are only ever downloaded, through the views that check who asks: a
hostile name or markup inside a file never renders in our origin, never names a path,
never splits a header; HTML and SVG files are refused by the one attachment policy (by
email: listed on the entry with the reason, the raw message keeping them); files beyond
the limits are refused with nothing kept."""

import base64
import uuid
from urllib.parse import quote, unquote

import pytest

from cases import services
from cases.models import Attachment, Case, TimelineEntry
from notifications import inbound
from notifications.models import InboundMessage
from tests.helpers import HTMX, desk_url, portal_url, stored_files, streamed, upload

pytestmark = pytest.mark.django_db

SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
# Accepted kinds of file (by their names), with hostile names and markup inside.
HOSTILE_NAMES = [
    ('../../etc/"evil"\r\nX-Injected: yes.txt', "text/html", HTML),
    ("..\\..\\windows\\report\n.png", "image/svg+xml", SVG),
    ('"; filename=inline.html; x=".pdf', "text/html", HTML),
    ("résumé\t<script>.png", "image/svg+xml", SVG),
]
MARKUP_FILES = [("page.html", "text/html", HTML), ("logo.svg", "image/svg+xml", SVG)]


def mail_with_files(sender: str, subject: str, files) -> bytes:
    """A raw message whose file names are RFC 2231-encoded: once decoded they may hold
    anything, line breaks and path separators included, as a hostile sender's can."""
    boundary = "=-=-boundary-=-="
    lines = [
        f"From: {sender}",
        "To: support@helpdesk.localhost",
        f"Subject: {subject}",
        f"Message-ID: <{uuid.uuid4()}@mail.example.test>",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "",
        f"--{boundary}",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "See the attached files.",
    ]
    for name, content_type, content in files:
        lines += [
            f"--{boundary}",
            f"Content-Type: {content_type}",
            f"Content-Disposition: attachment; filename*=utf-8''{quote(name, safe='')}",
            "Content-Transfer-Encoding: base64",
            "",
            base64.encodebytes(content).decode().strip(),
        ]
    lines += [f"--{boundary}--", ""]
    return "\r\n".join(lines).encode()


@pytest.fixture
def mailed_case(customer, agent) -> Case:
    """Hostile names arrive where no browser cleaned them first: by email."""
    stored = inbound.receive(mail_with_files(customer.email, "Files", HOSTILE_NAMES))
    assert stored.status == InboundMessage.Status.PROCESSED, stored.reason
    case = stored.case
    services.take_ownership(case=case, acting_user=agent, expected_version=None)
    return case


def download_name(disposition: str) -> str:
    """The file name a browser reads from Content-Disposition."""
    _kind, _, parameter = disposition.partition(";")
    key, _, value = parameter.strip().partition("=")
    if key == "filename*":
        return unquote(value.removeprefix("utf-8''"))
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    return value.replace('\\"', '"').replace("\\\\", "\\")


def assert_safe_download(response, content: bytes) -> None:
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.split(";")[0] == "attachment", disposition
    for name, value in response.items():
        assert "\r" not in value and "\n" not in value, (name, value)
    name = download_name(disposition)
    assert name and "/" not in name and "\\" not in name, disposition
    assert not name.startswith("."), disposition
    assert all(ch.isprintable() for ch in name), disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert streamed(response) == content


def test_hostile_file_names_download_as_attachments_from_desk_and_portal(
    client, agent, customer, mailed_case
):
    attachments = list(Attachment.objects.filter(case=mailed_case).order_by("pk"))
    assert len(attachments) == len(HOSTILE_NAMES)
    for surface, user in (("desk", agent), ("portal", customer)):
        client.force_login(user)
        page = client.get(f"/{surface}/cases/{mailed_case.reference}/")
        assert page.status_code == 200
        assert "<script>.svg" not in page.text  # the names are shown as text
        for attachment, (_name, _type, content) in zip(attachments, HOSTILE_NAMES, strict=True):
            url = f"/{surface}/cases/{mailed_case.reference}/attachments/{attachment.pk}/"
            assert f'href="{url}" download' in page.text
            assert_safe_download(client.get(url), content)


def test_html_and_svg_by_email_are_listed_as_refused_and_kept_in_the_raw_message(
    client, agent, customer, media_root
):
    raw = mail_with_files(
        customer.email, "Markup", [*MARKUP_FILES, ("readme.txt", "text/plain", b"Hello")]
    )

    stored = inbound.receive(raw)

    assert stored.status == InboundMessage.Status.PROCESSED, stored.reason
    opened = stored.case.timeline.get()
    assert [a.filename for a in opened.attachments.all()] == ["readme.txt"]
    assert [r["name"] for r in opened.data["refused_attachments"]] == ["page.html", "logo.svg"]
    with stored.raw.open("rb") as source:
        assert source.read() == raw  # the refused files are still in the message we keep
    for surface, user in (("desk", agent), ("portal", customer)):
        client.force_login(user)
        page = client.get(f"/{surface}/cases/{stored.case.reference}/")
        refused = page.text.split('data-testid="refused-attachments"', 1)[1].split("</ul>")[0]
        assert "page.html is a kind of file (text/html) that is not accepted." in refused
        assert "logo.svg is a kind of file (image/svg+xml) that is not accepted." in refused


def test_html_and_svg_uploads_from_the_desk_are_refused(client, agent, mailed_case):
    client.force_login(agent)
    before = Attachment.objects.count()
    for name, content_type, content in MARKUP_FILES:
        response = client.post(
            desk_url(mailed_case, "entries/"),
            {"kind": "note", "body": "Files", "files": [upload(name, content, content_type)]},
            headers=HTMX,
        )
        assert response.status_code == 422, name
        assert f"{name} is a kind of file" in response.text
    assert Attachment.objects.count() == before


def test_files_are_never_served_from_storage_directly(client, agent, mailed_case, settings):
    client.force_login(agent)
    stored = Attachment.objects.filter(case=mailed_case).first()
    # The stored name is ours, not the sender's: nothing of the hostile name is a path.
    assert "evil" not in stored.file.name and ".." not in stored.file.name
    for path in (
        f"{settings.MEDIA_URL}{stored.file.name}",
        f"/media/{stored.file.name}",
        f"/static/../private/{stored.file.name}",
        f"/private/{stored.file.name}",
    ):
        assert client.get(path).status_code == 404, path


def test_portal_refuses_html_and_svg_uploads(client, customer, mailed_case):
    client.force_login(customer)
    before = Attachment.objects.count()
    for name, content_type, content in (("page.html", "text/html", HTML),
                                        ("logo.svg", "image/svg+xml", SVG),
                                        ("photo.png.html", "image/png", HTML)):  # fmt: skip
        response = client.post(
            portal_url(mailed_case, "reply/"),
            {"body": "See file", "files": [upload(name, content, content_type)]},
            headers=HTMX,
        )
        assert response.status_code == 422, name
        assert "is not accepted" in response.text
    assert Attachment.objects.count() == before


def test_files_over_the_size_limit_are_refused_everywhere_with_nothing_kept(
    client, agent, customer, mailed_case, settings, media_root
):
    settings.MAX_ATTACHMENT_BYTES = 1024
    big = b"x" * 1025
    files_before = stored_files(media_root)
    entries_before = TimelineEntry.objects.filter(case=mailed_case).count()

    client.force_login(customer)
    response = client.post(
        portal_url(mailed_case, "reply/"),
        {"body": "Log", "files": [upload("log.txt", big)]},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "the limit is 1.0\xa0KB per file" in response.text

    client.force_login(agent)
    response = client.post(
        desk_url(mailed_case, "entries/"),
        {"kind": "note", "body": "Log", "files": [upload("log.txt", big)]},
        headers=HTMX,
    )
    assert response.status_code == 422

    response = client.post(
        "/desk/cases/new/",
        {"customer": customer.pk, "title": "Big", "description": "x", "priority": 20,
         "files": [upload("log.txt", big)]},
    )  # fmt: skip
    assert response.status_code == 422

    assert TimelineEntry.objects.filter(case=mailed_case).count() == entries_before
    assert Case.objects.count() == 1
    assert stored_files(media_root) == files_before


def test_mail_over_the_size_limit_is_quarantined_not_attached(customer, settings):
    settings.INBOUND_MAX_BYTES = 2048
    raw = mail_with_files(customer.email, "Huge", [("dump.bin", "application/zip", b"z" * 4096)])

    stored = inbound.receive(raw)

    assert stored.status == InboundMessage.Status.QUARANTINED
    assert "Too large" in stored.reason
    assert not Attachment.objects.exists()

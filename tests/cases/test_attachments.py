"""Files on the timeline: uploaded with a note, downloaded only as attachments, and refused
when too large, with nothing half-saved."""

import pytest

from cases.models import Attachment, EntryKind, TimelineEntry
from tests.helpers import HTMX, desk_url, stored_files, streamed, upload

pytestmark = pytest.mark.django_db

LOG = b"2024-05-01 PSU voltage 11.2V\n2024-05-01 battery not detected\n"


def test_agent_uploads_a_file_with_a_note_and_downloads_it(agent_client, owned_case, media_root):
    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {
            "kind": "note",
            "body": "Diagnostics attached.",
            "files": [upload("diagnostics.log", LOG)],
        },
    )

    assert response.status_code == 302
    [attachment] = Attachment.objects.filter(case=owned_case)
    assert attachment.entry.kind == EntryKind.INTERNAL_NOTE
    assert attachment.entry.body == "Diagnostics attached."
    assert (attachment.filename, attachment.size) == ("diagnostics.log", len(LOG))
    # Stored under the temporary media root, never under the user's file name.
    [path] = stored_files(media_root)
    assert "diagnostics" not in path.name

    page = agent_client.get(desk_url(owned_case))
    download_url = desk_url(owned_case, f"attachments/{attachment.pk}/")
    assert f'href="{download_url}"' in page.text
    assert "diagnostics.log" in page.text

    download = agent_client.get(download_url)
    assert download.status_code == 200
    assert streamed(download) == LOG
    assert download["Content-Disposition"] == 'attachment; filename="diagnostics.log"'
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    download.close()


def test_html_upload_is_refused_by_the_attachment_policy(agent_client, owned_case):
    evil = upload("page.html", b"<script>alert(1)</script>", "text/html")

    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {"kind": "note", "body": "See page", "files": [evil]},
        headers=HTMX,
    )

    assert response.status_code == 422
    assert "page.html is a kind of file (text/html) that is not accepted." in response.text
    assert "See page" in response.text  # the note waits in the composer
    assert not Attachment.objects.exists()


def test_markup_in_an_accepted_file_is_still_only_a_download(agent_client, owned_case):
    # A text file whose sender claims HTML: accepted by its name, never rendered by type.
    evil = upload("notes.txt", b"<script>alert(1)</script>", "text/html")
    agent_client.post(
        desk_url(owned_case, "entries/"), {"kind": "note", "body": "See notes", "files": [evil]}
    )
    attachment = Attachment.objects.get(case=owned_case)

    download = agent_client.get(desk_url(owned_case, f"attachments/{attachment.pk}/"))

    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    download.close()


def test_file_over_the_limit_is_refused_and_nothing_is_saved(
    agent_client, owned_case, settings, media_root
):
    settings.MAX_ATTACHMENT_BYTES = 32
    entries_before = TimelineEntry.objects.filter(case=owned_case).count()
    response = agent_client.post(
        desk_url(owned_case, "entries/"),
        {
            "kind": "note",
            "body": "Diagnostics attached.",
            "files": [upload("diagnostics.log", LOG)],
        },
        headers=HTMX,
    )

    assert response.status_code == 422
    assert f"diagnostics.log is {len(LOG)}\xa0bytes; the limit is 32\xa0bytes per file." in (
        response.text
    )
    # The note is kept in the composer so nothing the agent wrote is lost.
    assert "Diagnostics attached." in response.text
    assert TimelineEntry.objects.filter(case=owned_case).count() == entries_before
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_too_many_files_are_refused(agent_client, owned_case, settings):
    settings.MAX_ATTACHMENTS_PER_MESSAGE = 1
    files = [upload(f"photo{i}.jpg", b"jpg", "image/jpeg") for i in (1, 2)]

    response = agent_client.post(
        desk_url(owned_case, "entries/"), {"kind": "note", "body": "Photos", "files": files}
    )

    assert response.status_code == 422
    assert "Attach at most 1 files to one message." in response.text
    assert not Attachment.objects.exists()

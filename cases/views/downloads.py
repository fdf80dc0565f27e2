"""Files leave only as downloads, through the authorized views of desk and portal."""

import mimetypes

from django.http import FileResponse, HttpRequest

from cases.models import Attachment
from helpdesk.accounts import audit
from helpdesk.accounts.models import AuditEvent


def serve_attachment(request: HttpRequest, found: Attachment) -> FileResponse:
    """Always a download, never rendered inline: user files cannot run in our origin."""
    audit.record(
        AuditEvent.Kind.ATTACHMENT_DOWNLOAD,
        request=request,
        attachment=found.pk,
        case=found.case_id,
        filename=found.filename,
    )
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=download_name(found.filename),
        content_type=found.content_type
        or mimetypes.guess_type(found.filename)[0]
        or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def download_name(filename: str) -> str:
    """The name a file is offered under: the sender's, less any folders (either slash),
    control characters and leading dots, which a browser or an OS could act on."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".").strip()
    return name or "attachment"

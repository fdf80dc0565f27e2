"""One attachment policy for every way a file arrives: the portal, the desk and email.

A message carries at most MAX_ATTACHMENTS_PER_MESSAGE files, each at most
MAX_ATTACHMENT_BYTES, of a type in ALLOWED_ATTACHMENT_TYPES (judged by the file's name,
never the sender's claim alone). A person at a form is told and loses nothing; an email's
refused files are listed on its timeline entry with the reason, and the stored raw
message keeps them.
"""

import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

from cases.models import Attachment, Case, TimelineEntry
from cases.services.errors import CaseError
from helpdesk.accounts.models import User


@dataclass(frozen=True)
class Refusal:
    """A file the policy turned away, and why, in words fit to show."""

    name: str
    reason: str

    @property
    def message(self) -> str:
        return f"{self.name} {self.reason}"

    def as_data(self) -> dict:
        return {"name": self.name, "reason": self.reason}


def attachment_type(upload: UploadedFile) -> str:
    """The type we trust: guessed from the name, never the sender's claim alone."""
    guessed = mimetypes.guess_type(upload.name or "")[0]
    return guessed or upload.content_type or "application/octet-stream"


def refusal_for(upload: UploadedFile) -> Refusal | None:
    """Why one file is refused, or None when the policy accepts it."""
    name = upload.name or "attachment"
    size = upload.size or 0
    if size > settings.MAX_ATTACHMENT_BYTES:
        return Refusal(
            name,
            f"is {filesizeformat(size)}; the limit is "
            f"{filesizeformat(settings.MAX_ATTACHMENT_BYTES)} per file.",
        )
    kind = attachment_type(upload)
    if kind not in settings.ALLOWED_ATTACHMENT_TYPES:
        return Refusal(
            name,
            f"is a kind of file ({kind}) that is not accepted. Send images, PDF, text, CSV, "
            "ZIP or Office documents.",
        )
    return None


def screen(files: Iterable[UploadedFile]) -> tuple[list[UploadedFile], list[Refusal]]:
    """Split files into those the policy accepts and those it refuses, with reasons."""
    accepted: list[UploadedFile] = []
    refused: list[Refusal] = []
    limit = settings.MAX_ATTACHMENTS_PER_MESSAGE
    for upload in files:
        refusal = refusal_for(upload)
        if refusal is None and len(accepted) >= limit:
            refusal = Refusal(
                upload.name or "attachment", f"is one file more than the {limit} a message holds."
            )
        if refusal is None:
            accepted.append(upload)
        else:
            refused.append(refusal)
    return accepted, refused


def too_many_message() -> str:
    return f"Attach at most {settings.MAX_ATTACHMENTS_PER_MESSAGE} files to one message."


def checked(
    files: Iterable[UploadedFile], *, record_refused: bool
) -> tuple[list[UploadedFile], list[dict]]:
    """The files to store and the refusals to list on the entry.

    A person at a form (`record_refused` false) is refused outright, nothing written; an
    email (`record_refused` true) keeps its text and its accepted files, and the refused
    ones are listed with their reasons (the raw message still holds them).
    """
    files = list(files)
    accepted, refused = screen(files)
    if refused and not record_refused:
        if len(files) > settings.MAX_ATTACHMENTS_PER_MESSAGE:
            raise CaseError(too_many_message())
        raise CaseError(refused[0].message)
    return accepted, [refusal.as_data() for refusal in refused]


def attach(
    *, case: Case, entry: TimelineEntry, files: Iterable[UploadedFile], user: User
) -> list[Attachment]:
    """Store files the policy accepted on an entry (the caller screened them)."""
    attachments = []
    for upload in files:
        attachment = Attachment(
            case=case,
            entry=entry,
            filename=(upload.name or "attachment")[:255],
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size or 0,
            uploaded_by=user,
        )
        attachment.file.save(upload.name or "attachment", upload, save=False)
        attachment.save()
        attachments.append(attachment)
    return attachments

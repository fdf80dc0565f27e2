"""The support organisation's identity (`SupportIdentity`) as every page draws it: read
from the cache, so a page costs no query for it once one page has been drawn; a change in
the admin replaces the cached copy (other hosts see it within `TTL` on a per-process cache,
at once on Redis)."""

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from helpdesk.accounts.models import SupportIdentity

KEY = "support-identity"
TTL = 300
DEFAULT_NAME = "Helpdesk"
# What a logo may be, told by its first bytes (never by its name or the browser's word):
# raster images only, since an SVG can carry script.
LOGO_TYPES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"RIFF": "image/webp",
}
LOGO_MAX_BYTES = 200 * 1024


@dataclass(frozen=True)
class Identity:
    name: str
    version: int  # changes with every change: the logo's URL carries it
    has_logo: bool
    help_centre_public: bool = False


DEFAULT = Identity(DEFAULT_NAME, 0, False)


def _load() -> Identity:
    row = (
        SupportIdentity.objects.filter(pk=1)
        .only("name", "logo_type", "updated", "help_centre_public")
        .first()
    )
    if row is None:
        return DEFAULT
    return Identity(
        row.name, int(row.updated.timestamp()), bool(row.logo_type), row.help_centre_public
    )


def current() -> Identity:
    return cache.get_or_set(KEY, _load, TTL)


def forget() -> None:
    cache.delete(KEY)


def remember(known: Identity) -> None:
    """Set what pages draw without reading the row (a fresh database holds none)."""
    cache.set(KEY, known, TTL)


def logo_type(data: bytes) -> str:
    """The logo's media type, or "" when it is not an image we serve."""
    for magic, media_type in LOGO_TYPES.items():
        if data.startswith(magic) and (media_type != "image/webp" or data[8:12] == b"WEBP"):
            return media_type
    return ""


def context(request: HttpRequest) -> dict:
    """Template context processor: `identity`, read only when a template uses it."""
    return {"identity": SimpleLazyObject(current)}

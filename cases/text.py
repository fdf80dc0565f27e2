"""Text: user-written Markdown rendered, then cleaned with nh3 so only safe HTML remains;
and how a moment is written to a customer."""

import threading
from datetime import datetime

import markdown
import nh3
from django.utils import timezone
from django.utils.formats import date_format

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "code", "pre", "blockquote", "ul", "ol", "li",
    "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread, reset between texts (building one loads every
    extension: slower than converting a reply)."""
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=["fenced_code", "tables", "sane_lists", "nl2br"], output_format="html"
        )
        # Raw HTML is shown as text, not interpreted: nh3 only ever sees Markdown's output.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        _local.md = md
    return md.reset()


def render_markdown(text: str) -> str:
    """Markdown → sanitized HTML. Raw HTML in the input is escaped, never passed through."""
    if not text:
        return ""
    html = _converter().convert(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        # Only absolute http(s) and mailto links: nobody plants a same-origin link
        # (`[x](12)` next to a case's own URL) in a case.
        url_relative="deny",
        link_rel="noopener noreferrer nofollow",
    )


def say_when(moment: datetime | None) -> str:
    """A moment as the customer reads it in our messages ("Tue 3 Mar, 14:00 CET")."""
    if moment is None:
        return "soon"
    return date_format(timezone.localtime(moment), "D j M, H:i T")

"""Text: user-written Markdown rendered, then cleaned with nh3 so only safe HTML remains;
the same Markdown as plain text for emails; and how a moment is written to a customer."""

import re
import threading
from datetime import datetime
from html.parser import HTMLParser

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


# The placeholders of saved replies ({customer.first_name}, {eta} …): a reply still
# holding one was not filled in and is never sent as typed.
PLACEHOLDER = re.compile(r"\{(?:(?:customer|case|owner|agent|organization)\.[a-z_]+|eta)\}")


def unfilled(text: str) -> list[str]:
    """The placeholders `text` still holds, each once, in order."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text or "")))


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


def markdown_to_plain(text: str) -> str:
    """Markdown → the plain text of an email's text part: no `**`, no `[x](url)`; a link
    reads "words (address)", a list item "- item", a quote "> line"."""
    if not text:
        return ""
    reader = _PlainText()
    reader.feed(render_markdown(text))
    reader.close()
    return reader.text()


class _PlainText(HTMLParser):
    BLOCKS = {"p", "pre", "blockquote", "ul", "ol", "table", "h3", "h4", "h5", "h6", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.quote = self.pre = self.cells = 0
        self.lists: list[list] = []  # per open list: [ordered, next number]
        self.href: str | None = None
        self.link_text: list[str] = []
        self.line_start = True

    def _break(self, blank: bool = False) -> None:
        self.out.append("\n\n" if blank else "\n")
        self.out.append("> " * self.quote)
        self.line_start = True

    def handle_starttag(self, tag, attrs):
        if tag in self.BLOCKS and not self.lists:
            self._break(blank=True)
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag in ("ul", "ol"):
            self.lists.append([tag == "ol", 1])
        elif tag == "li" and self.lists:
            self._break()
            ordered, number = self.lists[-1]
            self.out.append("  " * (len(self.lists) - 1) + (f"{number}. " if ordered else "- "))
            self.lists[-1][1] += 1
        elif tag in ("br", "tr"):
            self._break()
            self.cells = 0
        elif tag in ("td", "th"):
            if self.cells:
                while self.out and self.out[-1].isspace():
                    self.out.pop()
                self.out.append(" | ")
                self.line_start = True
            self.cells += 1
        elif tag == "hr":
            self.out.append("---")
        elif tag == "a":
            self.href = dict(attrs).get("href") or ""
            self.link_text = []

    def handle_endtag(self, tag):
        if tag == "blockquote":
            self.quote = max(self.quote - 1, 0)
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        elif tag == "a" and self.href is not None:
            words, href = "".join(self.link_text), self.href
            self.href = None
            shown = href.removeprefix("mailto:")
            self.out.append(words if not href or words in (href, shown) else f"{words} ({shown})")

    def handle_data(self, data):
        if not self.pre:
            data = re.sub(r"\s+", " ", data)
            if self.line_start:
                data = data.lstrip()
            if not data:
                return
        (self.link_text if self.href is not None else self.out).append(data)
        self.line_start = False

    def text(self) -> str:
        lines = [line.rstrip() for line in "".join(self.out).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()

"""Full-text search of what cases say: their descriptions and every timeline entry.

On PostgreSQL: English full-text search (stemmed words, `websearch` syntax: "quoted
phrases", -not, or), answered from GIN indexes on the same expressions
(migration 0024), ranked, with the matching passage cut by `ts_headline`. On SQLite: a
plain substring match, newest first, with the passage cut around the first match.

Who may read what is decided by the caller: the desk searches every entry of the cases the
agent may see (every department reads the same timeline, internal notes included); a
customer's search passes `public_only` and never matches an internal note.
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Max
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cases.models import Case, TimelineEntry, Visibility

CONFIG = "english"
# Around a match, as a reader scans a result: a few lines, the words found marked.
PASSAGE_WORDS = 30
PASSAGE_CHARS = 160
# Markers that no text contains (private use), replaced by <mark> once the passage is
# escaped: the passage is the customer's or an agent's words, never markup.
START, STOP = "\ue000", "\ue001"


@dataclass(frozen=True)
class Passage:
    html: SafeString
    internal: bool


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _query(text: str) -> SearchQuery:
    return SearchQuery(text, config=CONFIG, search_type="websearch")


def _entries(case_ids=None, *, public_only: bool = False):
    entries = TimelineEntry.objects.all()
    if case_ids is not None:
        entries = entries.filter(case_id__in=case_ids)
    if public_only:
        entries = entries.filter(visibility=Visibility.PUBLIC)
    return entries.order_by()


def text_matches(text: str, *, limit: int, public_only: bool = False) -> list[int]:
    """Ids of cases whose description or timeline says `text`, best first (at most
    `limit`); unfiltered by visibility (the caller keeps only the cases it may show)."""
    if _postgres():
        query = _query(text)
        said = (
            _entries(public_only=public_only)
            .alias(vector=SearchVector("body", config=CONFIG))
            .filter(vector=query)
            .values("case_id")
            .annotate(rank=Max(SearchRank(F("vector"), query)))
            .order_by("-rank")[:limit]
        )
        described = (
            Case.objects.alias(vector=SearchVector("description", config=CONFIG))
            .filter(vector=query)
            .annotate(rank=SearchRank(F("vector"), query))
            .order_by("-rank")
            .values_list("pk", "rank")[:limit]
        )
        ranked = {row["case_id"]: row["rank"] for row in said}
        for case_id, rank in described:
            ranked[case_id] = max(rank, ranked.get(case_id, 0))
        return sorted(ranked, key=lambda case_id: -ranked[case_id])[:limit]
    text = _plain(text)
    said = (
        _entries(public_only=public_only)
        .filter(body__icontains=text)
        .values_list("case_id", flat=True)
        .order_by("-pk")[:limit]
    )
    described = Case.objects.filter(description__icontains=text).order_by("-updated")
    found = [*said, *described.values_list("pk", flat=True)[:limit]]
    return list(dict.fromkeys(found))[:limit]


def passages(case_ids: list[int], text: str, *, public_only: bool = False) -> dict[int, Passage]:
    """For each case, the passage that matches best: of its timeline, else its
    description. One query for the entries, one more for descriptions when needed."""
    found: dict[int, Passage] = {}
    if not case_ids:
        return found
    if _postgres():
        query = _query(text)
        cut = {
            "config": CONFIG,
            "start_sel": START,
            "stop_sel": STOP,
            "max_words": PASSAGE_WORDS,
            "min_words": PASSAGE_WORDS // 2,
        }
        best = (
            _entries(case_ids, public_only=public_only)
            .alias(vector=SearchVector("body", config=CONFIG))
            .filter(vector=query)
            .annotate(
                rank=SearchRank(F("vector"), query),
                passage=SearchHeadline("body", query, **cut),
            )
            .order_by("case_id", "-rank", "-pk")
            .distinct("case_id")
            .values_list("case_id", "passage", "visibility")
        )
        for case_id, passage, visibility in best:
            found[case_id] = Passage(_marked(passage), visibility == Visibility.INTERNAL)
        missing = [case_id for case_id in case_ids if case_id not in found]
        if missing:
            described = (
                Case.objects.filter(pk__in=missing)
                .alias(vector=SearchVector("description", config=CONFIG))
                .filter(vector=query)
                .annotate(passage=SearchHeadline("description", query, **cut))
                .values_list("pk", "passage")
            )
            for case_id, passage in described:
                found[case_id] = Passage(_marked(passage), False)
        return found
    text = _plain(text)
    entries = (
        _entries(case_ids, public_only=public_only)
        .filter(body__icontains=text)
        .order_by("-pk")
        .values_list("case_id", "body", "visibility")
    )
    for case_id, body, visibility in entries:
        if case_id not in found:
            found[case_id] = Passage(_around(body, text), visibility == Visibility.INTERNAL)
    missing = [case_id for case_id in case_ids if case_id not in found]
    if missing:
        described = Case.objects.filter(pk__in=missing, description__icontains=text)
        for case_id, description in described.values_list("pk", "description"):
            found[case_id] = Passage(_around(description, text), False)
    return found


def _plain(text: str) -> str:
    """The words to find as they were typed, without the quotes of a phrase."""
    return " ".join(text.replace('"', " ").split())


def _marked(passage: str) -> SafeString:
    text = " ".join(passage.split())
    # Safe: the text is escaped first; only our own markers become markup.
    marked = escape(text).replace(STOP + START, "").replace(START, "<mark>")
    return mark_safe(marked.replace(STOP, "</mark>"))


def _around(body: str, text: str) -> SafeString:
    """The words around the first match (SQLite has no ts_headline)."""
    at = body.lower().find(text.lower())
    if at < 0:
        return _marked(body[:PASSAGE_CHARS])
    start = max(at - PASSAGE_CHARS // 2, 0)
    end = min(at + len(text) + PASSAGE_CHARS // 2, len(body))
    passage = (
        ("…" if start else "")
        + body[start:at]
        + START
        + body[at : at + len(text)]
        + STOP
        + body[at + len(text) : end]
        + ("…" if end < len(body) else "")
    )
    return _marked(passage)

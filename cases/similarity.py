"""Similar-case detection: "N other customers reported something similar".

On PostgreSQL: weighted full-text search (title A, description B) over the last 14 days,
as an OR of the new case's words, ranked by `ts_rank`, plus title trigram similarity when
pg_trgm is installed. On SQLite: word overlap (Jaccard) over the same window.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.utils import timezone

from cases.models import Case, Incident

WINDOW = timedelta(days=14)
# Calibrated on tests/incidents/similarity_corpus.py (precision and recall in its test).
MIN_RANK = 0.1
MIN_JACCARD = 0.15
WORD = re.compile(r"[a-z0-9]{3,}")
STOPWORDS = frozenset(
    "the and for with our not but are was were has have had this that from since into "
    "you your they them their its can cannot any all get got when what who will would "
    "there here also just very more some than then does did doing been being about "
    "after before again still every each other same".split()
)


@dataclass
class Similar:
    cases: list[Case] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    # Every other customer with a match, not only those among the `cases` listed.
    customer_count: int | None = None

    @property
    def customers(self) -> int:
        if self.customer_count is not None:
            return self.customer_count
        return len({c.customer_id for c in self.cases})


def terms(text: str, *, limit: int = 40) -> list[str]:
    seen: dict[str, None] = {}
    for word in WORD.findall(text.lower()):
        if word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:limit]


@cache
def _has_trigram() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _vector():
    return SearchVector("title", weight="A", config="english") + SearchVector(
        "description", weight="B", config="english"
    )


def candidates(*, exclude: Case | None = None, since=None) -> QuerySet:
    since = since or timezone.now() - WINDOW
    cases = Case.objects.filter(created__gte=since)
    if exclude is not None:
        cases = cases.exclude(pk=exclude.pk).exclude(customer_id=exclude.customer_id)
    return cases


def similar_cases(title: str, description: str, *, exclude: Case | None = None, limit=10):
    """Recent cases of other customers that read like this one, best first."""
    return _similar_cases(title, description, exclude=exclude, limit=limit)[0]


def _similar_cases(
    title: str, description: str, *, exclude: Case | None, limit: int
) -> tuple[list[Case], int]:
    """The best `limit` matches, and how many distinct customers match in all."""
    words = terms(f"{title} {description}")
    if not words:
        return [], 0
    pool = candidates(exclude=exclude)
    if connection.vendor == "postgresql":
        query = SearchQuery(" | ".join(words), search_type="raw", config="english")
        ranked = pool.annotate(rank=SearchRank(_vector(), query, normalization=32))
        if _has_trigram():
            from django.contrib.postgres.search import TrigramSimilarity

            ranked = ranked.annotate(title_similarity=TrigramSimilarity("title", title))
        else:
            ranked = ranked.annotate(title_similarity=Value(0.0, output_field=FloatField()))
        ranked = ranked.annotate(score=F("rank") + F("title_similarity") / 4).filter(
            Q(rank__gte=MIN_RANK) | Q(title_similarity__gte=0.5)
        )
        best = list(
            ranked.select_related("customer", "organization", "owner", "incident").order_by(
                "-score", "-created"
            )[:limit]
        )
        if len(best) < limit:
            return best, len({c.customer_id for c in best})
        return best, ranked.values("customer_id").distinct().count()
    mine = set(words)
    scored = []
    for case in pool.select_related("customer", "organization", "owner", "incident")[:500]:
        theirs = set(terms(f"{case.title} {case.description}"))
        overlap = len(mine & theirs) / max(len(mine | theirs), 1)
        if overlap >= MIN_JACCARD:
            scored.append((overlap, case))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].pk))
    return [case for _score, case in scored[:limit]], len({c.customer_id for _s, c in scored})


def matching_incidents(title: str, description: str, *, via: list[Case], limit=5, visible_to=None):
    """Open incidents linked to the similar cases, or whose own words match; with
    `visible_to`, only those that user may see (filtered before the limit)."""
    found: dict[int, Incident] = {}
    for case in via:
        if case.incident_id and case.incident.is_open:
            found.setdefault(case.incident_id, case.incident)
    words = terms(f"{title} {description}")
    if words and len(found) < limit:
        incidents = Incident.objects.open()
        if visible_to is not None:
            incidents = incidents.filter(pk__in=Incident.objects.visible_to(visible_to))
        if connection.vendor == "postgresql":
            vector = SearchVector("title", weight="A", config="english") + SearchVector(
                "public_summary", weight="B", config="english"
            )
            query = SearchQuery(" | ".join(words), search_type="raw", config="english")
            incidents = (
                incidents.annotate(rank=SearchRank(vector, query, normalization=32))
                .filter(rank__gte=MIN_RANK)
                .order_by("-rank")
            )
        else:
            condition = Q()
            for word in words[:10]:
                condition |= Q(title__icontains=word)
            incidents = incidents.filter(condition)
        for incident in incidents[:limit]:
            found.setdefault(incident.pk, incident)
    return list(found.values())[:limit]


def similar_to(case: Case, *, limit: int = 10) -> Similar:
    cases, customers = _similar_cases(case.title, case.description, exclude=case, limit=limit)
    return Similar(
        cases=cases,
        incidents=matching_incidents(case.title, case.description, via=cases),
        customer_count=customers,
    )

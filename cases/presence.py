"""Who else has a case open on the desk right now, and whether they are writing on it.

Presence lives in the shared cache (Redis in production, LocMem in the embedded default),
never in the database: it is a hint that is gone a minute after the agent leaves. Each
case has one cache entry, a dict of agent id → their last mark, so one read answers "who
is here". Each mark carries its own time, compared with `timezone.now()`: expiry follows
the desk's clock (and a test's frozen one), not only the cache's TTL.

Two agents marking the same case at the same instant may overwrite each other's mark;
the next heartbeat (every few seconds) puts it back, which is all a hint needs.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from helpdesk.accounts.models import User

# A mark older than this means the agent left (closed the tab, lost the network).
TTL = timedelta(seconds=60)


@dataclass(frozen=True)
class Present:
    """Another agent on the case: who, and whether their composer has words in it."""

    user_id: int
    name: str
    writing: bool


def _key(case_id: int) -> str:
    return f"presence:case:{case_id}"


def _fresh_marks(case_id: int, now: datetime) -> dict[int, dict]:
    marks = cache.get(_key(case_id)) or {}
    oldest = (now - TTL).timestamp()
    return {user_id: mark for user_id, mark in marks.items() if mark["at"] > oldest}


def _others(marks: dict[int, dict], user: User) -> list[Present]:
    return sorted(
        (
            Present(user_id=user_id, name=mark["name"], writing=mark["writing"])
            for user_id, mark in marks.items()
            if user_id != user.pk
        ),
        key=lambda present: (present.name, present.user_id),
    )


def seen(case_id: int, user: User, *, writing: bool) -> list[Present]:
    """Mark `user` on the case for the next minute (writing, or only viewing), and return
    the other agents there. Only agents and managers are marked: a customer never shows."""
    now = timezone.now()
    marks = _fresh_marks(case_id, now)
    if user.is_agent:
        marks[user.pk] = {"name": user.full_name, "at": now.timestamp(), "writing": writing}
        cache.set(_key(case_id), marks, timeout=int(TTL.total_seconds()))
    return _others(marks, user)


def others(case_id: int, user: User) -> list[Present]:
    """The agents other than `user` on the case in the last minute, by name."""
    return _others(_fresh_marks(case_id, timezone.now()), user)

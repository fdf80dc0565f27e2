"""The shared cache on Redis, kept from taking the web down with it: while Redis cannot be
reached, a read is a miss and a write is skipped, so every page is still drawn (from the
database: who else is viewing a case shows nobody, rendered entries are drawn afresh).
Rate limits fail closed meanwhile: their counters cannot be kept, so sign-in, sign-in
links, password reset, case creation and the second factor answer 429 until Redis is back
(django-ratelimit sees no count; allauth cannot take its lock)."""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)
UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
WARN_EVERY = 30  # seconds: one log line per process, not one per cache call
_warned_at = 0.0


def _unreachable(exc: Exception) -> None:
    global _warned_at
    now = time.monotonic()
    if now - _warned_at >= WARN_EVERY:
        _warned_at = now
        log.warning("Cache unreachable, drawing pages without it: %s", exc)


def _or(fallback):
    """`RedisCache`'s method, answering `fallback(*its arguments)` while Redis cannot be
    reached."""

    def wrap(method):
        @functools.wraps(method)
        def tolerant(self, *args, **kwargs):
            try:
                return method(self, *args, **kwargs)
            except UNREACHABLE as exc:
                _unreachable(exc)
                return fallback(*args, **kwargs)

        return tolerant

    return wrap


def _missing(key, *args, **kwargs):
    # What Django's cache raises for a key it does not hold; the rate limits read it so.
    raise ValueError(f"Key {key!r} not found: the cache is unreachable.")


class ResilientRedisCache(RedisCache):
    get = _or(lambda key, default=None, version=None: default)(RedisCache.get)
    get_many = _or(lambda *args, **kwargs: {})(RedisCache.get_many)
    has_key = _or(lambda *args, **kwargs: False)(RedisCache.has_key)
    add = _or(lambda *args, **kwargs: False)(RedisCache.add)
    set = _or(lambda *args, **kwargs: None)(RedisCache.set)
    set_many = _or(lambda data, *args, **kwargs: list(data))(RedisCache.set_many)
    touch = _or(lambda *args, **kwargs: False)(RedisCache.touch)
    delete = _or(lambda *args, **kwargs: False)(RedisCache.delete)
    delete_many = _or(lambda *args, **kwargs: None)(RedisCache.delete_many)
    incr = _or(_missing)(RedisCache.incr)

"""How the benchmark times a call and reports a figure: p50 and p95 over a few runs after
a warm-up, the queries of one run, the verdict against the goal, JSON under var/bench/."""

import contextlib
import json
import statistics
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone


def time_call(call, runs: int, *, name: str = "") -> dict:
    """p50 and p95 in milliseconds over `runs` calls after a first one that warms caches,
    and the queries one call makes; a call answering other than 200 stops the bench."""
    timings, queries = [], 0
    for run in range(runs + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - started
        status = getattr(response, "status_code", 200)
        if status != 200:
            raise CommandError(f"{name} answered {status}".strip())
        if run:  # the first run warms caches
            timings.append(elapsed)
        queries = len(captured.captured_queries)
    timings.sort()
    return {
        "p50_ms": round(1000 * statistics.median(timings), 1),
        "p95_ms": round(1000 * timings[max(int(0.95 * len(timings)) - 1, 0)], 1),
        "queries": queries,
    }


def line(name: str, figures: dict, *, goal_ms: int | None, note: str = "") -> str:
    """One figure on the terminal, against its goal (or with a note where it has none)."""
    if goal_ms is not None:
        note = f"goal {goal_ms} ms: {'ok' if figures['p95_ms'] <= goal_ms else 'OVER GOAL'}"
    return (
        f"  {name:<30} p50 {figures['p50_ms']:>7.1f} ms  p95 {figures['p95_ms']:>7.1f} ms  "
        f"{figures['queries']:>3} queries  ({note})"
    )


@contextlib.contextmanager
def plain_static():
    """The benchmark renders pages without collectstatic's manifest, and serves no
    static file: WhiteNoise need not warn that collectstatic's folder is missing."""
    with (
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            MEDIA_ROOT=str(Path(settings.VAR_DIR) / "bench" / "media"),
        ),
        warnings.catch_warnings(),
    ):
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        yield


def folder() -> Path:
    path = Path(settings.VAR_DIR) / "bench"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write(target: str, report: dict) -> Path:
    """var/bench/<target>-<time>.json, for comparison across commits."""
    path = folder() / f"{target}-{timezone.now():%Y%m%dT%H%M%S}.json"
    path.write_text(json.dumps(report, indent=2, default=str))
    return path

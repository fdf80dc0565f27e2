"""`bench sla`: the SLA sweep with a minute's worth of cases at a threshold, the sweep
with nothing due (the cost of looking), and the plan of the query that finds them."""

import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, Status
from notifications.sweep import run_sweep


def arm(people: dict, count: int) -> None:
    """Put `count` open cases at a threshold now, as a minute of real traffic would."""
    now = timezone.now()
    ids = list(
        Case.objects.filter(organization=people["org"], status=Status.OPEN)
        .order_by("?")
        .values_list("pk", flat=True)[:count]
    )
    Case.objects.filter(pk__in=ids).update(
        next_sla_check=now - timedelta(seconds=1),
        next_update_due=now + timedelta(minutes=50),
        resolution_due=now + timedelta(hours=3, minutes=50),
    )


def bench_sla(people: dict, *, due_now: int, runs: int, out) -> dict:
    timings, queries = [], []
    for _ in range(runs):
        arm(people, due_now)
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = run_sweep()
            timings.append(time.perf_counter() - started)
        queries.append(len(captured.captured_queries))
    # And a sweep with nothing due: the cost of looking.
    started = time.perf_counter()
    run_sweep()
    idle = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN ANALYZE SELECT id FROM cases_case WHERE next_sla_check <= now() "
            "ORDER BY next_sla_check LIMIT 200 FOR UPDATE SKIP LOCKED"
        )
        plan = [row[0] for row in cursor.fetchall()]
    report = {
        "sweep_cases_per_run": result.cases,
        "sweep_p50_s": statistics.median(timings),
        "sweep_max_s": max(timings),
        "sweep_queries": max(queries),
        "idle_sweep_s": idle,
        "plan": plan,
    }
    out.write(
        f"SLA sweep: {result.cases} cases at a threshold, p50 {report['sweep_p50_s']:.3f}s, "
        f"max {report['sweep_max_s']:.3f}s, {report['sweep_queries']} queries; "
        f"idle sweep {idle * 1000:.1f} ms"
    )
    for plan_line in plan:
        out.write(f"    {plan_line}")
    return report

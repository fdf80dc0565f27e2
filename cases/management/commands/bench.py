"""`python manage.py bench sla --cases N`: seed N cases in bulk, then time the SLA sweep.

The figures go to the terminal and to var/bench/<target>-<time>.json for comparison
across commits. Seeding is resumable: bench rows belong to the organisation "Bench" and a
second run only adds what is missing.
"""

import json
import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import demo
from cases.models import Case, Status
from helpdesk.accounts.models import Department, Organization, User
from notifications.sweep import run_sweep

BATCH = 50_000


class Command(BaseCommand):
    help = "Benchmarks. Targets: sla (seed N cases, time the SLA sweep)."

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["sla"])
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--open-share", type=float, default=0.05)
        parser.add_argument("--due-now", type=int, default=200, help="cases at a threshold")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (set DATABASE_URL).")
        people = self._people()
        self._seed(people, total=options["cases"], open_share=options["open_share"])
        report = self._bench_sla(people, due_now=options["due_now"], runs=options["runs"])
        report["cases"] = Case.objects.filter(organization=people["org"]).count()
        self._write("sla", report)

    # --- seeding ----------------------------------------------------------------------

    def _people(self) -> dict:
        demo.seed_sla()
        org, _ = Organization.objects.get_or_create(name="Bench")
        support, _ = Department.objects.get_or_create(name="Support")
        customer = User.objects.filter(email="bench-customer@bench.test").first()
        if customer is None:
            customer = User.objects.create_user(
                "bench-customer@bench.test", None, full_name="Bench Customer", organization=org
            )
        agent = User.objects.filter(email="bench-agent@bench.test").first()
        if agent is None:
            agent = User.objects.create_user(
                "bench-agent@bench.test", None, full_name="Bench Agent", role=User.Role.AGENT
            )
            agent.departments.add(support)
        return {"org": org, "customer": customer, "agent": agent, "support": support}

    def _seed(self, people: dict, *, total: int, open_share: float) -> None:
        existing = Case.objects.filter(organization=people["org"]).count()
        if existing >= total:
            self.stdout.write(f"{existing:,} bench cases present; nothing to seed.")
            return
        started = time.monotonic()
        done = existing
        while done < total:
            size = min(BATCH, total - done)
            self._insert_batch(people, start=done, size=size, open_share=open_share)
            done += size
            rate = (done - existing) / (time.monotonic() - started)
            bar = "#" * int(30 * done / total)
            self.stdout.write(
                f"\r  seeding [{bar:<30}] {done:,}/{total:,} ({rate:,.0f}/s)", ending=""
            )
            self.stdout.flush()
        self.stdout.write("")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")

    @transaction.atomic
    def _insert_batch(self, people: dict, *, start: int, size: int, open_share: float) -> None:
        # Generated in the database: one statement per batch, no Python row objects.
        # Every 1/open_share-th case is open with its next SLA check spread over two weeks
        # ahead; the rest are closed with no clock.
        every = max(round(1 / open_share), 1)
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO cases_case (
                    title, description, customer_id, organization_id, priority, status,
                    owner_id, owning_department_id, version, created, updated,
                    first_owned_at, closed_at, first_responded_at, last_public_update,
                    first_response_due, next_update_due, resolution_due, paused_at,
                    paused_credit, eta, next_sla_check)
                SELECT 'Bench case ' || g, '', %(customer)s, %(org)s, 20,
                    CASE WHEN g %% %(every)s = 0 THEN 'open' ELSE 'closed' END,
                    %(agent)s, %(dept)s, 1, now() - interval '30 days', now(),
                    now() - interval '30 days',
                    CASE WHEN g %% %(every)s = 0 THEN NULL ELSE now() END,
                    now() - interval '1 day', now() - interval '1 day',
                    NULL,
                    CASE WHEN g %% %(every)s = 0
                         THEN now() + (g %% 20160) * interval '1 minute' + interval '1 hour'
                         END,
                    CASE WHEN g %% %(every)s = 0
                         THEN now() + (g %% 20160) * interval '1 minute' + interval '5 hours'
                         END,
                    NULL, interval '0', NULL,
                    CASE WHEN g %% %(every)s = 0
                         THEN now() + (g %% 20160) * interval '1 minute' + interval '10 minutes'
                         END
                FROM generate_series(%(first)s, %(last)s) AS g
                """,
                {
                    "customer": people["customer"].pk,
                    "org": people["org"].pk,
                    "agent": people["agent"].pk,
                    "dept": people["support"].pk,
                    "every": every,
                    "first": start + 1,
                    "last": start + size,
                },
            )

    # --- the sweep --------------------------------------------------------------------

    def _arm(self, people: dict, count: int) -> None:
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

    def _bench_sla(self, people: dict, *, due_now: int, runs: int) -> dict:
        timings, queries = [], []
        for _ in range(runs):
            self._arm(people, due_now)
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
        self.stdout.write(
            f"SLA sweep: {result.cases} cases at a threshold, p50 {report['sweep_p50_s']:.3f}s, "
            f"max {report['sweep_max_s']:.3f}s, {report['sweep_queries']} queries; "
            f"idle sweep {idle * 1000:.1f} ms"
        )
        for line in plan:
            self.stdout.write(f"    {line}")
        return report

    def _write(self, target: str, report: dict) -> None:
        folder = Path(settings.VAR_DIR) / "bench"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{target}-{timezone.now():%Y%m%dT%H%M%S}.json"
        path.write_text(json.dumps(report, indent=2, default=str))
        self.stdout.write(f"Written to {path}")

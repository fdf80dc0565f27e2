"""`python manage.py bench sla --cases N`: seed N cases in bulk, then time the SLA sweep.

The figures go to the terminal and to var/bench/<target>-<time>.json for comparison
across commits. Seeding is resumable: bench rows belong to the organisation "Bench" and a
second run only adds what is missing.
"""

import contextlib
import json
import statistics
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from cases import demo
from cases.models import Case, Status
from helpdesk.accounts.models import Department, Organization, User
from notifications.sweep import run_sweep

BATCH = 50_000
LOAD_PASSWORD = "bench-load"


class Command(BaseCommand):
    help = (
        "Benchmarks. Targets: sla (the SLA sweep), pages (desk, portal, incident pages and "
        "inbound mail), reports (each report), load (a support floor against gunicorn with "
        "locust), all."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["sla", "pages", "reports", "load", "all"])
        parser.add_argument("--users", type=int, default=300, help="load: simulated users")
        parser.add_argument("--seconds", type=int, default=180, help="load: duration")
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--open-share", type=float, default=0.05)
        parser.add_argument("--due-now", type=int, default=200, help="cases at a threshold")
        parser.add_argument("--runs", type=int, default=5)

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (set DATABASE_URL).")
        people = self._people()
        self._seed(people, total=options["cases"], open_share=options["open_share"])
        cases = Case.objects.filter(organization=people["org"]).count()
        if options["target"] in ("sla", "all"):
            report = self._bench_sla(people, due_now=options["due_now"], runs=options["runs"])
            self._write("sla", {"cases": cases, **report})
        if options["target"] in ("pages", "all"):
            report = self._bench_pages(people, runs=options["runs"])
            self._write("pages", {"cases": cases, **report})
        if options["target"] in ("load", "all"):
            report = self._bench_load(people, users=options["users"], seconds=options["seconds"])
            self._write("load", {"cases": cases, **report})
        if options["target"] in ("reports", "all"):
            report = self._bench_reports(people, runs=options["runs"])
            self._write("reports", {"cases": cases, **report})

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
        other = User.objects.filter(email="bench-other@bench.test").first()
        if other is None:
            other = User.objects.create_user(
                "bench-other@bench.test", None, full_name="Bench Other", role=User.Role.AGENT
            )
            other.departments.add(support)
        manager = User.objects.filter(email="bench-manager@bench.test").first()
        if manager is None:
            manager = User.objects.create_user(
                "bench-manager@bench.test", None, full_name="Bench Manager", role=User.Role.MANAGER
            )
        return {
            "org": org,
            "customer": customer,
            "agent": agent,
            "other_agent": other,
            "manager": manager,
            "support": support,
        }

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
            for table in ("cases_case", "cases_timelineentry", "cases_slaevent", "cases_promise",
                          "cases_satisfaction", "notifications_notice"):  # fmt: skip
                cursor.execute(f"ANALYZE {table}")

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
                    owner_id, owning_department_id, first_department_id, version, created,
                    updated, first_owned_at, closed_at, first_responded_at, last_public_update,
                    first_response_due, next_update_due, resolution_due, paused_at,
                    paused_credit, eta, next_sla_check, ownership_lapsed, ownership_changes,
                    bounced)
                SELECT 'Bench case ' || g, '', %(customer)s, %(org)s, 20,
                    CASE WHEN g %% %(every)s = 0 THEN 'open' ELSE 'closed' END,
                    %(agent)s, %(dept)s, %(dept)s, 1,
                    now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute',
                    now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute'
                        + interval '1 day',
                    now() - ((g::bigint * 7919) %% 1051200) * interval '1 minute'
                        + (g %% 240) * interval '1 minute',
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
                         END,
                    false,
                    CASE WHEN g %% 100 = 7 THEN 2 ELSE 0 END,
                    g %% 100 = 7
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
            cursor.execute("SELECT max(id) FROM cases_case")
            last_id = cursor.fetchone()[0]
            self._history(cursor, people, first_id=last_id - size + 1, last_id=last_id)

    def _history(self, cursor, people: dict, *, first_id: int, last_id: int) -> None:
        """What the reports read, in realistic shares: one owner each (1% bounced back),
        breaches (a third without a prior notice), promises, closures, ratings, emails."""
        params = {
            "first": first_id,
            "last": last_id,
            "agent": people["agent"].pk,
            "other": people["other_agent"].pk,
            "customer": people["customer"].pk,
            "dept": people["support"].pk,
        }
        entry = (
            "INSERT INTO cases_timelineentry (case_id, kind, actor_id, department_id, "
            "visibility, body, body_html, data, created) "
        )
        cursor.execute(
            entry + "SELECT id, 'ownership_change', %(agent)s, %(dept)s, 'public', '', '', "
            "jsonb_build_object('from', NULL, 'to', %(agent)s, 'department', 'Support'), "
            "first_owned_at FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s",
            params,
        )
        for step, (to, department) in enumerate(
            [("%(other)s", "Hardware"), ("%(agent)s", "Support")], start=1
        ):
            cursor.execute(
                entry + f"SELECT id, 'ownership_change', %(agent)s, %(dept)s, 'public', '', '', "
                f"jsonb_build_object('from', 1, 'to', {to}, 'department', '{department}'), "
                f"first_owned_at + interval '{step} hours' FROM cases_case "
                "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 100 = 7",
                params,
            )
        cursor.execute(
            entry + "SELECT id, 'status_change', %(agent)s, %(dept)s, 'public', '', '', "
            "jsonb_build_object('from', 'open', 'to', 'pending_confirmation'), "
            "created + interval '20 hours' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed'",
            params,
        )
        cursor.execute(
            entry + "SELECT id, 'status_change', NULL, NULL, 'public', '', '', "
            'CASE WHEN id %% 5 = 0 THEN \'{"to": "closed", "auto": true}\'::jsonb '
            "ELSE '{\"to\": \"closed\"}'::jsonb END, created + interval '1 day' "
            "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed'",
            params,
        )
        cursor.execute(
            entry + "SELECT id, 'confirmation', %(customer)s, NULL, 'public', '', '', "
            "'{}'::jsonb, created + interval '1 day' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND status = 'closed' AND id %% 5 <> 0",
            params,
        )
        cursor.execute(
            entry + "SELECT id, 'reopen', %(customer)s, NULL, 'public', '', '', '{}'::jsonb, "
            "created + interval '21 hours' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 20 = 3",
            params,
        )
        cursor.execute(
            "INSERT INTO cases_slaevent (case_id, target, due, step, by_owner, created) "
            "SELECT id, 'resolution', created + interval '2 days', 'breached', false, "
            "created + interval '2 days' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 33 = 1",
            params,
        )
        cursor.execute(
            "INSERT INTO cases_slaevent (case_id, target, due, step, by_owner, created) "
            "SELECT id, 'resolution', created + interval '2 days', 'customer_notified', false, "
            "created + interval '47 hours' FROM cases_case "
            "WHERE id BETWEEN %(first)s AND %(last)s AND id %% 33 = 1 AND id %% 3 <> 0",
            params,
        )
        cursor.execute(
            "INSERT INTO cases_promise (case_id, made_by_id, department_id, eta, created, "
            "settled_at, kept) SELECT id, %(agent)s, %(dept)s, created + interval '1 day', "
            "created + interval '2 hours', created + interval '20 hours', id %% 3 <> 0 "
            "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND id %% 20 = 5",
            params,
        )
        cursor.execute(
            "INSERT INTO cases_satisfaction (case_id, rating, comment, rated_by_id, created) "
            "SELECT id, 1 + id %% 5, '', %(customer)s, created + interval '2 days' "
            "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s "
            "AND status = 'closed' AND id %% 10 = 0",
            params,
        )
        cursor.execute(
            "INSERT INTO notifications_notice (recipient_id, case_id, kind, channel, subject, "
            "body, idempotency_key, status, attempts, last_error, created, send_after, "
            "sent_at, message_id) SELECT %(customer)s, id, 'agent_reply', 'email', 'Reply', "
            "'', 'bench:' || id, 'sent', 1, '', created + interval '3 hours', "
            "created + interval '3 hours', created + interval '3 hours', '' "
            "FROM cases_case WHERE id BETWEEN %(first)s AND %(last)s AND id %% 4 = 0",
            params,
        )

    # --- pages ---------------------------------------------------------------------------

    def _page_fixtures(self, people: dict) -> dict:
        """The shapes the pages are measured on, created once: an agent owning 200 open
        cases, a case with 2,000 timeline entries, 500 open handoffs for Hardware, an
        incident with 1,000 linked cases, a portal customer with 300 cases."""
        from cases.models import Handoff, Incident

        hardware, _ = Department.objects.get_or_create(name="Hardware")
        owner = User.objects.filter(email="bench-owner@bench.test").first()
        if owner is None:
            owner = User.objects.create_user(
                "bench-owner@bench.test", None, full_name="Bench Owner", role=User.Role.AGENT
            )
            owner.departments.add(people["support"], hardware)
            mine = list(
                Case.objects.filter(organization=people["org"], status=Status.OPEN)
                .order_by("pk")
                .values_list("pk", flat=True)[:200]
            )
            Case.objects.filter(pk__in=mine).update(owner=owner)
        long_case = Case.objects.filter(title="Bench case with a long timeline").first()
        if long_case is None:
            long_case = (
                Case.objects.filter(organization=people["org"], status=Status.OPEN)
                .order_by("-pk")
                .first()
            )
            Case.objects.filter(pk=long_case.pk).update(title="Bench case with a long timeline")
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO cases_timelineentry (case_id, kind, actor_id, department_id, "
                    "visibility, body, body_html, data, created) SELECT %s, "
                    "CASE WHEN g %% 3 = 0 THEN 'internal_note' ELSE 'agent_reply' END, %s, %s, "
                    "CASE WHEN g %% 3 = 0 THEN 'internal' ELSE 'public' END, "
                    "'Entry ' || g, '<p>Entry ' || g || '</p>', '{}'::jsonb, "
                    "now() - (2000 - g) * interval '1 minute' FROM generate_series(1, 2000) g",
                    [long_case.pk, people["agent"].pk, people["support"].pk],
                )
        if not Handoff.objects.filter(department=hardware).exists():
            open_cases = Case.objects.filter(
                organization=people["org"], status=Status.OPEN
            ).order_by("pk")[200:700]
            Handoff.objects.bulk_create(
                Handoff(
                    case=case,
                    requested_by=people["agent"],
                    department=hardware,
                    needed="Replace the power supply",
                    customer_summary="replacing the power supply",
                    assignee=owner if i % 3 == 0 else None,
                )
                for i, case in enumerate(open_cases)
            )
        incident = Incident.objects.filter(title="Bench incident").first()
        if incident is None:
            incident = Incident.objects.create(title="Bench incident", created_by=people["agent"])
            linked = list(
                Case.objects.filter(organization=people["org"])
                .order_by("pk")
                .values_list("pk", flat=True)[1000:2000]
            )
            Case.objects.filter(pk__in=linked).update(incident=incident)
        portal_org, _ = Organization.objects.get_or_create(name="Bench Portal")
        portal_customer = User.objects.filter(email="bench-portal@bench.test").first()
        if portal_customer is None:
            portal_customer = User.objects.create_user(
                "bench-portal@bench.test",
                None,
                full_name="Portal Customer",
                organization=portal_org,
            )
            moved = list(
                Case.objects.filter(organization=people["org"])
                .order_by("pk")
                .values_list("pk", flat=True)[3000:3300]
            )
            Case.objects.filter(pk__in=moved).update(
                organization=portal_org, customer=portal_customer
            )
        portal_case = Case.objects.filter(organization=portal_org).order_by("pk").first()
        return {
            "owner": owner,
            "long_case": long_case,
            "incident": incident,
            "portal_customer": portal_customer,
            "portal_case": portal_case,
        }

    def _bench_pages(self, people: dict, *, runs: int) -> dict:
        from django.test import Client

        shapes = self._page_fixtures(people)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        agent = Client()
        agent.force_login(shapes["owner"])
        customer = Client()
        customer.force_login(shapes["portal_customer"])
        long_ref = shapes["long_case"].reference
        incident_url = f"/desk/incidents/{shapes['incident'].pk}/"
        portal_case_url = f"/portal/cases/{shapes['portal_case'].reference}/"
        pages = [
            ("desk dashboard (200 owned)", agent, "/desk/", {}),
            ("triage queue", agent, "/desk/", {"HTTP_HX_REQUEST": "true"}),
            ("search", agent, "/desk/search/?q=Bench+case+12345", {}),
            ("case page (2,000 entries)", agent, f"/desk/cases/{long_ref}/", {}),
            ("timeline poll", agent, f"/desk/cases/{long_ref}/timeline/?after=0", {}),
            ("department queue (500)", agent, "/desk/queue/", {}),
            ("incident page (1,000 linked)", agent, incident_url, {}),
            ("portal case list (300)", customer, "/portal/", {}),
            ("portal case page", customer, portal_case_url, {}),
        ]
        results = {}
        with _plain_static():
            for name, client, url, headers in pages:
                results[name] = self._time(lambda c=client, u=url, h=headers: c.get(u, **h), runs)
                self._line(name, results[name], goal_ms=100)
            results["inbound email"] = self._time_inbound(people, runs)
            self._line("inbound email", results["inbound email"], goal_ms=100)
        return {"pages": results}

    def _time(self, call, runs: int) -> dict:
        timings, queries = [], 0
        for run in range(runs + 1):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = call()
                elapsed = time.perf_counter() - started
            status = getattr(response, "status_code", 200)
            if status != 200:
                raise CommandError(f"answered {status}")
            if run:  # the first run warms caches
                timings.append(elapsed)
            queries = len(captured.captured_queries)
        timings.sort()
        return {
            "p50_ms": round(1000 * statistics.median(timings), 1),
            "p95_ms": round(1000 * timings[max(int(0.95 * len(timings)) - 1, 0)], 1),
            "queries": queries,
        }

    def _line(self, name: str, figures: dict, *, goal_ms: int) -> None:
        verdict = "ok" if figures["p95_ms"] <= goal_ms else "OVER GOAL"
        self.stdout.write(
            f"  {name:<30} p50 {figures['p50_ms']:>7.1f} ms  p95 {figures['p95_ms']:>7.1f} ms  "
            f"{figures['queries']:>3} queries  (goal {goal_ms} ms: {verdict})"
        )

    def _time_inbound(self, people: dict, runs: int) -> dict:
        from email.message import EmailMessage

        from notifications import addresses, inbound

        case = Case.objects.filter(organization=people["org"], status=Status.OPEN).first()

        def one():
            message = EmailMessage()
            message["From"] = people["customer"].email
            message["To"] = addresses.reply_address(case.pk)
            message["Subject"] = f"Re: [{case.reference}] {case.title}"
            message["Message-ID"] = f"<bench-{time.time_ns()}@bench.test>"
            message.set_content("It still fails.\n\nOn Monday, Support wrote:\n> Try again")
            stored = inbound.receive(message.as_bytes(), mailbox="bench")
            if stored.case_id != case.pk:
                raise CommandError(f"bench mail did not thread: {stored.reason}")
            return stored

        return self._time(one, runs)

    # --- load ------------------------------------------------------------------------------

    def _load_people(self, people: dict, *, agents: int, customers: int) -> None:
        """Bench accounts with a known password: agents owning open cases, customers of an
        organisation with five cases each."""
        from django.contrib.auth.hashers import make_password

        if User.objects.filter(email=f"bench-agent-{agents - 1}@bench.test").exists():
            return
        password = make_password(LOAD_PASSWORD)
        load_org, _ = Organization.objects.get_or_create(name="Bench Load")
        User.objects.bulk_create(
            (
                User(email=f"bench-agent-{n}@bench.test", full_name=f"Agent {n}", role="agent",
                     password=password)
                for n in range(agents)
            ),
            ignore_conflicts=True,
        )  # fmt: skip
        new_agents = list(
            User.objects.filter(email__in=[f"bench-agent-{n}@bench.test" for n in range(agents)])
        )
        User.objects.filter(pk__in=[a.pk for a in new_agents]).update(password=password)
        User.departments.through.objects.bulk_create(
            (
                User.departments.through(user_id=a.pk, department_id=people["support"].pk)
                for a in new_agents
            ),
            ignore_conflicts=True,
        )
        User.objects.bulk_create(
            (
                User(email=f"bench-customer-{n}@bench.test", full_name=f"Customer {n}",
                     role="customer", organization=load_org, password=password)
                for n in range(customers)
            ),
            ignore_conflicts=True,
        )  # fmt: skip
        new_customers = list(
            User.objects.filter(
                email__in=[f"bench-customer-{n}@bench.test" for n in range(customers)]
            )
        )
        User.objects.filter(pk__in=[c.pk for c in new_customers]).update(password=password)
        open_ids = list(
            Case.objects.filter(organization=people["org"], status=Status.OPEN)
            .order_by("-pk")
            .values_list("pk", flat=True)[: agents * 10]
        )
        for index, agent in enumerate(new_agents):
            Case.objects.filter(pk__in=open_ids[index * 10 : (index + 1) * 10]).update(owner=agent)
        case_ids = list(
            Case.objects.filter(organization=people["org"])
            .order_by("pk")
            .values_list("pk", flat=True)[10000 : 10000 + customers * 5]
        )
        for index, customer in enumerate(new_customers):
            Case.objects.filter(pk__in=case_ids[index * 5 : (index + 1) * 5]).update(
                organization=load_org, customer=customer
            )

    def _bench_load(self, people: dict, *, users: int, seconds: int) -> dict:
        import csv
        import os
        import signal
        import socket
        import subprocess
        import sys
        import tempfile

        agents, customers = users // 3, users - users // 3
        self._load_people(people, agents=agents, customers=customers)
        folder = Path(settings.VAR_DIR) / "bench"
        run_dir = Path(tempfile.mkdtemp(prefix="load-", dir=folder))
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        db = settings.DATABASES["default"]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
            f"{db['PORT'] or 5432}/{db['NAME']}",
            "DEBUG": "0",
            "SECRET_KEY": settings.SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "RATELIMIT_ENABLE": "0",
            "HELPDESK_VAR_DIR": str(run_dir),
            "BENCH_PASSWORD": LOAD_PASSWORD,
            "BENCH_AGENTS": str(agents),
            "BENCH_CUSTOMERS": str(customers),
        }
        bin_dir = Path(sys.executable).parent
        python = str(Path(sys.executable))
        subprocess.run(
            [python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
        workers = max(os.cpu_count() or 2, 2) + 1
        processes = [
            subprocess.Popen(
                [str(bin_dir / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}",
                 "--workers", str(workers), "--log-level", "warning"],
                env=env, start_new_session=True,
            ),
            subprocess.Popen(
                [str(bin_dir / "celery"), "-A", "helpdesk", "worker", "--concurrency", "2",
                 "--loglevel", "WARNING"],
                env=env, start_new_session=True,
            ),
        ]  # fmt: skip
        try:
            self._wait_for(port)
            self.stdout.write(f"  load: {users} users for {seconds}s against {workers} workers")
            subprocess.run(
                [str(bin_dir / "locust"), "-f", "cases/loadtest.py", "--headless",
                 "-u", str(users), "-r", str(max(users // 100, 1)), "-t", f"{seconds}s",
                 # Figures for the steady floor: the sign-in ramp (argon2 on purpose
                 # slow) is not what a support floor does all day.
                 "--reset-stats",
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(run_dir / "load"),
                 "--only-summary", "--loglevel", "WARNING"],
                env=env, check=False, timeout=seconds + 180,
            )  # fmt: skip
        finally:
            for process in processes:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        with open(run_dir / "load_stats.csv", newline="") as stats:
            rows = {row["Name"]: row for row in csv.DictReader(stats)}
        total = rows["Aggregated"]
        report = {
            "users": users,
            "seconds": seconds,
            "requests": int(total["Request Count"]),
            "failures": int(total["Failure Count"]),
            "rps": round(float(total["Requests/s"]), 1),
            "p50_ms": float(total["50%"]),
            "p95_ms": float(total["95%"]),
            "p99_ms": float(total["99%"]),
            "by_request": {
                name: {"requests": int(r["Request Count"]), "p95_ms": float(r["95%"]),
                       "failures": int(r["Failure Count"])}
                for name, r in rows.items() if name != "Aggregated"
            },
        }  # fmt: skip
        verdict = "ok" if report["p95_ms"] <= 300 and not report["failures"] else "OVER GOAL"
        self.stdout.write(
            f"  load: {report['requests']} requests, {report['rps']} req/s, p50 "
            f"{report['p50_ms']} ms, p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms, "
            f"{report['failures']} errors (goal p95 300 ms and 0 errors: {verdict})"
        )
        return {"load": report}

    def _wait_for(self, port: int) -> None:
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2):
                    return
            except OSError:
                time.sleep(0.5)
        raise CommandError("The web server did not start within a minute.")

    # --- reports ------------------------------------------------------------------------

    def _bench_reports(self, people: dict, *, runs: int) -> dict:
        from django.test import Client
        from django.urls import reverse

        client = Client()
        client.force_login(people["manager"])
        plain = _plain_static()
        plain.enable()
        names = ["index", "unowned", "time_to_owner", "bounces", "sla", "promises", "quality",
                 "voice"]  # fmt: skip
        results = {}
        for name in names:
            url = reverse(f"reports:{name}")
            timings, queries = [], 0
            for run in range(runs + 1):
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}")
                if run:  # the first run warms caches
                    timings.append(elapsed)
                queries = len(captured.captured_queries)
            timings.sort()
            results[name] = {
                "p50_ms": round(1000 * statistics.median(timings), 1),
                "p95_ms": round(1000 * timings[max(int(0.95 * len(timings)) - 1, 0)], 1),
                "queries": queries,
            }
            self._line(name, results[name], goal_ms=300)
        plain.disable()
        return {"reports": results}

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


def _plain_static():
    """The benchmark renders pages without collectstatic's manifest."""
    return override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        },
        MEDIA_ROOT=str(Path(settings.VAR_DIR) / "bench" / "media"),
    )

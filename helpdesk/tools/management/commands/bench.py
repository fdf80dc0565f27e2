"""`python manage.py bench sla|pages|reports|routing|load|all --cases N` on PostgreSQL.

Seeds N cases in bulk, then times what the target names. The figures go to the terminal
and to var/bench/<target>-<time>.json for comparison across commits. Seeding is
resumable: bench rows belong to the organisation "Bench" and a second run only adds what
is missing. The load target needs the tools extras (`make tools`).
"""

import argparse

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Case
from helpdesk.tools import extras
from helpdesk.tools.bench import measure
from helpdesk.tools.bench.load import bench_load
from helpdesk.tools.bench.pages import bench_pages
from helpdesk.tools.bench.reports import bench_reports
from helpdesk.tools.bench.routing import bench_routing
from helpdesk.tools.bench.seed import bench_people, seed
from helpdesk.tools.bench.sla import bench_sla


class Command(BaseCommand):
    help = (
        "Benchmarks. Targets: sla (the SLA sweep), pages (desk, portal, incident pages and "
        "inbound mail), reports (each report), routing (who owns a new case), load (a support "
        "floor against gunicorn with locust), all."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", choices=["sla", "pages", "reports", "routing", "load", "all"])
        parser.add_argument("--users", type=int, default=300, help="load: simulated users")
        parser.add_argument("--seconds", type=int, default=180, help="load: duration")
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--open-share", type=float, default=0.05)
        parser.add_argument("--due-now", type=int, default=200, help="cases at a threshold")
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument(
            "--http",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="pages: also over HTTP through gunicorn (on by default)",
        )

    def handle(self, *args, target, **options):
        if target in ("load", "all"):
            extras.require("locust", what="The load benchmark", make_target="tools")
        if connection.vendor != "postgresql":
            raise CommandError("The benchmark runs on PostgreSQL (set DATABASE_URL).")
        people = bench_people()
        seed(people, total=options["cases"], open_share=options["open_share"], out=self.stdout)
        cases = Case.objects.filter(organization=people["org"]).count()
        runs = options["runs"]
        if target in ("sla", "all"):
            report = bench_sla(people, due_now=options["due_now"], runs=runs, out=self.stdout)
            self.write("sla", {"cases": cases, **report})
        if target in ("pages", "all"):
            report = bench_pages(people, runs=runs, http=options["http"], out=self.stdout)
            self.write("pages", {"cases": cases, **report})
        if target in ("routing", "all"):
            report = bench_routing(people, runs=runs, out=self.stdout)
            self.write("routing", {"cases": cases, **report})
        if target in ("load", "all"):
            report = bench_load(
                people, users=options["users"], seconds=options["seconds"], out=self.stdout
            )
            self.write("load", {"cases": cases, **report})
        if target in ("reports", "all"):
            report = bench_reports(people, runs=runs, out=self.stdout)
            self.write("reports", {"cases": cases, **report})

    def write(self, target: str, report: dict) -> None:
        self.stdout.write(f"Written to {measure.write(target, report)}")

"""`manage.py bench` runs end to end on a small PostgreSQL database and prints each figure
against its goal (the figures at 1,000,000 cases are in docs/performance.md)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from cases.models import Case
from helpdesk.tools.bench.routing import bench_routing
from helpdesk.tools.bench.seed import bench_people, seed

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def bench(*args) -> str:
    out = io.StringIO()
    call_command("bench", *args, "--cases", "3500", "--open-share", "0.5", "--runs", "2",
                 stdout=out)  # fmt: skip
    return out.getvalue()


@pytest.mark.django_db(transaction=True)  # gunicorn reads what the bench seeded
def test_bench_measures_the_sweep_pages_and_reports(var_dir):
    sla = bench("sla", "--due-now", "20")
    pages = bench("pages")
    reports = bench("reports")

    assert Case.objects.filter(organization__name="Bench").count() == 3500
    assert "SLA sweep: 20 cases at a threshold" in sla
    for page in (
        "desk dashboard (200 owned)",
        "case page (2,000 entries)",
        "case page (3 entries)",
        "case page (50 entries)",
        "case page (500 entries)",
        "search the timeline",
        "inbound email",
        "API: case list (mine)",
        "API: case read (50 entries)",
    ):
        assert page in pages
    assert pages.count("(goal 100 ms:") == 9
    assert pages.count("(goal 15 ms:") == 2  # the dashboard and the triage queue
    assert pages.count("(goal 20 ms:") == 3  # 50 entries, a reply, a note
    assert pages.count("(goal 50 ms:") == 4  # 500 entries; the API's list and read; help search
    assert reports.count("(goal 300 ms:") == 8
    written = {path.name.split("-")[0] for path in (var_dir / "bench").glob("*.json")}
    assert written == {"sla", "pages", "reports"}
    figures = json.loads(next((var_dir / "bench").glob("pages-*.json")).read_text())
    assert figures["pages"]["search"]["queries"] > 0
    # The same pages and writes over HTTP through gunicorn, with and without persistent
    # database connections.
    assert "over HTTP, one gunicorn worker: persistent connections | one per request" in pages
    assert set(figures["http"]) == {*figures["pages"]} - {"inbound email"}
    for name, timed in figures["http"].items():
        assert timed["persistent"]["p95_ms"] > 0 and timed["per_request"]["p95_ms"] > 0, name


def test_seeding_resumes_instead_of_starting_over(var_dir):
    bench("sla", "--due-now", "5")
    second = bench("sla", "--due-now", "5")

    assert "3,500 bench cases present; nothing to seed." in second


def test_a_small_bench_measures_smaller_pages_and_says_how_small(var_dir):
    out = io.StringIO()
    call_command("bench", "pages", "--cases", "1200", "--runs", "1", "--no-http", stdout=out)

    pages = out.getvalue()
    assert "desk dashboard (60 owned)" in pages
    assert "department queue (0)" in pages
    assert "incident page (200 linked)" in pages
    assert "portal case list (300)" in pages
    assert pages.count("(goal 100 ms:") == 9


def test_routing_is_timed_with_the_same_queries_at_any_size(var_dir):
    printed = io.StringIO()
    out = OutputWrapper(printed)
    people = bench_people()
    seed(people, total=1200, open_share=0.5, out=out)
    small = bench_routing(people, runs=1, out=out)
    seed(people, total=3500, open_share=0.5, out=out)

    large = bench_routing(people, runs=1, out=out)

    lines = printed.getvalue()
    assert lines.count("routing decision (100 agents)") == 2
    assert lines.count("route a new case (100 agents)") == 2
    assert lines.count("(goal 20 ms:") == 2
    # The agents, their loads, the customer's and the organisation's last owner: four
    # queries, at 1,200 cases as at 3,500 (and at 1,000,000).
    queries = {name: figures["queries"] for name, figures in small["routing"].items()}
    assert queries == {name: figures["queries"] for name, figures in large["routing"].items()}
    assert queries["decision"] == 4
    assert set(large["plans"]) == {"agents", "loads", "customer's owner", "organisation's owner"}

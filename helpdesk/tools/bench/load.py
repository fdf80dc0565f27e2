"""`bench load`: a support floor of agents and customers (locust, headless, the users of
`helpdesk/tools/loadtest.py`) against gunicorn, a Celery worker, PostgreSQL and Redis,
started here as the deployment would run them."""

import contextlib
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import CommandError

from cases.models import Case, Status
from helpdesk.accounts.models import Organization, User

from . import measure

LOAD_PASSWORD = "bench-load"
LOCUST_FILE = Path(__file__).resolve().parent.parent / "loadtest.py"
GOAL_P95_MS = 300


def load_people(people: dict, *, agents: int, customers: int) -> None:
    """Bench accounts with a known password: agents owning open cases, customers of an
    organisation with five cases each."""
    if User.objects.filter(email=f"bench-agent-{agents - 1}@bench.test").exists():
        return
    password = make_password(LOAD_PASSWORD)
    load_org, _ = Organization.objects.get_or_create(name="Bench Load")
    agent_emails = [f"bench-agent-{n}@bench.test" for n in range(agents)]
    User.objects.bulk_create(
        (
            User(email=email, full_name=f"Agent {n}", role="agent", password=password)
            for n, email in enumerate(agent_emails)
        ),
        ignore_conflicts=True,
    )
    new_agents = list(User.objects.filter(email__in=agent_emails))
    User.objects.filter(pk__in=[a.pk for a in new_agents]).update(password=password)
    User.departments.through.objects.bulk_create(
        (
            User.departments.through(user_id=a.pk, department_id=people["support"].pk)
            for a in new_agents
        ),
        ignore_conflicts=True,
    )
    customer_emails = [f"bench-customer-{n}@bench.test" for n in range(customers)]
    User.objects.bulk_create(
        (
            User(email=email, full_name=f"Customer {n}", role="customer",
                 organization=load_org, password=password)
            for n, email in enumerate(customer_emails)
        ),
        ignore_conflicts=True,
    )  # fmt: skip
    new_customers = list(User.objects.filter(email__in=customer_emails))
    User.objects.filter(pk__in=[c.pk for c in new_customers]).update(password=password)
    bench_cases = Case.objects.filter(organization=people["org"])
    open_ids = list(
        bench_cases.filter(status=Status.OPEN)
        .order_by("-pk")
        .values_list("pk", flat=True)[: agents * 10]
    )
    for index, agent in enumerate(new_agents):
        Case.objects.filter(pk__in=open_ids[index * 10 : (index + 1) * 10]).update(owner=agent)
    case_ids = list(
        bench_cases.order_by("pk").values_list("pk", flat=True)[10000 : 10000 + customers * 5]
    )
    for index, customer in enumerate(new_customers):
        Case.objects.filter(pk__in=case_ids[index * 5 : (index + 1) * 5]).update(
            organization=load_org, customer=customer
        )


def environment(run_dir: Path, *, agents: int, customers: int) -> dict:
    """The processes' settings: this database, production mode over plain HTTP."""
    db = settings.DATABASES["default"]
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "RATELIMIT_ENABLE": "0",
        # The load's agents sign in with a password alone: no second factor to type.
        "MFA_REQUIRED_FOR_STAFF": "0",
        "HELPDESK_VAR_DIR": str(run_dir),
        "BENCH_PASSWORD": LOAD_PASSWORD,
        "BENCH_AGENTS": str(agents),
        "BENCH_CUSTOMERS": str(customers),
    }


def bench_load(people: dict, *, users: int, seconds: int, out) -> dict:
    agents, customers = users // 3, users - users // 3
    load_people(people, agents=agents, customers=customers)
    run_dir = Path(tempfile.mkdtemp(prefix="load-", dir=measure.folder()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = environment(run_dir, agents=agents, customers=customers)
    bin_dir = Path(sys.executable).parent
    python, root = str(Path(sys.executable)), settings.BASE_DIR
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=root, check=True
    )
    workers = max(os.cpu_count() or 2, 2) + 1
    processes = [
        subprocess.Popen(
            [str(bin_dir / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--log-level", "warning"],
            env=env, cwd=root, start_new_session=True,
        ),
        subprocess.Popen(
            [str(bin_dir / "celery"), "-A", "helpdesk", "worker", "--concurrency", "2",
             "--loglevel", "WARNING"],
            env=env, cwd=root, start_new_session=True,
        ),
    ]  # fmt: skip
    try:
        wait_for(port)
        out.write(f"  load: {users} users for {seconds}s against {workers} workers")
        subprocess.run(
            [str(bin_dir / "locust"), "-f", str(LOCUST_FILE), "--headless",
             "-u", str(users), "-r", str(max(users // 100, 1)), "-t", f"{seconds}s",
             # Figures for the steady floor: the sign-in ramp (argon2 on purpose
             # slow) is not what a support floor does all day.
             "--reset-stats",
             "--host", f"http://127.0.0.1:{port}", "--csv", str(run_dir / "load"),
             "--only-summary", "--loglevel", "WARNING"],
            env=env, cwd=root, check=False, timeout=seconds + 180,
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
    report = read_stats(run_dir / "load_stats.csv", users=users, seconds=seconds)
    ok = report["p95_ms"] <= GOAL_P95_MS and not report["failures"]
    out.write(
        f"  load: {report['requests']} requests, {report['rps']} req/s, p50 "
        f"{report['p50_ms']} ms, p95 {report['p95_ms']} ms, p99 {report['p99_ms']} ms, "
        f"{report['failures']} errors (goal p95 300 ms and 0 errors: "
        f"{'ok' if ok else 'OVER GOAL'})"
    )
    return {"load": report}


def read_stats(path: Path, *, users: int, seconds: int) -> dict:
    """Locust's CSV summary, the aggregate and each request."""
    with open(path, newline="") as stats:
        rows = {row["Name"]: row for row in csv.DictReader(stats)}
    total = rows["Aggregated"]
    return {
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


def wait_for(port: int) -> None:
    deadline = time.monotonic() + 60
    url = f"http://127.0.0.1:{port}/accounts/login/"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise CommandError("The web server did not start within a minute.")

"""The scale-out proof: two web processes, two Celery workers and one beat on one
PostgreSQL database and one Redis, all real processes, under a load of customers and
agents acting over HTTP against both web processes, through two faults:

- a worker SIGKILLed in the middle of sending a batch of emails (the SMTP server holds
  its message unanswered until the worker is gone);
- Redis stopped (agents and customers keep posting the forms they had open) and started
  again.

Then, once the outbox is drained: every notice was sent exactly once (the messages the
SMTP server received, by Message-ID, are exactly the sent rows: none twice, none missing),
every action changed its case once (one owner from two agents taking the same case on two
web processes at once, one timeline entry per reply), every SLA step of the cases that
fell due during the load was taken once, and /healthz said 200 with one worker left, 503
(broker, then worker) while Redis was down, and 200 again after. The figures are printed
at the end of the test (and kept in var/scale-out.json) for docs/operations.md.

Counts of rows and of received messages only; every wait polls with a deadline.
"""

import json
import secrets
import shutil
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.notifications.test_delivery_integration import PrivateRedis
from tests.scale_helpers import (
    Database,
    Fleet,
    HoldingSink,
    Person,
    pid_connected_from,
    send_tasks,
)
from tests.smtp import free_port
from tests.test_stack import REPO, get, stack_env

pytestmark = [
    pytest.mark.slow,
    pytest.mark.stack,
    pytest.mark.skipif(
        shutil.which("redis-server") is None,
        reason="redis-server is not on PATH: the proof stops and starts a Redis of its own",
    ),
]

STORIES_PER_PHASE = 4
WORKERS = ("worker-a", "worker-b")
# Short intervals, so that a lease runs out and a heartbeat goes stale within seconds.
INTERVALS = {
    "HEARTBEAT_INTERVAL": "1",
    "WORKER_STALE_AFTER": "4",
    "SLA_SWEEP_INTERVAL": "2",
    "NOTICE_REDRIVE_INTERVAL": "2",
    "NOTICE_LEASE_SECONDS": "4",
    # Every reply leaves at once (waiting replies are still merged into one message).
    "CUSTOMER_EMAIL_THROTTLE": "0",
}


def until(check, timeout: float, interval: float = 0.25):
    """Poll `check` until it returns something true or `timeout` passes; its last answer."""
    deadline = time.monotonic() + timeout
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(interval)
    return answer


def health(base: str) -> tuple[int, list[str]]:
    """/healthz's status and the parts it names failing."""
    status, body = get(f"{base}/healthz")
    return status, json.loads(body)["failing"] if body.startswith(b"{") else ["no answer"]


class Stack:
    def __init__(self, tmp_path: Path):
        self.sink = HoldingSink().start()
        self.redis = PrivateRedis(free_port(), log=tmp_path / "redis.log")
        self.database = Database()
        self.webs = [f"http://127.0.0.1:{free_port()}" for _ in range(2)]
        var_dir = tmp_path / "var"
        (var_dir / "static").mkdir(parents=True)  # WhiteNoise looks for it
        env = stack_env(var_dir, int(self.webs[0].rsplit(":", 1)[1]))
        env.pop("CACHE_URL", None)
        env.update(
            INTERVALS,
            DJANGO_SETTINGS_MODULE="tests.scale_settings",
            DATABASE_URL=self.database.url,
            CELERY_BROKER_URL=self.redis.url,  # and the cache, which follows it
            SECRET_KEY=secrets.token_urlsafe(50),
            DEBUG="0",
            ALLOWED_HOSTS="127.0.0.1",
            SITE_URL=self.webs[0],
            SESSION_COOKIE_SECURE="0",
            CSRF_COOKIE_SECURE="0",
            # The proof is about scale, not sign-in: staff sign in with a password here.
            MFA_REQUIRED_FOR_STAFF="0",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.sink.port),
            EMAIL_TIMEOUT="30",
        )
        self.fleet = Fleet(env, tmp_path)
        self.stopped = False

    def start(self) -> dict:
        self.redis.start()
        self.fleet.run("python", "manage.py", "migrate", "--noinput", "-v0")
        people = self.fleet.run("python", "-m", "tests.scale_seed", "people")
        for n, base in enumerate(self.webs):
            self.fleet.start(
                f"web{n}", "gunicorn", "helpdesk.wsgi", "--bind", base.removeprefix("http://"),
                "--workers", "1", "--threads", "4", "--access-logfile", "-",
            )  # fmt: skip
        for name in WORKERS:
            self.fleet.start(
                name, "celery", "-A", "helpdesk", "worker", "--pool=threads",
                "--concurrency=1", "-n", f"{name}@%h", "--loglevel=INFO",
                "--without-mingle", "--without-gossip",
            )  # fmt: skip
        self.fleet.start("beat", "celery", "-A", "helpdesk", "beat", "--loglevel=INFO")
        for base in self.webs:
            healthy = until(lambda b=base: health(b)[0] == 200, timeout=90)
            assert healthy, f"{base} never healthy: {health(base)}\n{self.logs()}"
        return people

    def unsent_emails(self) -> int:
        return self.database.count(
            "SELECT count(*) FROM notifications_notice "
            "WHERE channel = 'email' AND status IN ('pending', 'sending')"
        )

    def emails_of_kind(self, kind: str) -> int:
        return self.database.count(
            "SELECT count(*) FROM notifications_notice WHERE channel = 'email' AND kind = %s",
            [kind],
        )

    def logs(self) -> str:
        return "\n".join(self.fleet.tail(name) for name in self.fleet.processes)

    def stop(self) -> dict[int, str]:
        """Every process, Redis and the SMTP server stopped; what outlived them."""
        if self.stopped:
            return {}
        self.stopped = True
        left = self.fleet.stop()
        self.redis.stop()
        self.sink.stop()
        return left


@pytest.fixture
def stack(tmp_path):
    stack = Stack(tmp_path)
    try:
        yield stack
    finally:
        try:
            stack.stop()
        finally:
            stack.database.drop()


class Load:
    """Customers report cases in the portal; two agents try to take each at once, on the
    two web processes; its owner replies, the customer answers, the owner replies again.
    Requests alternate between the web processes."""

    def __init__(self, webs: list[str], agents: list[Person], customers: list[Person]):
        self.webs, self.agents, self.customers = webs, agents, customers
        self.stories: dict[str, dict] = {}
        self.actions = 0
        self._lock = threading.Lock()

    def report(self, numbers: range) -> dict[int, str]:
        """Each story's case reported, at once; their references."""
        with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
            return dict(zip(numbers, pool.map(self.report_case, numbers), strict=True))

    def run(self, numbers: range, *, phase: int, reported: dict[int, str] | None = None):
        """The stories, at once; each reports its case unless it was `reported` before."""
        reported = reported or {}
        with ThreadPoolExecutor(max_workers=len(numbers)) as pool:
            list(pool.map(lambda n: self.story(n, phase, reported.get(n)), numbers))

    def report_case(self, n: int) -> str:
        customer = self.customers[n % len(self.customers)]
        form = {"title": f"Scanner {n} jams", "description": "Paper jams.", "priority": "20"}
        status, location, _ = customer.request(self.webs[n % 2], "POST", "/portal/cases/new/", form)
        assert status == 302, f"story {n}: reporting answered {status}"
        with self._lock:
            self.actions += 1
        return location.rstrip("/").rsplit("/", 1)[1]

    def story(self, n: int, phase: int, reference: str | None) -> None:
        web = self.webs
        reference = reference or self.report_case(n)
        customer = self.customers[n % len(self.customers)]
        contenders = [self.agents[n % len(self.agents)], self.agents[(n + 1) % len(self.agents)]]
        start = threading.Barrier(2)

        def take(i: int) -> int:
            start.wait(timeout=10)
            path = f"/desk/cases/{reference}/take/"
            return contenders[i].request(web[i], "POST", path, {})[0]

        with ThreadPoolExecutor(max_workers=2) as pool:
            takes = list(pool.map(take, range(2)))
        owner = contenders[takes.index(302)] if 302 in takes else None
        statuses = {"phase": phase, "takes": sorted(takes)}
        if owner is not None:
            path = f"/desk/cases/{reference}/entries/"
            words = [
                (owner, web[(n + 1) % 2], path, {"kind": "reply", "body": f"Looking at {n}."}),
                (customer, web[n % 2], f"/portal/cases/{reference}/reply/", {"body": "Thanks."}),
                (owner, web[(n + 1) % 2], path, {"kind": "reply", "body": f"Fixed {n}."}),
            ]
            statuses["words"] = [who.request(base, "POST", p, f)[0] for who, base, p, f in words]
        with self._lock:
            self.actions += 2 + len(statuses.get("words", []))
            self.stories[reference] = {"owner": owner and owner.email, **statuses}


def test_every_notice_is_sent_once_through_a_killed_worker_and_a_redis_restart(stack, capsys):
    started = time.monotonic()
    people = stack.start()
    agents = [Person(email) for email in people["agents"]]
    customers = [Person(email) for email in people["customers"]]
    for n, person in enumerate(agents + customers):
        person.sign_in(stack.webs[n % 2], people["password"])
    load = Load(stack.webs, agents, customers)
    phases = [range(p * STORIES_PER_PHASE, (p + 1) * STORIES_PER_PHASE) for p in range(3)]

    # Phase 1: everything up.
    load.run(phases[0], phase=1)

    # Phase 2: cases fall due for the SLA sweep, whose emails go out in one batch; the
    # worker sending it is SIGKILLed after its first message, in the middle of the second,
    # while the load goes on.
    stack.sink.hold_next_in_batch()
    late = stack.fleet.run("python", "-m", "tests.scale_seed", "late")["cases"]
    # Sweeps on both workers at once, besides beat's, as a second beat would send them.
    send_tasks(stack.redis.url, "notifications.tasks.sla_sweep", count=4)
    with ThreadPoolExecutor(max_workers=1) as background:
        phase = background.submit(load.run, phases[1], phase=2)
        assert stack.sink.held.wait(timeout=30), f"no batch was sent\n{stack.logs()}"
        pids = {name: stack.fleet.pid(name) for name in WORKERS}
        victim = pid_connected_from(pids, stack.sink.held_port, stack.sink.port)
        assert victim in WORKERS, f"no worker holds the held connection: {victim!r}"
        unsent_at_kill = stack.unsent_emails()
        stack.fleet.kill(victim)
        phase.result(timeout=60)
    assert unsent_at_kill >= 1, "the outbox was empty when the worker was killed"
    # One worker is enough for /healthz: the other one answers the heartbeats.
    one_worker = until(lambda: health(stack.webs[0]) == (200, []), timeout=30)

    # Phase 3: Redis goes away and comes back. Meanwhile pages are drawn without the cache
    # and the forms people had open still post; rate-limited actions fail closed, so the
    # cases were reported just before (reporting counts in the rate limits), and are taken
    # and answered during the outage.
    reported = load.report(phases[2])
    stack.redis.stop()
    down_at = time.monotonic()
    down = health(stack.webs[1])
    load.run(phases[2], phase=3, reported=reported)
    # Without the broker no heartbeat reaches a worker: /healthz says so too, in time.
    stale = until(lambda: (h := health(stack.webs[0]))[1] == ["broker", "worker"] and h, 30)
    stack.redis.start()
    back_at = time.monotonic()
    outage = round(back_at - down_at, 1)
    healthy = until(lambda: all(health(base)[0] == 200 for base in stack.webs), timeout=90)
    recovery = round(time.monotonic() - back_at, 1)
    assert healthy, f"/healthz still failing 90 s after Redis came back\n{stack.logs()}"

    # Drained: every email left, and the sweep took the late cases' steps.
    drained = until(
        lambda: (
            stack.unsent_emails() == 0
            and stack.emails_of_kind("delay_notice") >= len(late)
            and stack.emails_of_kind("sla_warning") >= len(late)
        ),
        timeout=60,
    )
    assert drained, f"the outbox did not drain: {stack.unsent_emails()} unsent\n{stack.logs()}"
    connections = stack.database.count(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
    )
    refs = json.dumps({"load": list(load.stories), "late": list(late)})
    rows = stack.fleet.run("python", "-m", "tests.scale_seed", "figures", stdin=refs)
    received = Counter(str(message["Message-ID"]) for message in stack.sink.messages)
    expected = Counter(rows["messages_expected"])
    sent = rows["by_status"].get("sent", 0)
    left = stack.stop()
    report(
        capsys,
        {
            "actions_over_http": load.actions,
            "email_notices_sent": sent,
            "emails_received": received.total(),
            "notices_merged_into_another_email": rows["merged"],
            "duplicates": (received - Counter(set(received))).total(),
            "lost": (expected - received).total() + rows["email_notices"] - sent,
            "unsent_when_the_worker_was_killed": unsent_at_kill,
            "sent_again_after_the_kill": rows["sent_again"],
            "redis_down_seconds": outage,
            "redis_restart_recovery_seconds": recovery,
            # Two web processes of 4 threads and the surviving worker's thread, persistent
            # (DATABASE_CONN_MAX_AGE), and this count's own.
            "database_connections_open": connections,
            "run_seconds": round(time.monotonic() - started, 1),
        },
    )

    # The faults happened as intended, and /healthz told each as it was.
    assert one_worker, "/healthz failed with one worker of two left"
    assert down[0] == 503 and "broker" in down[1], down
    assert stale == (503, ["broker", "worker"]), "/healthz never noticed the worker's silence"
    assert rows["sent_again"] >= 1, "nothing was sent again: the kill hit no delivery"

    # Every notice sent exactly once: the received messages are the sent rows.
    assert rows["by_status"] == {"sent": rows["email_notices"]}, rows["by_status"]
    assert received == expected, {
        "twice": sorted(m for m, c in received.items() if c > 1),
        "missing": sorted((expected - received).elements()),
        "unexpected": sorted((received - expected).elements()),
    }

    # Every action changed its case once: two agents took each case at once on the two
    # web processes, one became its owner.
    assert len(load.stories) == 3 * STORIES_PER_PHASE
    for reference, story in load.stories.items():
        # The other was refused: 409, the case page drawn as it is now, also while Redis
        # was down (the cache misses, helpdesk/cache.py).
        assert story["takes"] == [302, 409], (reference, story)
        assert story["words"] == [302, 302, 302], (reference, story)
        assert rows["owners"][reference] == story["owner"], reference
        assert rows["entries"][reference] == {
            "case_opened": 1,
            "ownership_change": 1,
            "status_change": 1,
            "agent_reply": 2,
            "customer_message": 1,
            "sla_warning": 0,
            "delay_notice": 0,
            "sla_breached": 0,
        }, reference

    # Each SLA step once per case, however many sweeps ran on however many workers: one
    # warning to the owner, one notice to the customer, one breach where it was past due.
    for reference, label in late.items():
        entries = rows["entries"][reference]
        steps = (entries["sla_warning"], entries["delay_notice"], entries["sla_breached"])
        assert steps == (1, 1, int(label == "breached")), (reference, label, entries)
        assert rows["sla_notices"][reference] == {"sla_warning": 1, "delay_notice": 1}, reference

    # Nothing outlives the stack.
    assert left == {}, f"processes outlived the stack: {left}"


def report(capsys, figures: dict) -> None:
    """The figures on the terminal, even without -s, and in var/scale-out.json (the last
    ten runs) for docs/operations.md."""
    with capsys.disabled():
        print(f"\nscale-out figures: {json.dumps(figures)}")
    out = REPO / "var" / "scale-out.json"
    out.parent.mkdir(exist_ok=True)
    runs = json.loads(out.read_text()) if out.exists() else []
    out.write_text(json.dumps([*runs[-9:], figures], indent=1) + "\n")

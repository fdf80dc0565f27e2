"""INTEGRATION TESTS (real components, nothing mocked): a real Celery worker on a real
Redis, the real PostgreSQL test database (committed data: `transactional_db`) and a real
SMTP server (aiosmtpd). Time here is real time, so these tests wait (bounded) for things
to arrive.

- The sweep, sent through the broker, tells the customer of a delay exactly once, in a
  message that threads into the case.
- A worker killed (SIGKILL) in the middle of an SMTP conversation loses nothing: after the
  notice's lease, the re-drive sends it again with the same Message-ID.
- A notice written while the broker is down waits in the outbox and is sent once, when
  the broker is back and the re-drive runs.

Worker subprocesses run the project's app (`celery -A tests.notifications.celery_app
worker`: the helpdesk app on this run's own queue) against this run's test database, and
are killed in `finally`; every wait has a timeout.
"""

import json
import logging
import os
import shutil
import signal
import subprocess
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from cases import services
from cases.models import EntryKind, Priority, TimelineEntry
from helpdesk.celery import app
from notifications.models import Notice, WorkerHeartbeat
from notifications.tasks import record_heartbeat, redrive_notices, sla_sweep
from tests.helpers import LAPTOP, backdate, notices, open_case, portal_url, wait_for
from tests.smtp import SmtpSink, body_text, free_port

REPO = Path(__file__).resolve().parents[2]
CELERY = REPO / ".venv" / "bin" / "celery"
HOUR = timedelta(hours=1)


def clear_unacknowledged(broker_url: str) -> None:
    """A killed worker leaves its message unacknowledged in Redis, to come back an hour
    later; it belongs to this run's queue, not to a later run (nor to another run's)."""
    queue = app.conf.task_default_queue
    client = redis.Redis.from_url(broker_url, socket_connect_timeout=2)
    for tag, raw in client.hgetall("unacked").items():
        if json.loads(raw)[-1] == queue:
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)
    client.delete(queue)
    client.close()


@contextmanager
def broker(url: str):
    """This process publishes to `url` (the code under test enqueues through the app).

    Celery reads CELERY_BROKER_URL from the environment before its own setting."""
    previous = os.environ.get("CELERY_BROKER_URL")

    def point_at(target: str | None):
        if target is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = target
        app._pool = None  # connections to the previous broker are not reused
        app.amqp._producer_pool = None

    point_at(url)
    assert app.conf.broker_url == url
    try:
        yield
    finally:
        point_at(previous)


class Worker:
    """A Celery worker of the project's app as a subprocess of its own, against this run's
    test database and queue (tests/conftest.py names both after the run)."""

    def __init__(self, name: str, *, broker_url: str, smtp_port: int, log: Path, lease: int = 3):
        self.name, self.log = name, log
        db = settings.DATABASES["default"]
        auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
        env.update(
            DATABASE_URL=f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            CELERY_BROKER_URL=broker_url,
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port),
            NOTICE_LEASE_SECONDS=str(lease),
            TEST_CELERY_QUEUE=app.conf.task_default_queue,
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="0",
            PYTHONUNBUFFERED="1",
        )
        self.env = env
        self.process: subprocess.Popen | None = None

    def start(self) -> "Worker":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(CELERY), "-A", "tests.notifications.celery_app", "worker",
                    "--pool=solo", "--loglevel=INFO", "-n", f"{self.name}@%h",
                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                ],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """The worker says hello (a heartbeat task) as soon as it consumes."""
        ready = wait_for(
            WorkerHeartbeat.objects.filter(hostname__startswith=f"{self.name}@").exists,
            timeout=timeout,
        )
        assert ready, f"worker {self.name} did not start:\n{self.tail()}"

    def kill(self) -> None:
        """SIGKILL the whole process group: nothing after this runs, no cleanup."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test can stop."""

    def __init__(self, port: int, log: Path):
        self.port, self.log = port, log
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> "PrivateRedis":
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=1)

        def answers():
            try:
                return client.ping()
            except redis.ConnectionError:
                return False

        assert wait_for(answers, timeout=10), self.log.read_text(errors="replace")
        client.close()
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def settle(worker_hostname_prefix: str | None = None, timeout: float = 20.0) -> None:
    """Send a heartbeat behind whatever was sent before, and wait for it: a solo worker
    takes tasks in order, so everything sent earlier has run."""
    before = timezone.now()
    record_heartbeat.delay()
    heartbeats = WorkerHeartbeat.objects.filter(last_seen__gt=before)
    if worker_hostname_prefix:
        heartbeats = heartbeats.filter(hostname__startswith=worker_hostname_prefix)
    assert wait_for(heartbeats.exists, timeout=timeout), "the worker did not catch up"


# --- the sweep, through the broker, to the customer's inbox ------------------------------------


def test_customer_gets_one_proactive_notice_through_the_real_worker(
    celery_worker, smtp_sink, policies, agent, customer, client
):
    case = open_case(agent, customer, **LAPTOP, priority=Priority.NORMAL, owner=agent)
    # Opened 3h01m ago on the normal policy (first response in 4h, customer told an hour
    # before): the owner's warning and the customer's notice are both due now.
    case = backdate(case, 3 * HOUR + timedelta(minutes=1))
    assert case.first_response_due > timezone.now()

    sla_sweep.delay()

    [message] = smtp_sink.wait_for(customer.email, count=1)
    notice = notices(customer).get(kind="delay_notice")
    domain = settings.MESSAGE_ID_DOMAIN
    assert message["Message-ID"] == f"<notice-{notice.pk}@{domain}>"
    assert message["In-Reply-To"] == f"<case-{case.pk}@{domain}>"
    assert message["References"] == f"<case-{case.pk}@{domain}>"
    assert message["To"] == customer.email
    assert case.reference in message["Subject"]
    assert "take longer" in message["Subject"]
    text = body_text(message)
    assert "Laptop will not power on" in text
    assert "will take longer than we promised" in text
    assert "Dana Lee" in text
    assert portal_url(case) in text

    # Beat runs the sweep and the re-drive again and again: nothing is sent twice.
    sla_sweep.delay()
    redrive_notices.delay()
    settle()
    assert len(smtp_sink.to(customer.email)) == 1
    [owner_warning] = smtp_sink.wait_for(agent.email, count=1)
    assert "will miss its first response target" in owner_warning["Subject"]
    notice.refresh_from_db()
    assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
    assert TimelineEntry.objects.filter(case=case, kind=EntryKind.DELAY_NOTICE).count() == 1
    client.force_login(customer)
    page = client.get(portal_url(case)).content.decode()
    assert "will take longer than we promised" in page


# --- a worker killed in the middle of sending -----------------------------------------------


def test_a_worker_killed_mid_delivery_loses_nothing(transactional_db, agent, customer, tmp_path):
    broker_url = settings.CELERY_BROKER_URL
    sink = SmtpSink(delay=2.0).start()  # slow to answer DATA: time to kill the worker
    app.control.purge()
    first = Worker("killed", broker_url=broker_url, smtp_port=sink.port, log=tmp_path / "w1.log")
    second = Worker("second", broker_url=broker_url, smtp_port=sink.port, log=tmp_path / "w2.log")
    try:
        case = open_case(agent, customer, **LAPTOP, priority=Priority.NORMAL, owner=agent)
        services.reply_to_customer(
            case=case, acting_user=agent, body="A new adapter is on its way."
        )
        notice = notices(customer).get()

        first.start()
        assert sink.receiving.wait(timeout=30), f"no delivery started:\n{first.tail()}"
        notice.refresh_from_db()
        assert notice.status == Notice.Status.SENDING
        first.kill()

        second.start()
        second.wait_ready()
        # The dead worker's lease (3 s here) must pass before anyone sends it again.
        wait_for(lambda: timezone.now() > notice.lease_until, timeout=10)
        redrive_notices.delay()

        sent = wait_for(
            lambda: notices(customer).filter(status=Notice.Status.SENT).first(),
            timeout=30,
        )
        assert sent is not None, f"the notice was not sent again:\n{second.tail()}"
        assert sent.attempts == 2
        time.sleep(sink.delay + 0.5)  # whatever the killed conversation left has landed
        received = sink.to(customer.email)
        assert received, "nothing arrived"
        # Sent once; at most the documented crash window's duplicate, with the same ID.
        assert {m["Message-ID"] for m in received} == {
            f"<notice-{notice.pk}@{settings.MESSAGE_ID_DOMAIN}>"
        }
        assert "A new adapter is on its way." in body_text(received[-1])
    finally:
        first.kill()
        second.kill()
        sink.stop()
        clear_unacknowledged(broker_url)


# --- the broker goes away and comes back --------------------------------------------------------


@pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not on PATH: the test needs a Redis of its own to stop and start",
)
def test_a_notice_written_while_the_broker_is_down_is_sent_once_it_is_back(
    transactional_db, agent, customer, tmp_path, caplog
):
    caplog.set_level(logging.WARNING, logger="helpdesk.queue")
    sink = SmtpSink().start()
    private = PrivateRedis(free_port(), log=tmp_path / "redis.log")
    worker = None
    try:
        private.start()
        worker = Worker(
            "private", broker_url=private.url, smtp_port=sink.port, log=tmp_path / "worker.log"
        ).start()
        case = open_case(agent, customer, **LAPTOP, priority=Priority.NORMAL, owner=agent)
        with broker(private.url):
            worker.wait_ready()
            private.stop()

            started = time.monotonic()
            services.reply_to_customer(
                case=case, acting_user=agent, body="Your replacement ships today."
            )
            assert time.monotonic() - started < 3, "the reply waited for the dead broker"
            assert "Could not enqueue notifications.tasks.deliver_notice" in caplog.text

            notice = notices(customer).get()
            assert (notice.status, notice.attempts) == (Notice.Status.PENDING, 0)
            private.start()
            with broker(private.url):  # fresh connections to the restarted server

                def redrive_until_sent():
                    # As beat does every minute: a message sent before the worker is back
                    # may find no queue on the emptied server, and is not the last one.
                    redrive_notices.delay()
                    return sink.wait_for(customer.email, count=1, timeout=2)

                received = wait_for(redrive_until_sent, timeout=40, interval=0)
                assert received, f"nothing arrived:\n{worker.tail()}"
                redrive_notices.delay()  # and again: nothing more to send
                settle("private@", timeout=30)

        [message] = sink.to(customer.email)
        assert message["Message-ID"] == f"<notice-{notice.pk}@{settings.MESSAGE_ID_DOMAIN}>"
        assert "Your replacement ships today." in body_text(message)
        notice.refresh_from_db()
        assert (notice.status, notice.attempts) == (Notice.Status.SENT, 1)
    finally:
        if worker is not None:
            worker.kill()
        private.stop()
        sink.stop()

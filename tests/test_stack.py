"""`make run` as a new user runs it: the embedded default (SQLite and a filesystem broker)
and PostgreSQL + Redis on a fresh copy of the repository, each started by the one command,
healthy, writing mail whose links point at the port it serves, and stopped with nothing
left behind, whether by Ctrl-C or by killing the process manager outright."""

import contextlib
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"


def stack_env(var_dir: Path, port: int, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for name in (
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "SECRET_KEY",
        "DEBUG",
        "SITE_URL",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MFLAGS",
    ):
        env.pop(name, None)
    env.update(
        HELPDESK_VAR_DIR=str(var_dir),
        PORT=str(port),
        HEARTBEAT_INTERVAL="2",
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
        **extra,
    )
    return env


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def poll(url: str, accept, timeout: float) -> tuple[int, bytes]:
    deadline = time.monotonic() + timeout
    status, body = get(url)
    while not accept(status, body) and time.monotonic() < deadline:
        time.sleep(0.5)
        status, body = get(url)
    return status, body


def healthy(status: int, body: bytes) -> bool:
    return status == 200 and json.loads(body)["worker"]["ok"]


def stack_processes(var_dir: Path) -> dict[int, str]:
    """Every process started with this stack's var folder in its environment."""
    marker = f"HELPDESK_VAR_DIR={var_dir}".encode()
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker in (proc / "environ").read_bytes().split(b"\0"):
                found[int(proc.name)] = (proc / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue  # gone meanwhile, or not ours
    return {pid: command.decode(errors="replace") for pid, command in found.items()}


class Stack:
    """`make run` in `checkout`, in a session of its own, its output in a log file."""

    def __init__(self, checkout: Path, env: dict[str, str], log_path: Path):
        self.var_dir = Path(env["HELPDESK_VAR_DIR"])
        self.base = f"http://127.0.0.1:{env['PORT']}"
        self.log_path = log_path
        with log_path.open("wb") as log:
            self.make = subprocess.Popen(
                ["make", "run"],
                cwd=checkout,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def wait_healthy(self, timeout: float) -> dict:
        status, body = poll(f"{self.base}/healthz", healthy, timeout=timeout)
        assert status == 200 and healthy(status, body), (
            f"/healthz stayed unhealthy: {body!r}\n{self.log_tail()}"
        )
        return json.loads(body)

    def honcho_pid(self) -> int:
        done = subprocess.run(
            ["pgrep", "-f", "-s", str(self.make.pid), "honcho start"],
            capture_output=True,
            text=True,
            check=False,
        )
        return int(done.stdout.split()[0])

    def wait_gone(self, timeout: float) -> dict[int, str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.make.poll()
            left = stack_processes(self.var_dir)
            if not left:
                return {}
            time.sleep(0.2)
        return stack_processes(self.var_dir)

    def kill_everything(self) -> None:
        for pid in stack_processes(self.var_dir):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.make.wait(timeout=10)


def mail_links(var_dir: Path) -> set[str]:
    """Every link to the helpdesk in the mail the stack wrote (the file backend)."""
    links = set()
    for path in (var_dir / "mail").glob("*.log"):
        for word in path.read_text(errors="replace").split():
            if word.startswith("http://") or word.startswith('href="http://'):
                links.add(word.removeprefix('href="').split('"')[0])
    return links


def test_embedded_stack_starts_healthy_mails_right_links_and_stops_on_ctrl_c(tmp_path):
    port = free_port()
    stack = Stack(REPO, stack_env(tmp_path / "var", port), tmp_path / "run.log")
    try:
        status, _ = poll(f"{stack.base}/accounts/login/", lambda s, b: s == 200, timeout=120)
        assert status == 200, f"the login page did not answer:\n{stack.log_tail()}"
        health = stack.wait_healthy(timeout=60)
        assert health["database"]["vendor"] == "sqlite"
        assert health["broker"]["transport"] == "filesystem"
        assert f"Helpdesk on http://127.0.0.1:{port}/" in stack.log_path.read_text()

        # The demo's mail went out through the worker; its links lead to this stack.
        deadline = time.monotonic() + 30
        while not mail_links(stack.var_dir) and time.monotonic() < deadline:
            time.sleep(0.5)
        links = mail_links(stack.var_dir)
        assert links, f"no mail written:\n{stack.log_tail()}"
        assert all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links

        # Everything the stack writes stays in its var folder, nothing in the checkout.
        assert (stack.var_dir / "helpdesk.sqlite3").exists()
        assert (stack.var_dir / "broker" / "control").is_dir()

        os.killpg(stack.make.pid, signal.SIGINT)  # what Ctrl-C in `make run` does
        started = time.monotonic()
        left = stack.wait_gone(timeout=20)
        assert left == {}, f"still running 20 s after Ctrl-C: {left}\n{stack.log_tail()}"
        assert time.monotonic() - started < 8, "stopping took longer than a few seconds"
        output = stack.log_path.read_text(errors="replace")
        assert "ERROR" not in output and "SIGKILL" not in output, stack.log_tail(60)
    finally:
        stack.kill_everything()


def test_killing_the_process_manager_leaves_no_process_behind(tmp_path):
    stack = Stack(REPO, stack_env(tmp_path / "var", free_port()), tmp_path / "run.log")
    try:
        stack.wait_healthy(timeout=120)
        os.kill(stack.honcho_pid(), signal.SIGKILL)  # no chance to stop its children

        left = stack.wait_gone(timeout=20)

        assert left == {}, f"orphans still running 20 s after honcho died: {left}"
    finally:
        stack.kill_everything()


@pytest.fixture
def fresh_copy(tmp_path):
    """The repository as a fresh clone has it (tracked and new files, nothing ignored)."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    copy = tmp_path / "helpdesk"
    for name in filter(None, listed):
        source = REPO / name.decode()
        if source.is_file():
            target = copy / name.decode()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return copy


@pytest.fixture
def stack_database():
    """A PostgreSQL database of its own, dropped afterwards."""
    name = f"helpdesk_stack_{uuid.uuid4().hex[:8]}"
    server = "postgres://postgres@127.0.0.1:5432"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_fresh_clone_on_postgresql_and_redis_stays_healthy_for_half_a_minute(
    tmp_path, fresh_copy, stack_database
):
    env = stack_env(
        tmp_path / "var",
        free_port(),
        DATABASE_URL=stack_database,
        CELERY_BROKER_URL="redis://127.0.0.1:6379/13",
    )
    # Only the var folder's location comes from outside; everything else is `make run`'s.
    stack = Stack(fresh_copy, env, tmp_path / "run.log")
    try:
        health = stack.wait_healthy(timeout=420)  # the first run installs the packages
        assert health["database"]["vendor"] == "postgresql"
        assert health["broker"]["transport"] == "redis"

        # Half a minute of work (15 heartbeats): beat keeps the heartbeat fresh (it
        # schedules it), the worker records it, and nothing stops.
        seen = {health["worker"]["last_seen"]}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            time.sleep(5)
            status, body = get(f"{stack.base}/healthz")
            assert healthy(status, body), f"unhealthy: {body!r}\n{stack.log_tail()}"
            seen.add(json.loads(body)["worker"]["last_seen"])
            assert stack.make.poll() is None, stack.log_tail()
        assert len(seen) >= 5, "beat stopped sending the heartbeat"

        os.killpg(stack.make.pid, signal.SIGINT)
        left = stack.wait_gone(timeout=20)
        assert left == {}, f"still running 20 s after Ctrl-C: {left}"
        assert "ERROR" not in stack.log_path.read_text(errors="replace"), stack.log_tail(60)
    finally:
        stack.kill_everything()

"""What the scale-out proof (tests/test_scale_out.py) runs the stack with: a PostgreSQL
database of its own, its processes (each in a session of its own, logged to a file), an
SMTP server that can hold one message mid-delivery, the seed commands, and people who sign
in and act over HTTP as a browser does without JavaScript."""

import asyncio
import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
from celery import Celery

from tests.smtp import SmtpSink
from tests.test_stack import BIN, REPO, stack_processes

SERVER = "postgres://postgres@127.0.0.1:5432"
HOLD_SECONDS = 20


class Database:
    """A fresh PostgreSQL database, dropped (connections and all) by `drop`."""

    def __init__(self):
        self.name = f"helpdesk_scale_{uuid.uuid4().hex[:8]}"
        self.url = f"{SERVER}/{self.name}"
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def count(self, sql: str, params: list | None = None) -> int:
        with psycopg.connect(self.url, autocommit=True) as conn:
            return conn.execute(sql, params).fetchone()[0]

    def drop(self) -> None:
        with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class Fleet:
    """The stack's processes by name: started, SIGKILLed one at a time, all stopped."""

    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs = env, logs
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *command: str) -> None:
        with (self.logs / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                [str(BIN / command[0]), *command[1:]],
                cwd=REPO,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, *command: str, stdin: str = "") -> dict:
        """A one-off command (migrate, a seed) to its end; its JSON output, if any."""
        done = subprocess.run(
            [str(BIN / command[0]), *command[1:]],
            cwd=REPO,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"{command} failed:\n{done.stderr[-3000:]}"
        lines = done.stdout.strip().splitlines()
        return json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}

    def pid(self, name: str) -> int:
        return self.processes[name].pid

    def kill(self, name: str) -> None:
        """SIGKILL: nothing in the process runs after this, no cleanup of any kind."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=10)

    def alive(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is None]

    def stop(self) -> dict[int, str]:
        """SIGTERM every process group, SIGKILL what is still there after 15 s; returns
        what outlived even that (none expected)."""
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        var_dir = Path(self.env["HELPDESK_VAR_DIR"])
        left = stack_processes(var_dir)
        for pid in left:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        return left

    def tail(self, name: str, lines: int = 30) -> str:
        text = (self.logs / f"{name}.log").read_text(errors="replace")
        return f"--- {name} ---\n" + "\n".join(text.splitlines()[-lines:])


class HoldingSink(SmtpSink):
    """The SMTP sink of tests/smtp.py that can hold one message before answering DATA:
    `hold_next_in_batch()` catches the next message sent on a connection that has already
    delivered one (a worker sending a batch), and keeps it unanswered until that
    connection drops. The client that is held is then known by its port."""

    def __init__(self):
        super().__init__()
        self.held = threading.Event()
        self.held_port = 0
        self._armed = False

    def hold_next_in_batch(self) -> None:
        self._armed = True

    async def handle_DATA(self, server, session, envelope):
        delivered = getattr(session, "delivered", 0)
        if self._armed and delivered >= 1:
            self._armed = False
            self.held_port = session.peer[1]
            self.held.set()
            # Until the client is gone: aiosmtpd cancels this handler when the connection
            # drops, so the message is never accepted, as with a real mail server. (A
            # client still there after HOLD_SECONDS gets its answer: the test then fails
            # on what it expected of the kill, not on a hung worker.)
            deadline = time.monotonic() + HOLD_SECONDS
            while time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        session.delivered = delivered + 1
        return await super().handle_DATA(server, session, envelope)


def pid_connected_from(pids: dict[str, int], local_port: int, remote_port: int) -> str:
    """Which of these processes (by name) holds the TCP connection from `local_port` to
    `remote_port` on 127.0.0.1 ("" when none does)."""
    wanted = f"0100007F:{local_port:04X} 0100007F:{remote_port:04X}"
    inodes = {
        line.split()[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if " ".join(line.split()[1:3]) == wanted
    }
    for name, pid in pids.items():
        with contextlib.suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with contextlib.suppress(OSError):
                    link = os.readlink(fd)
                    if link.startswith("socket:[") and link[8:-1] in inodes:
                        return name
    return ""


def send_tasks(broker_url: str, name: str, *, count: int) -> None:
    """Send a task `count` times at once, as more beats than one would."""
    app = Celery("scale-out", broker=broker_url, set_as_current=False)
    with app.connection_for_write() as connection:
        for _ in range(count):
            app.send_task(name, connection=connection)


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Person:
    """Someone with a browser of their own (its cookies), signed in through the sign-in
    form, acting against whichever web process each request names."""

    def __init__(self, email: str):
        self.email = email
        self.cookies: dict[str, str] = {}
        self._lock = threading.Lock()

    def request(self, base: str, method: str, path: str, form: dict | None = None):
        """One request, redirects not followed: (status, Location, body)."""
        address = urlsplit(base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        with self._lock:
            cookies = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        headers = {"Cookie": cookies} if cookies else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            for cookie in response.headers.get_all("Set-Cookie") or []:
                name, _, value = cookie.split(";", 1)[0].partition("=")
                with self._lock:
                    self.cookies[name] = value
            return response.status, response.headers.get("Location", ""), response.read()
        finally:
            connection.close()

    def sign_in(self, base: str, password: str) -> None:
        status, _, page = self.request(base, "GET", "/accounts/login/")
        assert status == 200, f"the sign-in page answered {status}"
        token = CSRF_INPUT.search(page.decode()).group(1)
        form = {"username": self.email, "password": password, "csrfmiddlewaretoken": token}
        status, location, _ = self.request(base, "POST", "/accounts/login/", form)
        assert status == 302 and "sessionid" in self.cookies, (
            f"{self.email} could not sign in: {status} to {location!r}"
        )

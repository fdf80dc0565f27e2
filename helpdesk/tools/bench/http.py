"""`bench pages` over HTTP: the pages timed in-process, requested again one at a time from
gunicorn as a browser asks for them (the session cookie; the CSRF token on a write), once
with persistent database connections (the default) and once opening a connection per
request (`DATABASE_CONN_MAX_AGE=0`, the setting before issue 23), to show what they save."""

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.management.base import CommandError

from . import measure
from .load import environment, wait_for

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Reads and writes, as `bench pages` names them: (name, session, path, headers, form); a
# request with a form is a POST.
Request = tuple[str, str, str, dict, dict | None]


@contextlib.contextmanager
def gunicorn(env: dict, *, workers: int) -> Iterator[int]:
    """gunicorn serving the helpdesk on a free loopback port, stopped on the way out."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bin_dir = Path(sys.executable).parent
    process = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "helpdesk.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--log-level", "warning"],
        env=env, cwd=settings.BASE_DIR, start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(port)
        yield port
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def call(port: int, method: str, path: str, headers: dict, body: str = ""):
    """One request on a connection of its own: the status, the body, the cookies set."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        cookies = [c.split(";", 1)[0] for c in response.headers.get_all("Set-Cookie") or []]
        return response.status, response.read().decode(), cookies
    finally:
        connection.close()


def time_requests(port: int, requests: list[Request], cookies: dict, *, runs: int) -> dict:
    """p50 and p95 of each request over `runs` after one that warms the worker. A write
    carries the CSRF token of a form on the page it is sent from, as a browser would."""
    results = {}
    for name, session, path, extra, form in requests:
        headers = {"Host": "127.0.0.1", "Cookie": cookies[session], **extra}
        method, body = ("POST", "") if form else ("GET", "")
        if form:
            _, page, set_cookies = call(port, "GET", path.rsplit("/", 2)[0] + "/", headers)
            headers |= {
                "Cookie": "; ".join([headers["Cookie"], *set_cookies]),
                "X-CSRFToken": CSRF_INPUT.search(page).group(1),
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{port}/",
            }
            body = urlencode(form)
        timings = []
        for run in range(runs + 1):
            started = time.perf_counter()
            status, _, _ = call(port, method, path, headers, body)
            if status != 200:
                raise CommandError(f"{name} over HTTP answered {status}")
            if run:
                timings.append(time.perf_counter() - started)
        timings.sort()
        results[name] = {
            "p50_ms": round(1000 * statistics.median(timings), 1),
            "p95_ms": round(1000 * timings[max(int(0.95 * len(timings)) - 1, 0)], 1),
        }
    return results


def bench_http(requests: list[Request], sessions: dict, *, runs: int, out) -> dict:
    """Each request over HTTP through one gunicorn worker, with and without persistent
    database connections."""
    run_dir = Path(tempfile.mkdtemp(prefix="http-", dir=measure.folder()))
    env = environment(run_dir, agents=0, customers=0)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env, cwd=settings.BASE_DIR, check=True,
    )  # fmt: skip
    cookies = {who: f"{settings.SESSION_COOKIE_NAME}={key}" for who, key in sessions.items()}
    figures = {}
    for label, max_age in (("persistent", "600"), ("per request", "0")):
        with gunicorn(env | {"DATABASE_CONN_MAX_AGE": max_age}, workers=1) as port:
            figures[label] = time_requests(port, requests, cookies, runs=runs)
    out.write("  over HTTP, one gunicorn worker: persistent connections | one per request")
    for name, *_ in requests:
        kept, fresh = figures["persistent"][name], figures["per request"][name]
        out.write(
            f"  {name:<30} p50 {kept['p50_ms']:>7.1f} ms  p95 {kept['p95_ms']:>7.1f} ms  | "
            f"p50 {fresh['p50_ms']:>7.1f} ms  p95 {fresh['p95_ms']:>7.1f} ms"
        )
    return {
        name: {
            "persistent": figures["persistent"][name],
            "per_request": figures["per request"][name],
        }
        for name, *_ in requests
    }

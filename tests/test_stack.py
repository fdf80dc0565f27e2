"""`make run`'s embedded default: web, worker and beat on SQLite and a filesystem broker,
with no server to install, started and stopped by one command."""

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.smtp import free_port

pytestmark = pytest.mark.stack

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(
        HELPDESK_VAR_DIR=str(var_dir),
        DEBUG="1",
        HOST="127.0.0.1",
        HEARTBEAT_INTERVAL="2",
        WEB_CONCURRENCY="1",
        CELERY_CONCURRENCY="1",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
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


def group_is_gone(pgid: int, leader: subprocess.Popen) -> bool:
    leader.poll()  # reap honcho, or its zombie keeps the group alive
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_embedded_stack_starts_reports_healthy_and_stops_on_ctrl_c(tmp_path):
    var_dir = tmp_path / "var"
    env = embedded_env(var_dir)
    stray_control = REPO / "control"
    had_stray_control = stray_control.exists()
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        done = subprocess.run(
            [str(BIN / "python"), "manage.py", *command],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"manage.py {command[0]} failed:\n{done.stderr}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "honcho.log"
    with log_path.open("wb") as log:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "start", "-f", "helpdesk/Procfile", "-d", ".", "-p", str(port)],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    pgid = honcho.pid

    def log_tail() -> str:
        return "\n".join(log_path.read_text(errors="replace").splitlines()[-40:])

    try:
        status, _ = poll(f"{base}/accounts/login/", lambda s, b: s == 200, timeout=60)
        assert status == 200, f"the login page did not answer:\n{log_tail()}"

        status, body = poll(
            f"{base}/healthz",
            lambda s, b: s == 200 and json.loads(b)["worker"]["ok"],
            timeout=60,
        )
        assert status == 200, f"/healthz stayed unhealthy: {body!r}\n{log_tail()}"
        health = json.loads(body)
        assert health["database"]["vendor"] == "sqlite"
        assert health["broker"]["transport"] == "filesystem"

        # Everything the stack writes stays in its var folder, nothing in the checkout.
        assert (var_dir / "helpdesk.sqlite3").exists()
        assert (var_dir / "broker" / "control").is_dir()
        assert had_stray_control or not stray_control.exists()

        os.killpg(pgid, signal.SIGINT)  # what Ctrl-C in `make run` does
        deadline = time.monotonic() + 20
        while not group_is_gone(pgid, honcho) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert group_is_gone(pgid, honcho), (
            f"processes still running 20 s after Ctrl-C:\n{log_tail()}"
        )
    finally:
        if not group_is_gone(pgid, honcho):
            os.killpg(pgid, signal.SIGKILL)
        honcho.wait(timeout=10)

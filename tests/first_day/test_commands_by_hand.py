"""Commands a newcomer runs by hand, exactly as the README shows them, on a checkout with
nothing configured: they use the development defaults, as `make run` does; a host that
sets SECRET_KEY gets production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent.parent
MESSAGE = b"""From: Someone New <new.person@example.test>
To: support@helpdesk.localhost
Subject: The scanner is offline
Message-ID: <first-day-1@example.test>

It stopped this morning.
"""


def bare_env(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh terminal: no DEBUG, no SECRET_KEY, no database URL."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DATABASE_", "CELERY_", "REDIS_", "DJANGO_"))
        and name not in ("DEBUG", "SECRET_KEY", "SITE_URL")
    }
    return {**env, "HELPDESK_VAR_DIR": str(var_dir), **extra}


def manage(*args: str, env: dict[str, str], stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_ingest_email_runs_by_hand_with_nothing_configured(tmp_path):
    env = bare_env(tmp_path / "var")
    assert manage("migrate", "--noinput", env=env).returncode == 0
    message = tmp_path / "scanner.eml"
    message.write_bytes(MESSAGE)

    done = manage("ingest_email", str(message), env=env)

    assert done.returncode == 0, done.stderr.decode()
    assert b"SECRET_KEY" not in done.stderr
    assert b"scanner.eml" in done.stdout
    assert b"quarantined" in done.stdout.lower()  # a stranger's mail waits for an agent


def test_a_host_that_sets_its_secret_key_gets_production_settings(tmp_path):
    show = "from django.conf import settings; print(settings.DEBUG)"
    development = manage("shell", "-c", show, env=bare_env(tmp_path / "var"))
    assert development.stdout.split()[-1] == b"True", development.stderr.decode()

    production = manage("shell", "-c", show, env=bare_env(tmp_path / "var", SECRET_KEY="x" * 50))
    assert production.stdout.split()[-1] == b"False", production.stderr.decode()

    refused = manage("shell", "-c", show, env=bare_env(tmp_path / "var", DEBUG="0"))
    assert refused.returncode != 0
    assert b"SECRET_KEY must be set when DEBUG is off" in refused.stderr

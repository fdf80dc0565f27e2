"""Both modes at once: the baseline runs in a second process, on a PostgreSQL database of
its own beside the simulation's (`<name>_baseline`, created and migrated if missing),
while this process runs the normal mode. Two runs in one database would queue behind
each other: each is one long transaction writing the same world (the same people, the
same policies).

The second process is `manage.py simulate --baseline` with the same world; it writes its
outcome as JSON, which this process reads back for the side-by-side report.
"""

import json
import os
import subprocess
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings

from .config import Outcome


class ParallelError(RuntimeError):
    """The second process failed; the message carries the end of what it said."""


def sibling_url(url: str, suffix: str = "_baseline") -> str:
    """The same server and credentials, another database name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path=f"/{name}{suffix}"))


def can_run_beside() -> bool:
    """A second process needs the database named by DATABASE_URL (the one this process
    uses) and PostgreSQL."""
    url = os.environ.get("DATABASE_URL", "")
    database = settings.DATABASES["default"]
    return url.startswith("postgres") and urlsplit(url).path.lstrip("/") == database["NAME"]


@dataclass
class Beside:
    """The baseline's process, started."""

    process: subprocess.Popen
    json_path: Path


def start_baseline(options: list[str], *, seed: int) -> Beside:
    """Prepare the baseline's database (created and migrated if missing: quick once it
    exists), then start its run; returns as soon as it runs."""
    env = {**os.environ, "DATABASE_URL": sibling_url(os.environ["DATABASE_URL"])}
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    for command in (["create_database"], ["migrate", "--noinput", "-v0"]):
        done = subprocess.run(
            [*manage, *command], env=env, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise ParallelError(f"Preparing the baseline's database failed:\n{done.stderr}")
    process = subprocess.Popen(
        [*manage, "simulate", "--baseline", *options],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return Beside(process, Path(settings.VAR_DIR) / "sim" / f"baseline-seed{seed}.json")


def finish(beside: Beside) -> tuple[Outcome, float]:
    """Wait for the baseline; its outcome and how long its run took."""
    said, _ = beside.process.communicate()
    if beside.process.returncode != 0:
        tail = "\n".join(said.strip().splitlines()[-15:])
        raise ParallelError(f"The baseline's process failed:\n{tail}")
    data = json.loads(beside.json_path.read_text())
    known = {f.name for f in fields(Outcome)}
    return Outcome(**{k: v for k, v in data.items() if k in known}), data.get("seconds", 0.0)

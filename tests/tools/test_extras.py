"""The tools' extras (time-machine, locust) come with `pip install -e '.[tools]'`, not with
the product: without them the commands say how to get them in one line, and the product's
own commands do not notice."""

import io
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case

ROOT = Path(__file__).resolve().parents[2]
HINT = "needs the tools extras: run `make {target}` or `pip install -e '.[tools]'`."


@pytest.fixture
def without(monkeypatch):
    """Make `import <name>` fail as it does where the extras are not installed."""

    def hide(*names):
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


@pytest.mark.django_db
def test_simulate_without_time_machine_says_how_to_get_it(without):
    without("time_machine")

    with pytest.raises(CommandError) as refused:
        call_command("simulate", "--weeks", "0.1")

    assert str(refused.value) == "The simulation " + HINT.format(target="simulate")
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_bench_load_without_locust_says_how_to_get_it(without, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    without("locust")

    for target in ("load", "all"):
        with pytest.raises(CommandError) as refused:
            call_command("bench", target, "--cases", "10")
        assert str(refused.value) == "The load benchmark " + HINT.format(target="tools")
    assert not Case.objects.exists()  # refused before seeding anything


@pytest.mark.django_db
def test_bench_targets_without_load_need_no_extra(without, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    without("locust", "time_machine")
    out = io.StringIO()

    call_command("bench", "sla", "--cases", "40", "--open-share", "0.5", "--runs", "1",
                 "--due-now", "2", stdout=out)  # fmt: skip

    assert "SLA sweep: 2 cases at a threshold" in out.getvalue()


def manage(*args: str) -> subprocess.CompletedProcess:
    """`python manage.py <args>` in a fresh interpreter where the extras cannot be imported."""
    script = (
        "import runpy, sys\n"
        "sys.modules['time_machine'] = sys.modules['locust'] = None\n"
        f"sys.argv = ['manage.py', *{list(args)!r}]\n"
        "runpy.run_path('manage.py', run_name='__main__')\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_the_hint_is_one_line_on_the_terminal_without_a_traceback():
    done = manage("simulate", "--weeks", "1")

    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "CommandError: The simulation " + HINT.format(target="simulate")
    ]


def test_the_product_and_every_command_load_without_the_extras():
    done = manage("check")
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout

    done = manage("help", "--commands")
    assert done.returncode == 0, done.stderr
    for command in ("bench", "simulate", "seed_demo", "ingest_email", "migrate"):
        assert command in done.stdout.split()
    # Each command's module loads (its options are read) without the extras.
    for command in ("bench", "simulate", "seed_demo", "ingest_email"):
        done = manage(command, "--help")
        assert done.returncode == 0, done.stderr
        assert "usage: manage.py " + command in done.stdout


def test_the_suite_installs_the_tools_extras_at_the_same_versions():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]

    assert {pin.partition("==")[0] for pin in extras["tools"]} == {"time-machine", "locust"}
    assert set(extras["tools"]) <= set(extras["dev"])  # the same pins

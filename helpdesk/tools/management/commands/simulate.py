"""`python manage.py simulate --weeks 2 --cases-per-day 120 --seed 42 [--baseline|--normal]`.

Drives the real services, SLA sweep and outbox through simulated weeks, then prints the
outcomes a customer would feel: the product beside the baseline (the same seed without
what makes it different), unless one mode is asked for; the two modes run at once, the
baseline in a second process on a database of its own (`--one-process` runs them one
after the other). JSON and SVG charts go to
var/sim/. Each run is rolled back: the database is left as it was. Every parameter of the
world (`helpdesk.tools.simulation.Config`) can be set in a TOML file given with
`--config`; the options above override it. Needs the tools extras (`make tools`).
"""

import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Case
from helpdesk.tools import extras
from helpdesk.tools.simulation import (
    Config,
    ConfigError,
    load_settings,
    parallel,
    simulate,
    summary,
)


class Command(BaseCommand):
    help = "Simulate weeks of support work on the real product and report the outcomes."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=float, help="default 2")
        parser.add_argument("--cases-per-day", type=int, help="weekdays; default 120")
        parser.add_argument("--seed", type=int, help="default 42")
        parser.add_argument(
            "--config", type=Path, help="a TOML file setting any world parameter (see Config)"
        )
        modes = parser.add_mutually_exclusive_group()
        modes.add_argument(
            "--compare", action="store_true", help="both modes side by side (the default)"
        )
        modes.add_argument(
            "--baseline", action="store_true", help="only the baseline: without our differences"
        )
        modes.add_argument("--normal", action="store_true", help="only the product as it is")
        parser.add_argument(
            "--force", action="store_true", help="run even if the database holds cases"
        )
        parser.add_argument(
            "--one-process",
            action="store_true",
            help="both modes one after the other, here (by default the baseline runs at "
            "the same time in a second process, on the database <name>_baseline)",
        )

    def handle(self, *args, baseline, normal, compare, force, config, one_process, **options):
        extras.require("time_machine", what="The simulation", make_target="simulate")
        if connection.vendor != "postgresql":
            raise CommandError("The simulation runs on PostgreSQL (set DATABASE_URL).")
        if Case.objects.exists() and not force:
            raise CommandError(
                "This database holds cases. Run the simulation on a fresh database, or pass "
                "--force (the run is rolled back, but it reads alongside the real data)."
            )
        try:
            world_settings = load_settings(config, options)
        except ConfigError as exc:
            raise CommandError(str(exc)) from exc
        modes = [True] if baseline else [False] if normal else [False, True]
        outcomes = []
        beside = None
        if len(modes) == 2 and not one_process and parallel.can_run_beside():
            try:
                beside = parallel.start_baseline(
                    self.child_options(world_settings, config=config, force=force),
                    seed=world_settings["seed"],
                )
            except parallel.ParallelError as exc:
                raise CommandError(str(exc)) from exc
            modes = [False]
        for mode in modes:
            world = Config(**{**world_settings, "baseline": mode})
            started = time.monotonic()
            try:
                outcome = simulate(world)
            except BaseException:
                if beside is not None:
                    beside.process.kill()
                raise
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{outcome.mode}: {world.weeks:g} weeks at {world.cases_per_day} cases a day "
                f"simulated in {seconds:.0f} s"
            )
            outcomes.append((outcome, seconds))
        if beside is not None:
            try:
                outcome, seconds = parallel.finish(beside)
            except parallel.ParallelError as exc:
                raise CommandError(str(exc)) from exc
            world = Config(**{**world_settings, "baseline": True})
            self.stdout.write(
                f"{outcome.mode}: {world.weeks:g} weeks at {world.cases_per_day} cases a day "
                f"simulated in {seconds:.0f} s (beside, in a second process)"
            )
            outcomes.append((outcome, seconds))
        for line in summary.table([o for o, _s in outcomes]):
            self.stdout.write(line)
        for line in summary.violations([o for o, _s in outcomes]):
            self.stdout.write(self.style.ERROR(line))
        folder, seed = Path(settings.VAR_DIR) / "sim", world_settings["seed"]
        for outcome, seconds in outcomes:
            path = summary.write(outcome, seconds=seconds, seed=seed, folder=folder)
            self.stdout.write(f"Written to {path} (and two .svg charts)")

    @staticmethod
    def child_options(world_settings: dict, *, config, force: bool) -> list[str]:
        """The second process's options: the same world."""
        options = [
            "--weeks", str(world_settings["weeks"]),
            "--cases-per-day", str(world_settings["cases_per_day"]),
            "--seed", str(world_settings["seed"]),
        ]  # fmt: skip
        if config is not None:
            options += ["--config", str(config)]
        return [*options, "--force"] if force else options

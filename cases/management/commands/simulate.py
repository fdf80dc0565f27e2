"""`python manage.py simulate --weeks 8 --cases-per-day 200 --seed 42 [--baseline|--normal]`.

Drives the real services, SLA sweep and outbox through simulated weeks, then prints the
outcomes a customer would feel: the product beside the baseline (the same seed without
what makes it different), unless one mode is asked for. JSON and SVG charts go to
var/sim/. Each run is rolled back: the database is left as it was. Every parameter of the
world (`cases.simulation.Config`) can be set in a TOML file given with `--config`; the
options above override it.
"""

import dataclasses
import json
import time
import tomllib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases import charts
from cases.models import Case
from cases.simulation import Config, as_dict, simulate

ROWS = [
    ("cases handled", lambda o: o.cases),
    ("time to owner, minutes p50 / p90 / max", lambda o: _spread(o.time_to_owner_minutes)),
    ("deadline breaches", lambda o: o.breaches),
    ("  of which the customer was not told first", lambda o: o.surprises),
    ("surprise rate", lambda o: _percent(o.surprise_rate)),
    ("promises made / kept", lambda o: f"{o.promises} / {_percent(o.promises_kept_share)}"),
    ("customer emails per case p50 / p90 / max", lambda o: _spread(o.emails_per_case)),
    ("emails outside the owner's voice", lambda o: o.emails_outside_owner_voice),
    ('"can I close it?" per case p50 / p90 / max', lambda o: _spread(o.close_questions_per_case)),
    ("reopen rate", lambda o: _percent(o.reopen_rate)),
    ("closed by confirmation / timeout / owner",
     lambda o: f"{o.closed_by_confirmation} / {o.closed_by_timeout} / {o.closed_by_owner}"),
    ("bounced cases", lambda o: o.bounced),
    ("open cases without an owner (max at any tick)", lambda o: o.max_open_without_owner),
    ("new cases awaiting triage (max at any tick)", lambda o: o.max_untriaged),
    ("duplicate notices", lambda o: o.duplicate_notices),
]  # fmt: skip


def _spread(values: dict) -> str:
    return " / ".join(
        "—" if values.get(k) is None else f"{values[k]:g}" for k in ("p50", "p90", "max")
    )


def _percent(value) -> str:
    return "—" if value is None else f"{value:g}%"


class Command(BaseCommand):
    help = "Simulate weeks of support work on the real product and report the outcomes."

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=float, help="default 8")
        parser.add_argument("--cases-per-day", type=int, help="weekdays; default 200")
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

    def handle(self, *args, baseline, normal, compare, force, config, **options):
        if connection.vendor != "postgresql":
            raise CommandError("The simulation runs on PostgreSQL (set DATABASE_URL).")
        if Case.objects.exists() and not force:
            raise CommandError(
                "This database holds cases. Run the simulation on a fresh database, or pass "
                "--force (the run is rolled back, but it reads alongside the real data)."
            )
        settings_ = self._settings(config, options)
        modes = [True] if baseline else [False] if normal else [False, True]
        outcomes = []
        for mode in modes:
            world = Config(**{**settings_, "baseline": mode})
            started = time.monotonic()
            outcome = simulate(world)
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{outcome.mode}: {world.weeks:g} weeks at {world.cases_per_day} cases a day "
                f"simulated in {seconds:.0f} s"
            )
            outcomes.append((outcome, seconds))
        self._table([o for o, _s in outcomes])
        self._write(outcomes, settings_["seed"])

    def _settings(self, path: Path | None, options: dict) -> dict:
        """Config defaults, then the file, then the command line."""
        known = {f.name for f in dataclasses.fields(Config)} - {"baseline"}
        found = {}
        if path is not None:
            try:
                found = tomllib.loads(path.read_text())
            except (OSError, tomllib.TOMLDecodeError) as exc:
                raise CommandError(f"Cannot read {path}: {exc}") from exc
            unknown = sorted(set(found) - known)
            if unknown:
                raise CommandError(
                    f"{path}: unknown setting(s) {', '.join(unknown)}; "
                    f"known: {', '.join(sorted(known))}"
                )
        for name in ("weeks", "cases_per_day", "seed"):
            if options.get(name) is not None:
                found[name] = options[name]
        defaults = dataclasses.asdict(Config())
        for name, value in found.items():
            if type(value) is not type(defaults[name]) and not (
                isinstance(defaults[name], float) and isinstance(value, int)
            ):
                raise CommandError(f"{name} should be like {defaults[name]!r}, not {value!r}")
        return {**{k: v for k, v in defaults.items() if k != "baseline"}, **found}

    def _table(self, outcomes) -> None:
        width = max(len(label) for label, _f in ROWS) + 2
        header = "".join(f"{o.mode:>22}" for o in outcomes)
        self.stdout.write(f"{'':<{width}}{header}")
        for label, figure in ROWS:
            cells = "".join(f"{figure(o)!s:>22}" for o in outcomes)
            self.stdout.write(f"{label:<{width}}{cells}")
        for outcome in outcomes:
            for violation in outcome.invariant_violations[:10]:
                self.stdout.write(self.style.ERROR(f"{outcome.mode}: {violation}"))

    def _write(self, outcomes, seed: int) -> None:
        folder = Path(settings.VAR_DIR) / "sim"
        folder.mkdir(parents=True, exist_ok=True)
        for outcome, seconds in outcomes:
            path = folder / f"{outcome.mode}-seed{seed}.json"
            path.write_text(json.dumps({**as_dict(outcome), "seconds": seconds}, indent=2))
            svg = charts.bar_chart(
                [
                    ("breaches", float(outcome.breaches)),
                    ("surprises", float(outcome.surprises)),
                    ("outside voice", float(outcome.emails_outside_owner_voice)),
                    ("bounced", float(outcome.bounced)),
                    ("confirmed", float(outcome.closed_by_confirmation)),
                    ("timed out", float(outcome.closed_by_timeout)),
                ],
                title=f"Simulated outcomes ({outcome.mode}, seed {seed})",
            )
            (folder / f"{outcome.mode}-seed{seed}.svg").write_text(str(svg))
            ticks = outcome.ticks
            open_chart = charts.line_chart(
                [
                    ("open cases", [row[1] for row in ticks]),
                    ("open, no active owner", [row[2] for row in ticks]),
                    ("awaiting triage", [row[3] for row in ticks]),
                ],
                title=f"Cases at every tick ({outcome.mode}, seed {seed})",
            )
            (folder / f"{outcome.mode}-seed{seed}-ticks.svg").write_text(str(open_chart))
            self.stdout.write(f"Written to {path} (and two .svg charts)")

"""What a simulated world is made of (`Config`), what a run measures (`Outcome`), and how
a TOML file and the command line set the world's parameters."""

import dataclasses
import statistics
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

START = datetime(2027, 1, 4, 7, 0, tzinfo=UTC)  # a Monday morning
DEPARTMENTS = ["Support", "Software", "Hardware", "Parts", "Warranty"]
PROBLEMS = [
    "Laptop battery does not charge", "Printer jams on every job", "VPN drops every hour",
    "Invoice shows the wrong amount", "Password reset email never arrives",
    "Monitor flickers on the docking station", "Order arrived damaged",
    "Cannot export the monthly report", "Phone app crashes at login", "Water leak in the kitchen",
]  # fmt: skip
RELEASE_PROBLEM = "Web program shows an error page after sign in"


@dataclass
class Config:
    # The default world: big enough that its headline figures hold from one seed to
    # another, small enough that both modes (at once, in two processes) run in under 10
    # minutes on 2 cores.
    weeks: float = 2.0
    cases_per_day: int = 120
    seed: int = 42
    baseline: bool = False
    organizations: int = 4
    customers_per_organization: int = 40
    agents_per_department: int = 6
    # Support, where new cases start, has one agent per this many new cases a weekday
    # (at least agents_per_department): cases stay with their owner for days.
    new_cases_per_support_agent: int = 4
    capacity: int = 15  # every agent's (User.capacity): active cases routing gives them
    absences_per_week: int = 2  # Support agents out of office 1-3 weekdays, with a cover
    tick_minutes: int = 30
    p_handoff: float = 0.35
    p_decline: float = 0.15
    p_wait: float = 0.2
    p_still_broken: float = 0.12  # a fix that does not hold (the customer finds out)
    p_never_confirms: float = 0.1
    p_owner_tells_delay: float = 0.5
    p_prefers_phone: float = 0.2  # customers who would rather be called than written to
    p_owner_calls: float = 0.7  # owners who make the call the desk asks of them in time
    p_call_reached: float = 0.6  # calls that reach the customer (else no answer)
    p_customer_chases: float = 0.5  # customers who ask for news once our time has passed
    release_day: int = 10
    deactivate_day: int = 20


@dataclass
class Outcome:
    mode: str
    cases: int = 0
    time_to_owner_business_minutes: dict = field(default_factory=dict)
    # Active cases (every case not closed) per Support agent, over agents and ticks.
    active_cases_per_agent: dict = field(default_factory=dict)
    max_over_capacity: int = 0  # cases beyond their owners' capacity, at the worst tick
    breaches: int = 0
    surprises: int = 0
    surprise_rate: float | None = None
    promises: int = 0
    promises_kept_share: float | None = None
    emails_per_case: dict = field(default_factory=dict)
    emails_outside_owner_voice: int = 0
    updates_overtaken: int = 0
    close_questions_per_case: dict = field(default_factory=dict)
    reopen_rate: float | None = None
    closed_by_confirmation: int = 0
    closed_by_timeout: int = 0
    closed_by_owner: int = 0
    # Closures while the customer's problem was still broken (the simulated truth).
    false_closures: int = 0
    absences: int = 0
    absences_handed_over: int = 0
    bounced: int = 0
    max_open_without_owner: int = 0
    max_untriaged: int = 0
    # At every tick: [simulated time, open cases, open without an active owner, untriaged,
    # the busiest agent's active cases, cases over capacity].
    ticks: list = field(default_factory=list)
    invariant_violations: list = field(default_factory=list)
    duplicate_notices: int = 0
    call_tasks: int = 0  # calls the desk asked owners to make before a deadline
    calls: int = 0  # calls owners made
    calls_reached: int = 0
    chases: int = 0  # "any news?" from customers
    cases_chased: int = 0
    chased_before_told: int = 0  # missed deadlines where the customer asked first
    chased_before_told_rate: float | None = None


def as_dict(outcome: Outcome) -> dict:
    return dataclasses.asdict(outcome)


def spread(values: list[float]) -> dict:
    if not values:
        return {"p50": None, "p90": None, "max": None}
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 1),
        "p90": round(ordered[max(round(0.9 * len(ordered)) - 1, 0)], 1),
        "max": round(ordered[-1], 1),
    }


class ConfigError(ValueError):
    """A world file or an option the simulation cannot use; the message says why."""


def load_settings(path: Path | None, options: dict) -> dict:
    """Every parameter of the world but the mode: Config defaults, then the TOML file,
    then the command line (`weeks`, `cases_per_day`, `seed`)."""
    known = {f.name for f in dataclasses.fields(Config)} - {"baseline"}
    found = {}
    if path is not None:
        try:
            found = tomllib.loads(path.read_text())
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"Cannot read {path}: {exc}") from exc
        unknown = sorted(set(found) - known)
        if unknown:
            raise ConfigError(
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
            raise ConfigError(f"{name} should be like {defaults[name]!r}, not {value!r}")
    return {**{k: v for k, v in defaults.items() if k != "baseline"}, **found}

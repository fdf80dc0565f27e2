"""How `manage.py simulate` shows its outcomes: a table of the modes side by side on the
terminal, and JSON and SVG charts under var/sim/."""

import json
from pathlib import Path

from cases import charts

from .config import Outcome, as_dict


def spread_cell(values: dict) -> str:
    return " / ".join(
        "—" if values.get(k) is None else f"{values[k]:g}" for k in ("p50", "p90", "max")
    )


def percent(value) -> str:
    return "—" if value is None else f"{value:g}%"


ROWS = [
    ("cases handled", lambda o: o.cases),
    ("time to owner, business minutes p50 / p90 / max",
     lambda o: spread_cell(o.time_to_owner_business_minutes)),
    ("active cases per Support agent p50 / p90 / max",
     lambda o: spread_cell(o.active_cases_per_agent)),
    ("cases over their owner's capacity (max at any tick)", lambda o: o.max_over_capacity),
    ("agents out of office / their cases handed over",
     lambda o: f"{o.absences} / {o.absences_handed_over}"),
    ("deadline breaches", lambda o: o.breaches),
    ("  of which the customer was not told first", lambda o: o.surprises),
    ("surprise rate", lambda o: percent(o.surprise_rate)),
    ("promises made / kept", lambda o: f"{o.promises} / {percent(o.promises_kept_share)}"),
    ("customer emails per case p50 / p90 / max", lambda o: spread_cell(o.emails_per_case)),
    ("calls asked of owners / made / reached",
     lambda o: f"{o.call_tasks} / {o.calls} / {o.calls_reached}"),
    ('"any news?" from customers / cases chased', lambda o: f"{o.chases} / {o.cases_chased}"),
    ("missed deadlines chased before we told", lambda o: o.chased_before_told),
    ("chased-before-told rate", lambda o: percent(o.chased_before_told_rate)),
    ("emails outside the owner's voice", lambda o: o.emails_outside_owner_voice),
    ("updates overtaken before they left (not sent)", lambda o: o.updates_overtaken),
    ('"can I close it?" per case p50 / p90 / max',
     lambda o: spread_cell(o.close_questions_per_case)),
    ("reopen rate (per fix offered)", lambda o: percent(o.reopen_rate)),
    ("closed by confirmation / timeout / owner",
     lambda o: f"{o.closed_by_confirmation} / {o.closed_by_timeout} / {o.closed_by_owner}"),
    ("closed while still broken", lambda o: o.false_closures),
    ("bounced cases", lambda o: o.bounced),
    ("open cases without an owner (max at any tick)", lambda o: o.max_open_without_owner),
    ("new cases awaiting triage (max at any tick)", lambda o: o.max_untriaged),
    ("duplicate notices", lambda o: o.duplicate_notices),
]  # fmt: skip


def table(outcomes: list[Outcome]) -> list[str]:
    """One line per figure, one column per mode."""
    width = max(len(label) for label, _f in ROWS) + 2
    header = "".join(f"{o.mode:>22}" for o in outcomes)
    lines = [f"{'':<{width}}{header}"]
    for label, figure in ROWS:
        cells = "".join(f"{figure(o)!s:>22}" for o in outcomes)
        lines.append(f"{label:<{width}}{cells}")
    return lines


def violations(outcomes: list[Outcome], *, most: int = 10) -> list[str]:
    return [
        f"{outcome.mode}: {violation}"
        for outcome in outcomes
        for violation in outcome.invariant_violations[:most]
    ]


def write(outcome: Outcome, *, seconds: float, seed: int, folder: Path) -> Path:
    """The outcome as JSON, its figures and its open cases at every tick as SVG charts;
    the JSON file's path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{outcome.mode}-seed{seed}.json"
    path.write_text(json.dumps({**as_dict(outcome), "seconds": seconds}, indent=2))
    svg = charts.bar_chart(
        [
            ("breaches", float(outcome.breaches)),
            ("surprises", float(outcome.surprises)),
            ("outside voice", float(outcome.emails_outside_owner_voice)),
            ("bounced", float(outcome.bounced)),
            ("closed broken", float(outcome.false_closures)),
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
            ("busiest agent's active cases", [row[4] for row in ticks]),
        ],
        title=f"Cases at every tick ({outcome.mode}, seed {seed})",
    )
    (folder / f"{outcome.mode}-seed{seed}-ticks.svg").write_text(str(open_chart))
    return path

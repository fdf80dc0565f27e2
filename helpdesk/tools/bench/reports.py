"""`bench reports`: every report a manager opens, timed through Django's test client."""

from django.test import Client
from django.urls import reverse

from . import measure

GOAL_MS = 300
REPORTS = ["index", "unowned", "time_to_owner", "bounces", "sla", "promises", "quality", "voice"]


def bench_reports(people: dict, *, runs: int, out) -> dict:
    client = Client()
    client.force_login(people["manager"])
    results = {}
    with measure.plain_static():
        for name in REPORTS:
            url = reverse(f"reports:{name}")
            results[name] = measure.time_call(lambda u=url: client.get(u), runs, name=url)
            out.write(measure.line(name, results[name], goal_ms=GOAL_MS))
    return {"reports": results}

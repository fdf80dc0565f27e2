"""Demo data: the people, organisations and departments that replay DESIGN.md's stories.

Every function is idempotent: rows are looked up by a natural key and created only when
missing, so a second run changes nothing.
"""

from cases.demo.people import DEMO_PASSWORD, demo_logins, seed_people, seed_sla
from cases.demo.stories import seed_cases

__all__ = ["DEMO_PASSWORD", "demo_logins", "seed_cases", "seed_people", "seed_sla"]

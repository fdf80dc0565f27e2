"""The reports a manager reads, with the teams of the laptop story, the SLA policies and a
frozen clock the test moves (never a sleep), all from tests/conftest.py.

Every figure a report shows is made by the real services (cases.services, cases.handoffs,
cases.services.sla_steps, the SLA sweep), except in the query-count tests, which bulk-create
history rows to reach hundreds of cases quickly."""

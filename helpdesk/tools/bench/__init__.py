"""`manage.py bench`: seed N cases with their history in bulk, then time the SLA sweep
(`sla.py`), the pages (`pages.py`), the reports (`reports.py`) and a support floor under
load (`load.py`); figures against their goals (`measure.py`)."""

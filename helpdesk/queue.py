"""Enqueue Celery tasks by name, never by importing the task module.

Services and the outbox hand work to the workers through here, so no product module
imports `*.tasks` (the tasks import the services, and only in that direction). A broker
that is down never fails the caller: the row the task would act on stays, and a periodic
re-drive sends it later.
"""

import logging
from functools import partial

from django.db import transaction

from helpdesk.celery import app

log = logging.getLogger(__name__)

DELIVER_NOTICE = "notifications.tasks.deliver_notice"
DELIVER_NOTICES = "notifications.tasks.deliver_notices"
FAN_OUT_INCIDENT_UPDATE = "cases.tasks.fan_out_incident_update"
DELIVER_WEBHOOKS = "helpdesk.api.tasks.deliver_webhooks"


def send_now(name: str, *args) -> bool:
    """Send one task at once; False (and a warning) when the broker cannot take it."""
    try:
        with app.pool.acquire(block=True) as connection:
            # One attempt: kombu would otherwise retry the connection for seconds, holding
            # up the request (or the sweep) that wrote the row.
            connection.ensure_connection(max_retries=0)
            app.send_task(name, args=args, connection=connection)
    except Exception:  # the broker is down: the re-drive will pick the row up
        log.warning("Could not enqueue %s%r; the re-drive will", name, args)
        return False
    return True


def after_commit(name: str, *args) -> None:
    """Send the task once the caller's transaction commits (at once outside one)."""
    transaction.on_commit(partial(send_now, name, *args), robust=True)

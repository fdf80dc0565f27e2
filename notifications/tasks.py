"""Celery tasks: thin wrappers that take IDs and call a function; safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready

from notifications import health


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self) -> None:
    """Beat sends this every HEARTBEAT_INTERVAL seconds; the worker that runs it says hello."""
    health.record_heartbeat(hostname=self.request.hostname or "unknown")


@worker_ready.connect
def announce_worker(sender, **kwargs) -> None:
    # Say hello as soon as a worker starts, rather than waiting for beat's first tick.
    record_heartbeat.delay()

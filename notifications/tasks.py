"""Celery tasks: thin wrappers that take IDs and call a function; safe to run twice."""

from celery import shared_task
from celery.signals import worker_ready

from notifications import delivery, health, imap, outbox, sweep


@shared_task(bind=True, ignore_result=True)
def record_heartbeat(self) -> None:
    """Beat sends this every HEARTBEAT_INTERVAL seconds; the worker that runs it says hello."""
    health.record_heartbeat(hostname=self.request.hostname or "unknown")


@worker_ready.connect
def announce_worker(sender, **kwargs) -> None:
    # Say hello as soon as a worker starts, rather than waiting for beat's first tick.
    record_heartbeat.delay()


@shared_task(
    bind=True,
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=60,
    time_limit=90,
)
def deliver_notice(self, notice_id: int) -> None:
    """Send one outbox email (merged with its waiting siblings). Idempotent."""
    delivery.deliver(notice_id)


@shared_task(
    ignore_result=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=240,
    time_limit=300,
)
def deliver_notices(notice_ids: list[int]) -> None:
    """Send several outbox emails over one connection (the sweep and the re-drive enqueue
    notices in chunks). Idempotent."""
    delivery.deliver_many(notice_ids)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def redrive_notices() -> None:
    """Beat, every minute: resend what a dead worker or lost message left pending, in
    chunks (a backlog after a mail-server outage goes out over few connections)."""
    outbox.enqueue_many(delivery.redrive())


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def sla_sweep() -> None:
    """Beat, every minute: warn owners, tell customers before deadlines, record breaches."""
    sweep.run_sweep()


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def poll_imap() -> None:
    """Beat, every IMAP_POLL_INTERVAL: receive new mail from the configured mailbox."""
    imap.poll()

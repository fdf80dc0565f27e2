"""Celery tasks of the webhooks: thin, by id, safe to run twice."""

from celery import shared_task

from helpdesk.api import webhooks


@shared_task(ignore_result=True, acks_late=True, reject_on_worker_lost=True,
             soft_time_limit=240, time_limit=300)  # fmt: skip
def deliver_webhooks(delivery_ids: list[int]) -> None:
    """POST each delivery whose time has come (each at most TIMEOUT_SECONDS)."""
    for pk in delivery_ids:
        webhooks.deliver(pk)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def redrive_webhooks() -> None:
    """Beat, every minute: retries that are due, what a lost message left behind, and the
    customer notices sent since the last look."""
    webhooks.record_sent_notices()
    webhooks.enqueue(webhooks.redrive())

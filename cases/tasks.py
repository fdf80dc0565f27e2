"""Celery tasks of the case domain: thin, idempotent, taking IDs."""

from celery import shared_task

from cases.services import incidents


@shared_task(ignore_result=True, acks_late=True, soft_time_limit=300, time_limit=360)
def fan_out_incident_update(update_id: int) -> None:
    """Bring one incident update to every linked case; safe to run twice."""
    incidents.fan_out(update_id)


@shared_task(ignore_result=True, soft_time_limit=50, time_limit=60)
def redrive_incident_updates() -> None:
    """Beat, every minute: finish fan-outs a lost message or a dead worker left behind."""
    for update_id in incidents.unfinished_updates():
        fan_out_incident_update.delay(update_id)

"""A real Celery worker, on the real broker, says it is alive; /healthz believes it."""

from notifications.models import WorkerHeartbeat
from notifications.tasks import record_heartbeat
from tests.helpers import wait_for


def test_worker_records_its_heartbeat_and_healthz_reports_it_alive(celery_worker, client):
    assert client.get("/healthz").json()["worker"]["ok"] is False

    record_heartbeat.delay()

    heartbeat = wait_for(WorkerHeartbeat.objects.first)
    assert heartbeat is not None, "the worker did not record a heartbeat within 10 s"
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["worker"]["ok"] is True
    assert body["worker"]["hostname"] == heartbeat.hostname
    assert body["broker"] == {"ok": True, "transport": "redis"}


def test_a_second_heartbeat_updates_the_same_row(celery_worker):
    record_heartbeat.delay()
    first = wait_for(WorkerHeartbeat.objects.first)
    assert first is not None, "the worker did not record a heartbeat within 10 s"

    record_heartbeat.delay()
    later = wait_for(WorkerHeartbeat.objects.filter(last_seen__gt=first.last_seen).first)

    assert later is not None, "the second heartbeat did not arrive within 10 s"
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == [first.hostname]

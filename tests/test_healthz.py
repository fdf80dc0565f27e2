"""/healthz: the database, the broker and a live Celery worker, in one JSON answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable_broker(monkeypatch):
    from helpdesk.celery import app

    nobody_listens = "redis://127.0.0.1:1/0"
    # Celery reads CELERY_BROKER_URL from the environment before its own configuration.
    monkeypatch.setenv("CELERY_BROKER_URL", nobody_listens)
    previous = app.conf.broker_url
    app.conf.broker_url = nobody_listens
    try:
        yield
    finally:
        app.conf.broker_url = previous


def test_it_is_healthy_with_a_fresh_heartbeat(client):
    WorkerHeartbeat.objects.create(hostname="celery@worker-1", last_seen=timezone.now())

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert body["database"]["ok"] is True
    assert body["broker"]["ok"] is True
    assert body["worker"]["ok"] is True
    assert body["worker"]["hostname"] == "celery@worker-1"


def test_it_is_never_cached(client):
    response = client.get("/healthz")

    assert "no-cache" in response["Cache-Control"]


def test_it_names_the_worker_when_no_worker_ever_reported(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail"
    assert body["failing"] == ["worker"]
    assert body["worker"]["error"] == "no heartbeat from any worker yet"


def test_it_names_the_worker_when_its_heartbeat_is_stale(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    WorkerHeartbeat.objects.create(hostname="celery@worker-1", last_seen=timezone.now())

    time_machine.shift(timedelta(seconds=settings.WORKER_STALE_AFTER + 1))
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert body["worker"]["error"] == f"last heartbeat {settings.WORKER_STALE_AFTER + 1}s ago"


def test_a_heartbeat_just_inside_the_limit_still_counts(client, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    WorkerHeartbeat.objects.create(hostname="celery@worker-1", last_seen=timezone.now())

    time_machine.shift(timedelta(seconds=settings.WORKER_STALE_AFTER))
    response = client.get("/healthz")

    assert response.status_code == 200


def test_the_freshest_of_several_workers_counts(client, settings):
    now = timezone.now()
    WorkerHeartbeat.objects.create(hostname="celery@gone", last_seen=now - timedelta(days=1))
    WorkerHeartbeat.objects.create(hostname="celery@alive", last_seen=now)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["worker"]["hostname"] == "celery@alive"


def test_it_names_the_broker_when_the_broker_is_unreachable(client, unreachable_broker):
    WorkerHeartbeat.objects.create(hostname="celery@worker-1", last_seen=timezone.now())

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["broker"]
    assert body["broker"]["ok"] is False
    assert body["broker"]["transport"] == "redis"
    # /healthz answers anyone: the kind of failure, never the broker's address or user.
    assert body["broker"]["error"] in (
        "OperationalError",
        "ConnectionRefusedError",
        "ConnectionError",
    )
    assert "127.0.0.1" not in response.content.decode()
    assert body["database"]["ok"] is True

"""What /healthz reports: the database, the broker and the Celery worker."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from notifications.models import WorkerHeartbeat


def _describe(exc: Exception) -> str:
    """The kind of failure; its text (hosts, users) only on a development machine, since
    /healthz answers anyone."""
    return f"{type(exc).__name__}: {exc}" if settings.DEBUG else type(exc).__name__


def record_heartbeat(*, hostname: str) -> None:
    WorkerHeartbeat.objects.update_or_create(
        hostname=hostname, defaults={"last_seen": timezone.now()}
    )


def database_status() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return {"ok": False, "error": _describe(exc)}
    return {"ok": True, "vendor": connection.vendor}


def broker_status() -> dict[str, Any]:
    from helpdesk.celery import app

    transport = app.conf.broker_url.split("://", 1)[0]
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
    except Exception as exc:
        return {"ok": False, "transport": transport, "error": _describe(exc)}
    return {"ok": True, "transport": transport}


def worker_status() -> dict[str, Any]:
    try:
        latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    except Exception as exc:
        return {"ok": False, "last_seen": None, "error": _describe(exc)}
    if latest is None:
        return {"ok": False, "last_seen": None, "error": "no heartbeat from any worker yet"}
    age = timezone.now() - latest.last_seen
    ok = age <= timedelta(seconds=settings.WORKER_STALE_AFTER)
    status = {
        "ok": ok,
        "last_seen": latest.last_seen.isoformat(),
        "hostname": latest.hostname,
        "age_seconds": round(age.total_seconds(), 1),
    }
    if not ok:
        status["error"] = f"last heartbeat {int(age.total_seconds())}s ago"
    return status


def report() -> tuple[bool, dict[str, Any]]:
    parts = {
        "database": database_status(),
        "broker": broker_status(),
        "worker": worker_status(),
    }
    failing = [name for name, part in parts.items() if not part["ok"]]
    body = {"status": "ok" if not failing else "fail", "failing": failing, **parts}
    return not failing, body

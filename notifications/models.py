from django.db import models


class WorkerHeartbeat(models.Model):
    """Written by a Celery worker on beat's schedule; /healthz reads it.

    One row per worker host, so several workers on several hosts each show up.
    """

    hostname = models.CharField(max_length=255, unique=True)
    last_seen = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.hostname} at {self.last_seen:%Y-%m-%d %H:%M:%S}"

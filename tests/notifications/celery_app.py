"""The project's Celery app, for the worker subprocesses of the integration tests.

The same app, except that it sends to and reads from the test run's own queue (named in
TEST_CELERY_QUEUE), as tests/conftest.py arranges for the test process: a worker of this
run never takes another run's tasks, and the tasks it sends itself (a re-drive's
deliveries) come back to it. Start it with `celery -A tests.notifications.celery_app worker`.
"""

import os

from helpdesk.celery import app

app.conf.task_default_queue = os.environ["TEST_CELERY_QUEUE"]

__all__ = ["app"]

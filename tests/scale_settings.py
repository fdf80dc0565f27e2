"""The product's settings for the scale-out proof's processes (tests/test_scale_out.py),
with one change: static file URLs are drawn without collectstatic's manifest, as the rest
of the suite draws them (tests/conftest.py), since compressing every static file takes
longer than the whole proof. No static file is requested by the proof."""

from helpdesk.settings import *  # noqa: F403
from helpdesk.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

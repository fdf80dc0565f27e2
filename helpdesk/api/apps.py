from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "helpdesk.api"
    label = "api"
    verbose_name = "API and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from cases.models import TimelineEntry
        from helpdesk.api import schema  # noqa: F401  registers the token's scheme

        post_save.connect(entry_written, sender=TimelineEntry, dispatch_uid="webhook-events")


def entry_written(sender, instance, created, raw=False, **kwargs):
    """A new timeline entry's webhook events, written in its transaction: the API app
    listens, so `cases` never imports it."""
    if created and not raw:
        from helpdesk.api import webhooks

        webhooks.record_entry(instance)

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "helpdesk.api"
    label = "api"
    verbose_name = "API and webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from helpdesk.api import schema  # noqa: F401  registers the token's scheme

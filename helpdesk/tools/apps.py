from django.apps import AppConfig


class ToolsConfig(AppConfig):
    name = "helpdesk.tools"
    label = "tools"
    verbose_name = "Tools (bench, load test, simulation)"

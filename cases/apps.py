from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from cases import sqlite_triggers

        pre_migrate.connect(sqlite_triggers.drop_before_migrate, sender=self)
        post_migrate.connect(sqlite_triggers.create_after_migrate, sender=self)

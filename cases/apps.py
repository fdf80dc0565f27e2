from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save, pre_migrate


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Cases"

    def ready(self) -> None:
        from cases import clocks, sqlite_triggers
        from cases.models import BusinessCalendar, BusinessHours, Holiday, SLAPolicy, WorkingHours
        from cases.services import routing

        pre_migrate.connect(sqlite_triggers.drop_before_migrate, sender=self)
        post_migrate.connect(sqlite_triggers.create_after_migrate, sender=self)
        for model in (SLAPolicy, BusinessCalendar, BusinessHours, Holiday):
            post_save.connect(clocks.forget_policies, sender=model)
            post_delete.connect(clocks.forget_policies, sender=model)
        for model in (WorkingHours, BusinessCalendar, BusinessHours, Holiday):
            post_save.connect(routing.forget_working_hours, sender=model)
            post_delete.connect(routing.forget_working_hours, sender=model)

"""`python manage.py create_database`: create the PostgreSQL database DATABASE_URL names,
if it is missing (used by `make simulate` and `make bench` before `migrate`)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpdesk.tools.database import create_if_missing


class Command(BaseCommand):
    help = "Create the PostgreSQL database DATABASE_URL names, if it is missing."
    requires_system_checks = []  # the database may not exist yet

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if database["ENGINE"] != "django.db.backends.postgresql":
            raise CommandError("create_database works on PostgreSQL (set DATABASE_URL).")
        if create_if_missing(database):
            self.stdout.write(f"Created the database {database['NAME']}.")

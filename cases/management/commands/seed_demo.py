from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases import demo


class Command(BaseCommand):
    help = "Create the demo logins, organisations and departments (idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo logins with the password 'demo' while DEBUG is off. "
                "Demo data is for development machines only."
            )
        people = demo.seed_people()
        demo.seed_sla()
        demo.seed_cases(people)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in with password 'demo':"))
        for email, described in demo.demo_logins():
            self.stdout.write(f"  {email:<22} {described}")

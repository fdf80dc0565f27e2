#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
    # A checkout with nothing configured is a development machine: commands run by hand
    # (`ingest_email`, `shell`, `simulate`) use the development defaults, as `make run`
    # does. A host that sets SECRET_KEY (or DEBUG) gets exactly what it set.
    if "SECRET_KEY" not in os.environ and "DEBUG" not in os.environ:
        os.environ["DEBUG"] = "1"
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

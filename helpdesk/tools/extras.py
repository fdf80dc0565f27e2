"""The `tools` extras: packages the tools need and the product does not.

An installation made for running the product (`pip install -e .`) lacks them; a command
that needs one says so in one line instead of failing with a traceback.
"""

import importlib.util

from django.core.management.base import CommandError

INSTALL = "pip install -e '.[tools]'"


def missing(*modules: str) -> list[str]:
    """The modules among `modules` that cannot be imported here (none are imported)."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def require(*modules: str, what: str, make_target: str) -> None:
    """Refuse to go on, in one line, when an extra is missing."""
    if missing(*modules):
        raise CommandError(
            f"{what} needs the tools extras: run `make {make_target}` or `{INSTALL}`."
        )

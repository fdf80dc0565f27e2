"""Reading request parameters the way every view does: a bad value is no value."""


def int_param(raw: str | None) -> int | None:
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None

"""Is this mail from a machine? Auto-replies and delivery reports are recorded, listed for
agents with the reason, and never answered; they never open or reopen a case.

A machine says so: RFC 3834's `Auto-Submitted`, the vacation headers mail servers add,
a delivery report's content type, a bounce sender or an empty return path. `Precedence:
bulk` or `list` alone is not enough when the sender is one of our customers: people write
through mailing-list software and newsletters tools too, and their mail must reach us.
"""

from email.message import EmailMessage

from notifications.mail_parsing import header

BOUNCE_SENDERS = ("mailer-daemon@", "postmaster@", "mail-daemon@")
VACATION_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Vacation")
MACHINE_PRECEDENCE = {"auto_reply"}
MASS_PRECEDENCE = {"bulk", "junk", "list"}


def why_automatic(message: EmailMessage, sender: str, *, known_sender: bool) -> str:
    """The reason this mail is a machine's, in words for the agents' list; "" for a person."""
    auto_submitted = header(message, "Auto-Submitted").strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-reply (Auto-Submitted: {auto_submitted.split(';')[0]})."
    for name in VACATION_HEADERS:
        value = header(message, name).strip()
        if value and value.lower() not in ("no", "false", "0"):
            return f"Auto-reply ({name}: {value[:40]})."
    if message.get_content_type() == "multipart/report" or header(message, "X-Failed-Recipients"):
        return "Delivery report (a bounce): recorded, not answered."
    if sender.startswith(BOUNCE_SENDERS):
        return f"Delivery report from {sender}: recorded, not answered."
    if header(message, "Return-Path").strip() == "<>":
        return "Sent with an empty return path (a bounce or an auto-reply)."
    precedence = header(message, "Precedence").strip().lower()
    if precedence in MACHINE_PRECEDENCE:
        return f"Auto-reply (Precedence: {precedence})."
    if precedence in MASS_PRECEDENCE and not known_sender:
        return f"Mass mail (Precedence: {precedence}) from a sender who is not a customer."
    return ""

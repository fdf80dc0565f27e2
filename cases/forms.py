"""Forms validate input only; the rules live in cases.services."""

from django import forms
from django.conf import settings

from cases.models import CustomerIdentifier, IncidentStatus, Priority
from cases.services import attachments
from cases.text import unfilled
from helpdesk.accounts.models import Department, User


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


# Browsers send `"`, CR and LF in a multipart file name as %22, %0D and %0A (the HTML
# standard's form encoding); Django keeps them as typed. Anything else stays as sent.
BROWSER_NAME_ESCAPES = {"%22": '"', "%0D": " ", "%0A": " "}


def browser_file_name(name: str) -> str:
    """The name the person's file had, undoing the browser's multipart escapes."""
    for escaped, original in BROWSER_NAME_ESCAPES.items():
        name = name.replace(escaped, original).replace(escaped.lower(), original)
    return name.strip()


class AttachmentsField(forms.FileField):
    """Several files in one input, checked against the one attachment policy
    (`cases.services.attachments`) so the person is told before anything is written."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(files) > settings.MAX_ATTACHMENTS_PER_MESSAGE:
            raise forms.ValidationError(attachments.too_many_message())
        cleaned = []
        for upload in files:
            upload = super().clean(upload, initial)
            upload.name = browser_file_name(upload.name or "")
            refusal = attachments.refusal_for(upload)
            if refusal is not None:
                raise forms.ValidationError(refusal.message)
            cleaned.append(upload)
        return cleaned


THEN = [("", "Nothing else"), ("propose", "Propose the resolution"), ("wait", "Wait on them")]
AS_TYPED = "the customer would read it as typed."


class ComposerForm(forms.Form):
    REPLY = "reply"
    NOTE = "note"

    kind = forms.ChoiceField(
        choices=[(NOTE, "Internal note"), (REPLY, "Reply to customer")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        initial=NOTE,
    )
    body = forms.CharField(
        label="Message",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20000,
        error_messages={"required": "Write something before sending."},
    )
    files = AttachmentsField(label="Attachments")
    # The newest timeline entry the agent had seen: a reply is held back when someone
    # else wrote to or from the customer after it (`services.reply_to_customer`).
    seen_entry = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # A reply may move the case too: its words the proposal, or the question waited on.
    PROPOSE, WAIT = "propose", "wait"
    then = forms.ChoiceField(choices=THEN, required=False, label="Then")

    def clean(self):
        data = super().clean()
        if data.get("kind") == self.REPLY and (left := unfilled(data.get("body", ""))):
            self.add_error("body", f"Fill in {', '.join(left)} before sending: {AS_TYPED}")
        if data.get("then") and (data.get("kind") != self.REPLY or data.get("files")):
            self.add_error("then", "A follow-up goes with a reply to the customer, without files.")
        return data


class VersionedForm(forms.Form):
    """Carries the case version the agent saw, so stale changes are refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class TransferForm(VersionedForm):
    to = forms.ModelChoiceField(
        label="New owner",
        queryset=User.objects.filter(is_active=True, role__in=["agent", "manager"]),
        empty_label="Choose an agent",
    )
    reason = forms.CharField(
        label="Why",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: the new owner reads it first."},
    )


class PriorityForm(VersionedForm):
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int)


class WaitForm(VersionedForm):
    message = forms.CharField(
        label="What do you need from the customer?",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ProposeForm(VersionedForm):
    body = forms.CharField(
        label="What was done",
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the customer what was done, so they can confirm it."},
    )
    cancel_open_handoffs = forms.BooleanField(required=False)


class ReasonForm(VersionedForm):
    reason = forms.CharField(
        label="Reason", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class IdentifierForm(forms.Form):
    name = forms.CharField(label="Name", max_length=60)
    value = forms.CharField(label="Value", max_length=200)


class TitleField(forms.CharField):
    """A title of at most 200 characters, said on the form and checked on submit.

    No `maxlength` attribute: a browser would cut a pasted title silently mid-word; the
    form says the limit instead and keeps every character typed.
    """

    LIMIT = 200

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", f"Up to {self.LIMIT} characters; details go below.")
        kwargs.setdefault(
            "error_messages",
            {
                "max_length": "Keep the title to %(limit_value)d characters "
                "(this one has %(show_value)d); put the rest in the details."
            },
        )
        super().__init__(max_length=self.LIMIT, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class OpenCaseForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, role="customer").select_related(
            "organization"
        ),
        empty_label="Choose a customer",
    )
    title = TitleField()
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False)
    priority = forms.TypedChoiceField(choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    identifiers = forms.CharField(
        label="Customer identifiers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line, as Name: value (e.g. Serial number: 5CD1234XYZ).",
    )
    files = AttachmentsField(label="Attachments")

    def clean_identifiers(self) -> list[tuple[str, str]]:
        pairs = []
        for number, line in enumerate(self.cleaned_data["identifiers"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not name.strip() or not value.strip():
                raise forms.ValidationError(f"Line {number} should read Name: value.")
            pairs.append((name.strip()[:60], value.strip()[:200]))
        return pairs


IDENTIFIER_SUGGESTIONS = CustomerIdentifier.SUGGESTED_NAMES


class HandoffRequestForm(forms.Form):
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), empty_label="Choose a department"
    )
    needed = forms.CharField(
        label="What is needed (internal)",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what the department should do."},
    )
    customer_summary = forms.CharField(
        label="Customer-safe summary (optional)",
        required=False,
        max_length=200,
        help_text="Shown to the customer as where the case is, e.g. 'replacing the power supply'.",
    )
    due = forms.DateTimeField(
        label="Due",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )


class HandoffDoneForm(forms.Form):
    result = forms.CharField(
        label="What was done",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say what was done, for the owner and the other departments."},
    )
    customer_summary = forms.CharField(
        label="Customer-safe summary (optional)", required=False, max_length=200
    )


class HandoffDeclineForm(forms.Form):
    reason = forms.CharField(
        label="Why not",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Say why: the owner has to find another way."},
    )


class HandoffCancelForm(forms.Form):
    note = forms.CharField(label="Note", required=False, max_length=2000)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time picked in the browser (datetime-local), in the site's time zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
        super().__init__(*args, **kwargs)


class DelayForm(VersionedForm):
    message = forms.CharField(
        label="What is happening",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell the customer what is happening."},
    )
    new_eta = LocalDateTimeField(
        label="New estimate", error_messages={"required": "Give the customer a new estimate."}
    )


class EtaForm(VersionedForm):
    eta = LocalDateTimeField(label="Estimate")


# --- portal ------------------------------------------------------------------------------


class PortalReplyForm(forms.Form):
    body = forms.CharField(
        label="Your message",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write a message before sending it."},
    )
    files = AttachmentsField(label="Attachments")


class StillBrokenForm(forms.Form):
    body = forms.CharField(
        label="What is still wrong?",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Tell us what is still wrong, so your owner can act."},
    )


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a rating from 1 to 5."},
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportCaseForm(forms.Form):
    IDENTIFIER_ROWS = 3

    title = TitleField(label="What is the problem, in a few words?")
    description = forms.CharField(
        label="Tell us more",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        error_messages={"required": "Describe the problem so we can start right away."},
    )
    priority = forms.TypedChoiceField(coerce=int, label="How urgent is it?")
    files = AttachmentsField(label="Attachments (screenshots, documents)")

    category = forms.ChoiceField(label="What is it about?", required=False)

    def __init__(self, *args, allowed_priorities=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        if categories:
            self.fields["category"].choices = [("", "Not sure"), *((c, c) for c in categories)]
        else:
            del self.fields["category"]
        self.fields["priority"].choices = [
            (value, label) for value, label in Priority.choices if value in allowed_priorities
        ]
        self.fields["priority"].initial = Priority.NORMAL
        for row in range(self.IDENTIFIER_ROWS):
            self.fields[f"identifier_name_{row}"] = forms.CharField(
                required=False, max_length=60, label="Name"
            )
            self.fields[f"identifier_value_{row}"] = forms.CharField(
                required=False, max_length=200, label="Value"
            )

    def identifier_rows(self):
        return [
            (self[f"identifier_name_{row}"], self[f"identifier_value_{row}"])
            for row in range(self.IDENTIFIER_ROWS)
        ]

    def clean(self):
        cleaned = super().clean()
        pairs = []
        for row in range(self.IDENTIFIER_ROWS):
            name = cleaned.get(f"identifier_name_{row}", "").strip()
            value = cleaned.get(f"identifier_value_{row}", "").strip()
            if bool(name) != bool(value):
                self.add_error(
                    f"identifier_value_{row}" if name else f"identifier_name_{row}",
                    "Give both the name and the value, or neither.",
                )
            elif name:
                pairs.append((name, value))
        cleaned["identifiers"] = pairs
        return cleaned


class IncidentForm(forms.Form):
    title = forms.CharField(max_length=200)
    public_summary = forms.CharField(
        label="Public summary (affected customers read this)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    cause = forms.CharField(label="Cause (e.g. release 4.2)", required=False, max_length=200)
    cause_date = forms.DateField(
        label="Cause date",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    affects_all = forms.BooleanField(label="Affects every organisation", required=False)


class IncidentUpdateForm(forms.Form):
    body = forms.CharField(
        label="Update",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Write the update first."},
    )
    public = forms.BooleanField(
        label="Public: every linked customer receives it", required=False, initial=True
    )
    status = forms.ChoiceField(
        label="Move status to",
        required=False,
        choices=[("", "Keep the status"), *IncidentStatus.choices],
    )

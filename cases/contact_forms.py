"""Forms about reaching the customer: their contact details and email settings (portal and
desk), and a phone call logged on the case page."""

import re

from django import forms

from cases.forms import LocalDateTimeField, VersionedForm
from cases.models import CallDirection, CallOutcome
from helpdesk.accounts.models import User

PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")


class ContactDetailsForm(forms.Form):
    """How a customer is reached: their phone, and whether they prefer a call."""

    phone = forms.RegexField(
        regex=PHONE,
        label="Phone",
        required=False,
        max_length=40,
        help_text="With the country code, like +44 20 7946 0958.",
        error_messages={"invalid": "Write a phone number with digits, like +44 20 7946 0958."},
    )
    preferred_contact = forms.ChoiceField(
        choices=User.Contact.choices,
        widget=forms.RadioSelect,
        label="About a delay, we should",
        required=False,  # left out: as before
    )
    call_notes_by_email = forms.BooleanField(
        required=False, label="After a call, send me a short written record by email"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["preferred_contact"].choices = [
            (User.Contact.EMAIL, "Email me"),
            (User.Contact.PHONE, "Call me"),
        ]


class NotificationSettingsForm(ContactDetailsForm):
    notify_preference = forms.ChoiceField(
        choices=User.NotifyPreference.choices,
        widget=forms.RadioSelect,
        label="Email me",
    )

    field_order = ["notify_preference", "preferred_contact", "phone", "call_notes_by_email"]


class CallForm(VersionedForm):
    direction = forms.ChoiceField(choices=CallDirection.choices, initial=CallDirection.OUTBOUND)
    outcome = forms.ChoiceField(choices=CallOutcome.choices, initial=CallOutcome.REACHED)
    notes = forms.CharField(
        label="What you told each other (the customer reads this)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    alternatives = forms.CharField(
        label="Offered meanwhile (a workaround, a loaner…)", required=False, max_length=1000
    )
    new_eta = LocalDateTimeField(label="New estimate", required=False)
    chase = forms.BooleanField(required=False, label="They called to ask for news")

"""The forms of the team view (the lead's page of their departments)."""

from django import forms

from cases.forms import LocalDateTimeField
from cases.selectors import departments_for
from helpdesk.accounts.models import User


class AbsenceForm(forms.Form):
    """Out of office: who, from when to when, and who covers their cases."""

    agent = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Who is away")
    starts = LocalDateTimeField(label="From")
    ends = LocalDateTimeField(label="Until")
    cover = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        empty_label="No cover: route their cases again",
        label="Cover",
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True, role__in=[User.Role.AGENT, User.Role.MANAGER])
        team = staff.filter(departments__in=departments_for(user)).distinct()
        self.fields["agent"].queryset = team if (user.is_manager or team.exists()) else staff
        self.fields["cover"].queryset = staff
        self.initial.setdefault("agent", user.pk)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} form-control-sm")

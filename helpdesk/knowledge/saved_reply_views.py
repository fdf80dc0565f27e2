"""Saved replies on the desk: the agent's list (their own and their departments'), a form
to write one, and the picker the composer's `/` opens (filled for the case at hand)."""

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from cases.views import access
from helpdesk.accounts.access import agent_required
from helpdesk.knowledge import saved_replies
from helpdesk.knowledge.models import SavedReply

PICKED = 8


class SavedReplyForm(forms.Form):
    title = forms.CharField(max_length=80, help_text="What you type after / to find it.")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Placeholders: {customer.first_name}, {customer.name}, {case.reference}, "
        "{case.title}, {organization.name}, {owner.name}, {agent.first_name}, {eta}.",
    )
    shared_with = forms.ChoiceField(label="Who may use it")
    follow_up = forms.ChoiceField(
        choices=SavedReply.FollowUp.choices, required=False, label="Suggest as follow-up"
    )

    def __init__(self, *args, agent, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_with"].choices = [("", "Only me")] + [
            (str(d.pk), f"Everyone in {d.name}") for d in agent.departments.all()
        ]


def _save(saved: SavedReply, data: dict, agent) -> SavedReply:
    saved.title, saved.body, saved.follow_up = data["title"], data["body"], data["follow_up"]
    if data["shared_with"]:
        saved.owner, saved.department_id = None, int(data["shared_with"])
    else:
        saved.owner, saved.department_id = agent, None
    saved.updated = timezone.now()
    saved.save()
    return saved


@agent_required
def saved_reply_list(request: HttpRequest) -> HttpResponse:
    form = SavedReplyForm(request.POST or None, agent=request.user)
    if request.method == "POST" and form.is_valid():
        _save(SavedReply(), form.cleaned_data, request.user)
        return redirect("saved_replies")
    return render(
        request,
        "knowledge/saved_replies.html",
        {"form": form, "saved": saved_replies.usable_by(request.user), "nav": "saved_replies"},
        status=422 if request.method == "POST" else 200,
    )


def _changeable(request, saved_id: int) -> SavedReply:
    saved = get_object_or_404(saved_replies.usable_by(request.user), pk=saved_id)
    if not saved_replies.may_change(saved, request.user):
        raise Http404("Not a saved reply you may change.")
    return saved


@agent_required
def saved_reply_edit(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved = _changeable(request, saved_id)
    initial = {
        "title": saved.title,
        "body": saved.body,
        "shared_with": str(saved.department_id or ""),
        "follow_up": saved.follow_up,
    }
    form = SavedReplyForm(request.POST or None, agent=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        _save(saved, form.cleaned_data, request.user)
        return redirect("saved_replies")
    return render(
        request,
        "knowledge/saved_reply_edit.html",
        {"form": form, "saved": saved, "nav": "saved_replies"},
        status=422 if request.method == "POST" else 200,
    )


@agent_required
@require_POST
def saved_reply_delete(request: HttpRequest, saved_id: int) -> HttpResponse:
    _changeable(request, saved_id).delete()
    return redirect("saved_replies")


@agent_required
@require_GET
def pick(request: HttpRequest) -> HttpResponse:
    """The composer's `/` list: the agent's saved replies whose title has the typed words,
    each filled for the case (what could not be filled named)."""
    case = access.desk_case(request, request.GET.get("case", ""))
    found = saved_replies.usable_by(request.user)
    for word in request.GET.get("q", "").split()[:5]:
        found = found.filter(title__icontains=word)
    options = [
        (saved, saved_replies.fill(saved.body, case, request.user)) for saved in found[:PICKED]
    ]
    return render(request, "knowledge/_pick.html", {"options": options, "case": case})


@agent_required
@require_POST
def used(request: HttpRequest, saved_id: int) -> HttpResponse:
    saved = get_object_or_404(saved_replies.usable_by(request.user), pk=saved_id)
    case = access.desk_case(request, request.POST.get("case", ""))
    saved_replies.record_use(saved=saved, agent=request.user, case=case)
    return HttpResponse(status=204)

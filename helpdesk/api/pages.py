"""The API tokens page, for everyone who signs in: create a token (its secret shown once),
see when each was last used, revoke one. Agents see it in the desk's frame, customers in
the portal's."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from helpdesk.api import tokens, webhook_pages
from helpdesk.api.models import ApiToken

SHOWN = 50


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80, help_text="What will use it, e.g. “Monitoring” or “CRM sync”."
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read and write acts in your name: replies, notes, new cases.",
    )
    days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(d, f"{d} days") for d in tokens.LIFETIMES_DAYS],
        initial=90,
    )


def _page(request: HttpRequest, form: TokenForm, *, secret: str = "", status: int = 200):
    base = "desk/base.html" if request.user.is_agent else "portal/base.html"
    listed = ApiToken.objects.filter(user=request.user)[:SHOWN]
    return render(
        request,
        "api/tokens.html",
        {
            "base": base,
            "form": form,
            "tokens": listed,
            "secret": secret,
            "nav": "tokens",
            "webhooks": request.user.is_agent and webhook_pages.may_manage(request.user),
        },
        status=status,
    )


@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    """Your tokens, and the form for a new one; its secret is on the answer, once."""
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, secret = tokens.issue_token(
                user=request.user, request=request, **form.cleaned_data
            )
        except tokens.TokenRefused as refused:
            form.add_error(None, str(refused))
        else:
            return _page(request, TokenForm(), secret=secret)
    return _page(request, form, status=422 if request.method == "POST" else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(user=request.user, pk=token_id).first()
    if token is None:
        raise Http404("No such token of yours.")
    tokens.revoke_token(token=token, acting_user=request.user, request=request)
    return redirect("api_tokens")

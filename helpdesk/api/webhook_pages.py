"""The webhooks page, for admins and department leads: subscriptions (a receiver's URL,
its secret, the events it hears), each with its delivery log; resume a paused one,
delete one."""

from django import forms
from django.conf import settings
from django.core.validators import URLValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from helpdesk.accounts.access import role_required
from helpdesk.api import webhooks
from helpdesk.api.models import WebhookDelivery, WebhookSubscription

LOG = 50


def may_manage(user) -> bool:
    return user.is_active and (user.is_superuser or user.led_departments.exists())


manager_of_webhooks = role_required(
    may_manage, "Webhooks are managed by admins and department leads."
)


class SubscriptionForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. “Slack #support” or “CRM”.")
    url = forms.URLField(
        label="Receiver URL",
        assume_scheme="https",
        max_length=500,
        validators=[URLValidator(schemes=["https", "http"])],
        help_text="We POST each event here as JSON, signed with the secret.",
    )
    events = forms.MultipleChoiceField(
        choices=[(name, f"{name}: {text}") for name, text in webhooks.EVENTS.items()],
        widget=forms.CheckboxSelectMultiple,
    )


def _page(request, form, *, status=200):
    subscriptions = list(WebhookSubscription.objects.select_related("owner"))
    return render(
        request,
        "api/webhooks.html",
        {
            "form": form,
            "subscriptions": subscriptions,
            "pause_after": settings.WEBHOOK_PAUSE_AFTER,
            "nav": "webhooks",
        },
        status=status,
    )


@manager_of_webhooks
def subscriptions(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        WebhookSubscription.objects.create(
            owner=request.user, secret=webhooks.new_secret(), **form.cleaned_data
        )
        return redirect("api_webhooks")
    return _page(request, form, status=422 if request.method == "POST" else 200)


@manager_of_webhooks
def deliveries(request: HttpRequest, subscription_id: int) -> HttpResponse:
    subscription = get_object_or_404(WebhookSubscription, pk=subscription_id)
    log = WebhookDelivery.objects.filter(subscription=subscription)[:LOG]
    return render(
        request,
        "api/webhook_log.html",
        {"subscription": subscription, "deliveries": log, "nav": "webhooks"},
    )


@manager_of_webhooks
@require_POST
def resume(request: HttpRequest, subscription_id: int) -> HttpResponse:
    webhooks.resume(get_object_or_404(WebhookSubscription, pk=subscription_id))
    return redirect("api_webhooks")


@manager_of_webhooks
@require_POST
def delete(request: HttpRequest, subscription_id: int) -> HttpResponse:
    get_object_or_404(WebhookSubscription, pk=subscription_id).delete()
    return redirect("api_webhooks")

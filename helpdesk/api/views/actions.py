"""Every case action as its own endpoint, each calling one service function with the
caller as the acting user: the same permission rules, timeline entries and notices as
on the desk and in the portal. `If-Match: "<version>"` makes a write conditional.

    POST /api/v1/cases/<ref>/take/            take_ownership
    POST /api/v1/cases/<ref>/transfer/        transfer_ownership
    POST /api/v1/cases/<ref>/reply/           reply_to_customer (a customer: add_customer_message)
    POST /api/v1/cases/<ref>/note/            add_internal_note
    POST /api/v1/cases/<ref>/priority/        change_priority
    POST /api/v1/cases/<ref>/wait/            wait_on_customer
    POST /api/v1/cases/<ref>/resume/          resume
    POST /api/v1/cases/<ref>/propose/         propose_resolution
    POST /api/v1/cases/<ref>/close/           close_case
    POST /api/v1/cases/<ref>/confirm/         confirm_resolution (the customer)
    POST /api/v1/cases/<ref>/reopen/          reopen ("still broken")
    POST /api/v1/cases/<ref>/delay-notice/    send_delay_notice
    POST /api/v1/cases/<ref>/estimate/        set_eta
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from cases import services
from helpdesk.accounts.models import User
from helpdesk.api.serializers import (
    CaseDetailSerializer,
    ConflictSerializer,
    ErrorSerializer,
    PrioritySerializerField,
)
from helpdesk.api.views.base import ApiView, change_case


class Nothing(serializers.Serializer):
    pass


class TransferInput(serializers.Serializer):
    to = serializers.IntegerField(help_text="The new owner's id (an active agent).")
    reason = serializers.CharField(max_length=1000)


class BodyInput(serializers.Serializer):
    body = serializers.CharField(max_length=20000)


class ReplyInput(BodyInput):
    seen_entry = serializers.IntegerField(
        required=False,
        help_text="The newest entry you had read: nothing is sent if someone else wrote to "
        "or from the customer since (409).",
    )


class PriorityInput(serializers.Serializer):
    priority = PrioritySerializerField()


class WaitInput(serializers.Serializer):
    message = serializers.CharField(max_length=20000, allow_blank=True, default="")


class ProposeInput(BodyInput):
    cancel_open_handoffs = serializers.BooleanField(default=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class DelayInput(serializers.Serializer):
    message = serializers.CharField(max_length=20000)
    eta = serializers.DateTimeField(help_text="The new estimate.")


class EtaInput(serializers.Serializer):
    eta = serializers.DateTimeField()


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    location=OpenApiParameter.HEADER,
    description='The case\'s version as read (its ETag, e.g. "7"): the change is made only '
    "if the case is still at that version (412 otherwise, with the case as it is).",
)


ERROR = ErrorSerializer
CONFLICT = ConflictSerializer


def _agent(pk: int) -> User:
    agent = User.objects.filter(
        pk=pk, is_active=True, role__in=[User.Role.AGENT, User.Role.MANAGER]
    ).first()
    if agent is None:
        raise serializers.ValidationError({"to": ["The id of an active agent."]})
    return agent


def _reply(case, user, data, version):
    if user.is_agent:
        return services.reply_to_customer(
            case=case, acting_user=user, body=data["body"], seen_entry=data.get("seen_entry")
        )
    return services.add_customer_message(case=case, acting_user=user, body=data["body"])


# name: (input, service call(case, user, data, expected version), summary)
ACTIONS = {
    "take": (Nothing, lambda c, u, d, v: services.take_ownership(
        case=c, acting_user=u, expected_version=v), "Take ownership"),
    "transfer": (TransferInput, lambda c, u, d, v: services.transfer_ownership(
        case=c, acting_user=u, to=_agent(d["to"]), reason=d["reason"], expected_version=v),
        "Transfer ownership"),
    "reply": (ReplyInput, _reply, "Reply to the customer (a customer: write on the case)"),
    "note": (BodyInput, lambda c, u, d, v: services.add_internal_note(
        case=c, acting_user=u, body=d["body"]), "Add an internal note"),
    "priority": (PriorityInput, lambda c, u, d, v: services.change_priority(
        case=c, acting_user=u, priority=d["priority"], expected_version=v), "Change the priority"),
    "wait": (WaitInput, lambda c, u, d, v: services.wait_on_customer(
        case=c, acting_user=u, expected_version=v, message=d["message"]),
        "Wait on the customer"),
    "resume": (Nothing, lambda c, u, d, v: services.resume(
        case=c, acting_user=u, expected_version=v), "Resume work"),
    "propose": (ProposeInput, lambda c, u, d, v: services.propose_resolution(
        case=c, acting_user=u, body=d["body"], expected_version=v,
        cancel_open_handoffs=d["cancel_open_handoffs"]), "Propose a resolution"),
    "close": (ReasonInput, lambda c, u, d, v: services.close_case(
        case=c, acting_user=u, reason=d["reason"], expected_version=v),
        "Close without the customer's confirmation"),
    "confirm": (Nothing, lambda c, u, d, v: services.confirm_resolution(
        case=c, acting_user=u, expected_version=v), "Confirm the resolution (the customer)"),
    "reopen": (ReasonInput, lambda c, u, d, v: services.reopen(
        case=c, acting_user=u, reason=d["reason"], expected_version=v), "Reopen: still broken"),
    "delay-notice": (DelayInput, lambda c, u, d, v: services.send_delay_notice(
        case=c, acting_user=u, message=d["message"], new_eta=d["eta"]),
        "Tell the customer about a delay"),
    "estimate": (EtaInput, lambda c, u, d, v: services.set_eta(
        case=c, acting_user=u, eta=d["eta"]), "Promise the customer a time"),
}  # fmt: skip


def action_view(name: str) -> type[ApiView]:
    """The endpoint of one action, documented with its input."""
    form_class, change, summary = ACTIONS[name]

    class Action(ApiView):
        @extend_schema(
            request=form_class,
            parameters=[IF_MATCH],
            responses={
                200: CaseDetailSerializer,
                403: ERROR,
                404: ERROR,
                409: CONFLICT,
                412: CONFLICT,
                422: ERROR,
            },
            summary=summary,
            operation_id=f"cases_{name.replace('-', '_')}",
        )
        def post(self, request, reference: str):
            form = form_class(data=request.data)
            form.is_valid(raise_exception=True)
            return change_case(
                request,
                reference,
                lambda case, version: change(case, request.user, form.validated_data, version),
            )

    Action.__name__ = Action.__qualname__ = f"{name.title().replace('-', '')}Action"
    Action.__doc__ = f"{summary}: calls `services` as the desk does."
    return Action

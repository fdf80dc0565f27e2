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
from cases.views import desk_actions
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
    to = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True, role__in=[User.Role.AGENT, User.Role.MANAGER]),
        help_text="The new owner's id (an active agent).",
        error_messages={"does_not_exist": "The id of an active agent."},
    )
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
    eta = serializers.DateTimeField(source="new_eta", help_text="The new estimate.")


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


def _reply(case, user, data, version):
    if user.is_agent:
        return services.reply_to_customer(
            case=case, acting_user=user, body=data["body"], seen_entry=data.get("seen_entry")
        )
    return services.add_customer_message(case=case, acting_user=user, body=data["body"])


# name: (input, service call(case, user, data, expected version), summary)
def _note(case, user, data, version):
    return services.add_internal_note(case=case, acting_user=user, body=data["body"])


def _confirm(case, user, data, version):
    return services.confirm_resolution(case=case, acting_user=user, expected_version=version)


# name: (input, service call(case, user, data, expected version), summary). Where the desk
# has the action, its own call (`cases.views.desk_actions.ACTIONS`): one mapping of an
# action to its service for both, the input's names the same.
DESK = desk_actions.ACTIONS
ACTIONS = {
    "take": (Nothing, DESK["take"][1], "Take ownership"),
    "transfer": (TransferInput, DESK["transfer"][1], "Transfer ownership"),
    "reply": (ReplyInput, _reply, "Reply to the customer (a customer: write on the case)"),
    "note": (BodyInput, _note, "Add an internal note"),
    "priority": (PriorityInput, DESK["priority"][1], "Change the priority"),
    "wait": (WaitInput, DESK["wait"][1], "Wait on the customer"),
    "resume": (Nothing, DESK["resume"][1], "Resume work"),
    "propose": (ProposeInput, DESK["propose"][1], "Propose a resolution"),
    "close": (ReasonInput, DESK["close"][1], "Close without the customer's confirmation"),
    "confirm": (Nothing, _confirm, "Confirm the resolution (the customer)"),
    "reopen": (ReasonInput, DESK["reopen"][1], "Reopen: still broken"),
    "delay-notice": (DelayInput, DESK["delay"][1], "Tell the customer about a delay"),
    "estimate": (EtaInput, DESK["eta"][1], "Promise the customer a time"),
}


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

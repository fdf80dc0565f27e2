"""Decorators that keep each surface to its role: desk for agents, portal for customers."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def role_required(test: Callable, message: str):
    """A view for signed-in people who pass `test`; anyone else signed in gets 403."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


agent_required = role_required(lambda u: u.is_agent, "The desk is for agents.")
manager_required = role_required(lambda u: u.is_manager, "Reports are for managers.")
# Agents may open the portal to preview it; they never act there as a customer.
portal_access = role_required(lambda u: u.is_customer or u.is_agent, "No portal access.")
customer_required = role_required(lambda u: u.is_customer, "Only customers can do this.")

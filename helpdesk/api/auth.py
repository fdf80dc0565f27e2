"""Who is calling the API and what the call may do: a personal token in the
`Authorization: Bearer` header, its scope (read, or read and write), its rate."""

from django.conf import settings
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.throttling import SimpleRateThrottle

from helpdesk.api import tokens


class BearerToken(BaseAuthentication):
    """`Authorization: Bearer hd_…`: the token's owner is the caller, the token is
    `request.auth`. No session: a script's rights are its token's."""

    def authenticate(self, request):
        kind, _, raw = get_authorization_header(request).decode(errors="replace").partition(" ")
        if kind.lower() != "bearer":
            return None
        token = tokens.token_for(raw.strip())
        if token is None:
            raise AuthenticationFailed("This token is unknown, expired or revoked.")
        return token.user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'


class TokenScope(BasePermission):
    """A signed-in token; writes need one with the write scope."""

    message = "This token may only read: create one that may read and write."

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None:
            return False
        return request.method in SAFE_METHODS or token.can_write


class AgentsOnly(BasePermission):
    message = "Only agents may do this."

    def has_permission(self, request, view) -> bool:
        return request.user.is_agent


class PerToken(SimpleRateThrottle):
    """Requests per token (settings `API_RATE`), counted in the shared cache."""

    scope = "token"

    def get_rate(self) -> str:
        return settings.API_RATE  # read per request: a deployment (or a test) may set it

    def get_cache_key(self, request, view):
        if request.auth is None:
            return self.cache_format % {"scope": "anonymous", "ident": self.get_ident(request)}
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}

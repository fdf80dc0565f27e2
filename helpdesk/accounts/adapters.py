"""What django-allauth asks of the project: nobody signs up (people are added by an admin
or by single sign-on), a staff member who must enrol a second factor proves their mailbox
first, and single sign-on maps the provider's groups to a role and departments or refuses
a person in none of them."""

from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.conf import settings
from django.shortcuts import render

from helpdesk.accounts import audit, directory, identity, second_factor
from helpdesk.accounts.models import AuditEvent

# allauth's own "Successfully signed in/out" notes: our pages say who is signed in.
QUIET = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return False

    def is_login_by_code_required(self, login) -> bool:
        if (login.signal_kwargs or {}).get("sociallogin"):
            return False
        return second_factor.must_enrol(login.user)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's mail (the sign-in code, a factor added or removed) signed with the
        support identity's name and SITE_URL, like all our mail: never the request's Host,
        and also from a commit hook that runs after the request."""
        site = SimpleNamespace(
            name=identity.current().name, domain=urlsplit(settings.SITE_URL).netloc
        )
        message = self.render_mail(
            template_prefix, email, {"email": email, "current_site": site, **context}
        )
        message.send()

    def add_message(self, request, level, message_template=None, *args, **kwargs) -> None:
        if message_template not in QUIET:
            super().add_message(request, level, message_template, *args, **kwargs)


class DirectoryAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # `pre_social_login` has refused anyone in no listed group

    def pre_social_login(self, request, sociallogin) -> None:
        said = directory.claims(sociallogin.account.extra_data)
        grant = directory.grant_for(said)
        user = sociallogin.user
        known = user.pk is not None
        reason = None
        if grant is None:
            reason = "in no group that has access to the helpdesk"
        elif known and user.is_customer:
            reason = "the address of a customer account here"
        elif known and not user.is_active:
            reason = "a deactivated account here"
        if reason:
            audit.record(
                AuditEvent.Kind.SSO_REFUSED,
                request=request,
                actor=None,
                email=str(said.get("email", ""))[:254],
                reason=reason,
            )
            context = {"reason": reason, "email": said.get("email", "")}
            response = render(request, "registration/sso_refused.html", context, status=403)
            raise ImmediateHttpResponse(response)
        request.directory_grant = grant
        if known:
            directory.apply(user, grant, request=request)
        else:
            user.role = grant.role
            user.full_name = directory.full_name(said)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        directory.apply(user, request.directory_grant, request=request)
        return user

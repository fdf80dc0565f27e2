"""django-allauth's settings, imported by helpdesk.settings: what staff sign-in uses from it
(the second factor: TOTP, WebAuthn and recovery codes; single sign-on through OpenID
Connect) and what it must leave alone (sign-up, email management: people are added by an
admin, and our own sign-in form, links and password reset stay)."""

from helpdesk.env import envbool

ACCOUNT_ADAPTER = "helpdesk.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "helpdesk.accounts.adapters.DirectoryAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
# A person is emailed when a factor is added to or removed from their account.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A staff member who must enrol a second factor first proves their mailbox with a code
# (`AccountAdapter.is_login_by_code_required`): a password alone never starts enrolment.
ACCOUNT_LOGIN_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60

MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_TOTP_ISSUER = "Helpdesk"
# People are added by an admin (or single sign-on) with the address they use: trusted.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_RECOVERY_CODE_COUNT = 10
# Plain http passkeys for the demo on 127.0.0.1; production is https.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = envbool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", False)

SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_STORE_TOKENS = False
# The identity provider is connected in the admin (Social applications: provider
# "OpenID Connect", its server URL in settings as {"server_url": "https://idp…"}).
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}

"""Django REST Framework's and drf-spectacular's settings, imported by helpdesk.settings:
what the API's views share (token authentication, scope, rate, JSON, the error shape) and
how its schema and docs are served (the docs' assets from drf-spectacular-sidecar)."""

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["helpdesk.api.auth.BearerToken"],
    "DEFAULT_PERMISSION_CLASSES": ["helpdesk.api.auth.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["helpdesk.api.auth.PerToken"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "helpdesk.api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Helpdesk API",
    "DESCRIPTION": "Cases, their timelines and every action on them, with the rules of the "
    "desk and the portal. Authenticate with a personal token: `Authorization: Bearer hd_…`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

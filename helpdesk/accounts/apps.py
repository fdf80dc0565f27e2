from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "helpdesk.accounts"
    label = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        from helpdesk.accounts import audit  # noqa: F401  (connects the signal receivers)

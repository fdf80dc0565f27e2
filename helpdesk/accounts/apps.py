from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "helpdesk.accounts"
    label = "accounts"
    verbose_name = "People"

    def ready(self) -> None:
        # Connect the signal receivers.
        from helpdesk.accounts import audit, second_factor  # noqa: F401

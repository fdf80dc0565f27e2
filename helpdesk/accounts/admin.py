from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.contrib.auth.forms import UserCreationForm as BaseUserCreationForm

from helpdesk.accounts import audit, identity, second_factor
from helpdesk.accounts.models import (
    Absence,
    AuditEvent,
    Department,
    DirectoryGroup,
    Organization,
    SignInPolicy,
    SupportIdentity,
    User,
)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "role", "organization")


FACTOR_NAMES = {
    Authenticator.Type.TOTP: "Authenticator app",
    Authenticator.Type.WEBAUTHN: "Passkey or security key",
    Authenticator.Type.RECOVERY_CODES: "Recovery codes",
}


class SecondFactorFilter(admin.SimpleListFilter):
    title = "second factor"
    parameter_name = "second_factor"

    def lookups(self, request, model_admin):
        return [("yes", "Enrolled"), ("no", "Not enrolled")]

    def queryset(self, request, queryset):
        enrolled = Authenticator.objects.filter(type__in=second_factor.FACTORS)
        users = enrolled.values("user_id")
        if self.value() == "yes":
            return queryset.filter(pk__in=users)
        if self.value() == "no":
            return queryset.exclude(pk__in=users)
        return queryset


class UserChangeForm(BaseUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "full_name", "role", "organization", "is_active", "second_factor"]
    list_filter = ["role", "is_active", SecondFactorFilter, "departments", "organization"]
    actions = ["reset_second_factors"]
    search_fields = ["email", "full_name"]
    filter_horizontal = ["departments", "groups", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Person", {"fields": ["full_name", "role", "organization", "departments"]}),
        ("New cases", {"fields": ["availability", "capacity"]}),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    AUDITED = {"role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions",
               "departments", "organization"}  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("authenticator_set")

    @admin.display(description="Second factor")
    def second_factor(self, user: User) -> str:
        kinds = {a.type for a in user.authenticator_set.all()}
        names = [label for kind, label in FACTOR_NAMES.items() if kind in kinds]
        return ", ".join(names) or "—"

    @admin.action(description="Reset second factors (a lost phone or key)")
    def reset_second_factors(self, request, queryset):
        people = list(queryset)
        for user in people:
            second_factor.reset(user, request=request)
        self.message_user(
            request,
            f"Second factors reset for {len(people)} people: each enrols again at their "
            "next sign-in.",
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self._audit(request, obj, form, change)

    def _audit(self, request, obj, form, change):
        changed = sorted(self.AUDITED & set(form.changed_data))
        if changed or not change:
            audit.record(
                AuditEvent.Kind.ROLE_CHANGE,
                request=request,
                user=obj.email,
                fields=changed or ["created"],
                role=obj.role,
                is_active=obj.is_active,
                is_staff=obj.is_staff,
                is_superuser=obj.is_superuser,
            )

    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "role", "organization", "password1", "password2"],
            },
        )
    ]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "sla_tier", "created"]
    search_fields = ["name"]


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "lead", "routing", "alert_after_minutes"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    form = DepartmentForm
    list_display = ["name", "lead", "routing"]
    list_filter = ["routing"]
    search_fields = ["name"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["agent", "starts", "ends", "cover", "handed_over_at"]
    list_filter = ["agent__departments"]
    readonly_fields = ["handed_over_at"]
    autocomplete_fields = ["agent", "cover"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created", "kind", "actor", "ip", "path"]
    list_filter = ["kind"]
    search_fields = ["actor__email", "ip", "path"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class SupportIdentityForm(forms.ModelForm):
    logo_file = forms.FileField(
        label="Logo",
        required=False,
        help_text="PNG, JPEG or WebP, at most 200 KB; shown 28 px high in the top bar.",
    )
    remove_logo = forms.BooleanField(label="Remove the logo", required=False)

    class Meta:
        model = SupportIdentity
        fields = ["name", "help_centre_public"]

    def clean_logo_file(self):
        upload = self.cleaned_data.get("logo_file")
        if not upload:
            return None
        if upload.size > identity.LOGO_MAX_BYTES:
            raise forms.ValidationError("The logo is larger than 200 KB.")
        data = upload.read()
        media_type = identity.logo_type(data)
        if not media_type:
            raise forms.ValidationError("The logo must be a PNG, JPEG or WebP image.")
        return data, media_type

    def save(self, commit=True):
        row = super().save(commit=False)
        if self.cleaned_data.get("logo_file"):
            row.logo, row.logo_type = self.cleaned_data["logo_file"]
        elif self.cleaned_data.get("remove_logo"):
            row.logo, row.logo_type = b"", ""
        if commit:
            row.save()
        return row


@admin.register(SupportIdentity)
class SupportIdentityAdmin(admin.ModelAdmin):
    form = SupportIdentityForm
    list_display = ["name", "logo_type", "updated"]

    def has_add_permission(self, request) -> bool:
        return not SupportIdentity.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        identity.forget()  # every page shows the change now (the admin's log records it)


@admin.register(SignInPolicy)
class SignInPolicyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "staff_second_factor", "staff_password_sign_in"]

    def has_add_permission(self, request) -> bool:
        return not SignInPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DirectoryGroup)
class DirectoryGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "role"]
    filter_horizontal = ["departments"]
    search_fields = ["name"]


# Factors are removed through the people list's audited reset, never one by one here.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(BaseAuthenticatorAdmin):
    readonly_fields = ["user", "type", "created_at", "last_used_at"]
    exclude = ["data"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

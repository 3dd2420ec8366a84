"""Admin of the KashFlow API users (memorable word, long-lived tokens, unlock)
and their tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_mixins import OneTimeSecret, one_time_secrets_page
from apps.purchases.models import KashflowToken, KashflowUser
from apps.purchases.sessions import issue_long_lived_token, set_memorable_word

SERVICE_ACCOUNT_ONLY = _(
    "Bind a service account (a user who is not staff): the token acts as this person on /v2. "
    "Only a superuser may bind a staff or superuser account."
)


class KashflowUserForm(forms.ModelForm):
    new_memorable_word = forms.CharField(
        label=_("New memorable word"),
        required=False,
        min_length=6,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current one. It is stored as per-character digests, never in clear."),
    )

    class Meta:
        model = KashflowUser
        fields = ["user", "api_access", "scope", "failed_attempts", "locked_until"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Not given: the default grant (read-write), as for create_kashflow_user.
        self.fields["scope"].required = False

    def clean_scope(self) -> str:
        return self.cleaned_data.get("scope") or KashflowUser.Scope.WRITE

    def clean_user(self) -> Any:
        """Whoever holds a KashFlow API user's token acts as its person on /v2 (and
        the history books the writes to that person). So only a superuser may bind
        a staff or superuser account; anyone else binds a service account (a user
        who cannot sign in to the admin)."""
        user = self.cleaned_data["user"]
        requester = getattr(self, "requester", None)
        if user is not None and (user.is_staff or user.is_superuser) and not getattr(requester, "is_superuser", False):
            raise forms.ValidationError(SERVICE_ACCOUNT_ONLY)
        return user


class KashflowTokenInline(admin.TabularInline):
    model = KashflowToken
    extra = 0
    can_delete = False
    fields = ["prefix", "kind", "label", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "kind", "label", "created_at", "last_used_at", "expires_at", "revoked_at"]
    ordering = ["-created_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[KashflowToken]:
        return super().get_queryset(request).exclude(kind=KashflowToken.Kind.TEMPORARY)


class LockedFilter(admin.SimpleListFilter):
    """Users whose sign-in is locked now (too many failed attempts; logged as
    ``finhub.kashflow.signin``). Their issued tokens keep working."""

    title = _("sign-in locked")
    parameter_name = "locked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("yes", _("locked")), ("no", _("not locked"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[KashflowUser]) -> QuerySet[KashflowUser]:
        if self.value() == "yes":
            return queryset.filter(locked_until__gt=timezone.now())
        if self.value() == "no":
            return queryset.exclude(locked_until__gt=timezone.now())
        return queryset


@admin.register(KashflowUser)
class KashflowUserAdmin(admin.ModelAdmin):
    form = KashflowUserForm
    list_display = [
        "user",
        "api_access",
        "scope",
        "has_memorable_word",
        "failed_attempts",
        "locked_until",
        "created_at",
    ]
    list_filter = ["api_access", "scope", LockedFilter]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["memorable_word_length", "created_at"]
    inlines = [KashflowTokenInline]
    actions = ["issue_token", "unlock"]

    @admin.display(boolean=True, description=_("memorable word set"))
    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form):  # type: ignore[valid-type,misc]
            requester = request.user

        return RequestForm

    def has_memorable_word(self, owner: KashflowUser) -> bool:
        return owner.has_memorable_word

    def save_model(self, request: HttpRequest, obj: KashflowUser, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        word = form.cleaned_data.get("new_memorable_word")
        if word:
            set_memorable_word(obj, word)
        if not obj.api_access:
            obj.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    @admin.action(description=_("Issue a long-lived token (shown once)"), permissions=["change"])
    def issue_token(self, request: HttpRequest, queryset: QuerySet[KashflowUser]) -> HttpResponse | None:
        secrets = []
        for owner in queryset.select_related("user"):
            if not owner.api_access:
                self.message_user(request, _("%(user)s has no API access.") % {"user": owner}, messages.ERROR)
                continue
            token = issue_long_lived_token(owner, label=f"admin: {request.user}")
            secrets.append(OneTimeSecret(str(owner), "SessionToken", token))
        if not secrets:
            return None
        return one_time_secrets_page(request, self, secrets, title=_("Long-lived tokens"))

    @admin.action(description=_("Unlock the selected users"), permissions=["change"])
    def unlock(self, request: HttpRequest, queryset: QuerySet[KashflowUser]) -> None:
        queryset.update(locked_until=None, failed_attempts=0)


@admin.register(KashflowToken)
class KashflowTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "owner", "kind", "label", "created_at", "last_used_at", "expires_at", "revoked_at"]
    list_filter = ["kind", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "owner__user__username", "label"]
    readonly_fields = ["owner", "kind", "prefix", "positions", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[KashflowToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request, ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count}
        )

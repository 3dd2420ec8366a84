"""The users of the KashFlow API and their tokens."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class KashflowUser(models.Model):
    """API access and the memorable word of a Django user.

    The memorable word is never stored: see ``apps.purchases.sessions`` for how
    single characters of it are checked.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kashflow", verbose_name=_("user")
    )

    class Scope(models.TextChoices):
        READ = "purchases:read", _("purchases:read – read purchases")
        WRITE = "purchases:write", _("purchases:write – read, create, change and delete purchases")

    api_access = models.BooleanField(_("API access"), default=True)
    # Read-write is the default so that existing clients keep working (migration 0006).
    scope = models.CharField(
        _("scope"),
        max_length=20,
        choices=Scope.choices,
        default=Scope.WRITE,
        help_text=_("What the user's tokens may do on /v2 (signing in needs no scope)."),
    )
    memorable_word_length = models.PositiveSmallIntegerField(_("memorable word length"), default=0, editable=False)
    memorable_word_salt = models.CharField(max_length=64, blank=True, editable=False)
    memorable_word_digests = models.JSONField(default=list, blank=True, editable=False)
    failed_attempts = models.PositiveSmallIntegerField(_("failed sign-in attempts"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("KashFlow API user")
        verbose_name_plural = _("KashFlow API users")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return self.user.get_username()

    @property
    def has_memorable_word(self) -> bool:
        return self.memorable_word_length > 0

    def may(self, scope: str) -> bool:
        """Whether the user's grant covers ``scope``: write includes read."""
        if not self.api_access:
            return False
        return scope == self.scope or (scope == self.Scope.READ and self.scope == self.Scope.WRITE)

    @property
    def is_locked(self) -> bool:
        return self.locked_until is not None and self.locked_until > timezone.now()


class KashflowTokenQuerySet(models.QuerySet["KashflowToken"]):
    def active(self) -> KashflowTokenQuerySet:
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        )


class KashflowToken(models.Model):
    """A temporary token (sign-in step 1), a session token (idle expiry) or a
    long-lived token issued by an admin. Only the SHA-256 digest is stored."""

    class Kind(models.TextChoices):
        TEMPORARY = "temporary", _("temporary (sign-in step 1)")
        SESSION = "session", _("session")
        LONG_LIVED = "long_lived", _("long-lived")

    owner = models.ForeignKey(KashflowUser, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("user"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    token_hash = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("token prefix"), max_length=8, editable=False)
    label = models.CharField(_("label"), max_length=100, blank=True)
    positions = models.JSONField(_("memorable word positions"), default=list, blank=True, editable=False)
    created_at = models.DateTimeField(_("issued"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = KashflowTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("KashFlow token")
        verbose_name_plural = _("KashFlow tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.get_kind_display()}, {self.owner})"

"""KashFlow API users, memorable words and tokens.

Memorable words
---------------
KashFlow's sign-in asks for three characters of the user's memorable word at
random positions, so the server must be able to check *one character at a
given position* without ever holding the word. A single hash of the whole word
cannot do that, and keeping the word encrypted would keep it recoverable.

So we store, for each position ``i`` (1-based), the digest
``HMAC-SHA256(pepper, salt | i | lower(char))``:

* the per-user random **salt** makes equal words of two users hash differently
  and defeats precomputed tables;
* the **pepper** is a server secret (``KASHFLOW_MEMORABLE_WORD_PEPPER``, or a
  key derived from ``SECRET_KEY`` when it is unset) that is *not* in the
  database. A single character has only a few dozen possible values, so a
  slow hash per position would not protect it against someone holding the
  digests; what does is that, without the pepper, a stolen database does not
  let anyone test guesses at all;
* characters are lower-cased before hashing: KashFlow compares them case
  insensitively;
* digests are compared in constant time, and only the length of the word is
  kept in clear (the positions to ask for are drawn from it).

Rotating the pepper invalidates every memorable word (users set a new one).

Tokens
------
Temporary, session and long-lived tokens are random (a GUID, as KashFlow
issues) and only their SHA-256 digest is stored (``apps.core.services.token_digest``).
A session token expires after ``KASHFLOW_SESSION_IDLE_MINUTES`` without use; a
temporary token after ``KASHFLOW_TEMPORARY_TOKEN_MINUTES`` or after one wrong
answer; a long-lived token (issued by an admin) at its expiry date.

Sign-in attempts
----------------
Each attempt (a password at step 1, memorable characters at step 2) is counted
*before* it is checked, with one atomic ``UPDATE ... SET failed_attempts =
failed_attempts + 1``: so of N concurrent wrong attempts exactly
``MAX_FAILED_ATTEMPTS`` are checked and the rest find the user locked. The lock
(``LOCK_MINUTES``) stops signing in only: tokens already issued, in particular an
integration's long-lived token, keep working, so that a stranger who locks a user
does not stop its integration. Locking is logged and shown in the admin; an admin
may unlock early. An unknown user name costs the same password hashing as a known
one, so names cannot be told apart by timing.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from hashlib import sha256

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.exceptions import AuthenticationError, ValidationFailed
from apps.core.services import password_check_dummy, token_digest
from apps.purchases.models import KashflowToken, KashflowUser

POSITIONS_ASKED = 3
MAX_FAILED_ATTEMPTS = 5
LOCK_MINUTES = 15

logger = logging.getLogger("finhub.kashflow.signin")
LOCKED_MESSAGE = "User account is locked, please contact administrator."


class AccountLocked(AuthenticationError):
    pass


class InvalidCredentials(AuthenticationError):
    pass


def _pepper() -> bytes:
    configured = getattr(settings, "KASHFLOW_MEMORABLE_WORD_PEPPER", "")
    if configured:
        return configured.encode()
    return hmac.new(settings.SECRET_KEY.encode(), b"finhub.kashflow.memorable-word", sha256).digest()


def _char_digest(salt: str, position: int, char: str) -> str:
    message = f"{salt}|{position}|{char.lower()}".encode()
    return hmac.new(_pepper(), message, sha256).hexdigest()


def set_memorable_word(owner: KashflowUser, word: str) -> None:
    word = word.strip()
    if len(word) < 6:
        raise ValidationFailed("MemorableWord: the memorable word must be at least 6 characters long")
    owner.memorable_word_salt = secrets.token_hex(16)
    owner.memorable_word_length = len(word)
    owner.memorable_word_digests = [
        _char_digest(owner.memorable_word_salt, i, ch) for i, ch in enumerate(word, start=1)
    ]
    owner.save(update_fields=["memorable_word_salt", "memorable_word_length", "memorable_word_digests"])


def check_memorable_characters(owner: KashflowUser, answers: dict[int, str]) -> bool:
    if not owner.has_memorable_word:
        return False
    ok = True
    for position, value in answers.items():
        if not 1 <= position <= owner.memorable_word_length or len(value) != 1:
            ok = False
            continue
        expected = owner.memorable_word_digests[position - 1]
        ok &= hmac.compare_digest(expected, _char_digest(owner.memorable_word_salt, position, value))
    return ok


@transaction.atomic
def kashflow_user_create(
    *,
    username: str,
    password: str,
    memorable_word: str,
    is_staff: bool = False,
    scope: str = KashflowUser.Scope.WRITE,
) -> KashflowUser:
    """Create (or update) a Django user with API access (read-write unless told
    ``scope=purchases:read``) and a memorable word."""
    user_model = get_user_model()
    user, _created = user_model.objects.get_or_create(username=username, defaults={"is_staff": is_staff})
    user.set_password(password)
    user.is_active = True
    user.save()
    owner, _ = KashflowUser.objects.get_or_create(user=user)
    owner.api_access = True
    owner.scope = KashflowUser.Scope(scope)
    owner.save(update_fields=["api_access", "scope"])
    set_memorable_word(owner, memorable_word)
    return owner


def _new_token(owner: KashflowUser, kind: str, *, expires_at=None, positions=None, label: str = "") -> str:  # type: ignore[no-untyped-def]
    raw = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
    KashflowToken.objects.create(
        owner=owner,
        kind=kind,
        token_hash=token_digest(raw.lower()),
        prefix=raw[:8],
        positions=positions or [],
        expires_at=expires_at,
        last_used_at=timezone.now(),
        label=label,
    )
    return raw


def _count_attempt(owner: KashflowUser) -> int:
    """Count one sign-in attempt before checking it; its number in the current
    series. An expired lock starts a new series. Committed at once, so that
    concurrent attempts each see their own number."""
    now = timezone.now()
    with transaction.atomic():
        KashflowUser.objects.filter(pk=owner.pk, locked_until__lte=now).update(failed_attempts=0, locked_until=None)
        KashflowUser.objects.filter(pk=owner.pk).update(failed_attempts=F("failed_attempts") + 1)
        return int(KashflowUser.objects.filter(pk=owner.pk).values_list("failed_attempts", flat=True).get())


def _succeeded(owner: KashflowUser) -> None:
    KashflowUser.objects.filter(pk=owner.pk).update(failed_attempts=0)
    owner.failed_attempts = 0


def _password_ok(owner: KashflowUser) -> None:
    """Step 1 passed: the attempt is not a failure (step 2 still counts its own)."""
    KashflowUser.objects.filter(pk=owner.pk, failed_attempts__gt=0).update(failed_attempts=F("failed_attempts") - 1)


def _lock(owner: KashflowUser, *, address: str, step: str) -> None:
    until = timezone.now() + timedelta(minutes=LOCK_MINUTES)
    locked = (
        KashflowUser.objects.filter(pk=owner.pk).exclude(locked_until__gt=timezone.now()).update(locked_until=until)
    )
    if locked:
        logger.warning(
            "KashFlow API user %s locked until %s after %d failed sign-in attempts (last at %s from %s)",
            owner.user.get_username(),
            until.isoformat(),
            MAX_FAILED_ATTEMPTS,
            step,
            address,
        )


def _attempt(owner: KashflowUser, *, address: str, step: str) -> int:
    """Count the attempt; AccountLocked when the user is locked or the limit is passed."""
    if owner.is_locked:
        raise AccountLocked(LOCKED_MESSAGE)
    number = _count_attempt(owner)
    if number > MAX_FAILED_ATTEMPTS:
        _lock(owner, address=address, step=step)
        raise AccountLocked(LOCKED_MESSAGE)
    return number


def _failed(owner: KashflowUser, number: int, *, address: str, step: str) -> None:
    if number >= MAX_FAILED_ATTEMPTS:
        _lock(owner, address=address, step=step)


def _owner_named(username: str) -> KashflowUser | None:
    """The API user of a user name, matched case-insensitively as KashFlow does;
    when two Django users differ only in case, the exact spelling decides."""
    candidates = list(
        KashflowUser.objects.select_related("user").filter(
            user__username__iexact=username.strip(), user__is_active=True, api_access=True
        )[:10]
    )
    exact = [owner for owner in candidates if owner.user.get_username() == username.strip()]
    if exact:
        return exact[0]
    return candidates[0] if len(candidates) == 1 else None


@dataclass(frozen=True)
class SignInStep1:
    owner: KashflowUser
    temporary_token: str
    positions: list[int]


def sign_in_start(*, username: str, password: str, address: str = "") -> SignInStep1:
    """Step 1: check user name and password, return a temporary token and the
    positions of the memorable word to ask for."""
    owner = _owner_named(username)
    if owner is None:
        password_check_dummy(password)
        raise InvalidCredentials("The user name or password is incorrect.")
    number = _attempt(owner, address=address, step="password")
    if not owner.user.check_password(password) or not owner.has_memorable_word:
        _failed(owner, number, address=address, step="password")
        raise InvalidCredentials("The user name or password is incorrect.")
    _password_ok(owner)
    count = min(POSITIONS_ASKED, owner.memorable_word_length)
    positions = sorted(secrets.SystemRandom().sample(range(1, owner.memorable_word_length + 1), count))
    expires = timezone.now() + timedelta(minutes=settings.KASHFLOW_TEMPORARY_TOKEN_MINUTES)
    raw = _new_token(owner, KashflowToken.Kind.TEMPORARY, expires_at=expires, positions=positions)
    return SignInStep1(owner=owner, temporary_token=raw, positions=positions)


def sign_in_finish(*, temporary_token: str, answers: dict[int, str], address: str = "") -> tuple[KashflowUser, str]:
    """Step 2: exchange the temporary token and the asked characters for a
    session token. A temporary token serves for one attempt only: a wrong answer
    burns it (and counts towards the lock), so guessing means starting again."""
    with transaction.atomic():
        token = (
            KashflowToken.objects.active()
            .select_for_update()
            .select_related("owner__user")
            .filter(kind=KashflowToken.Kind.TEMPORARY, token_hash=token_digest(temporary_token.strip().lower()))
            .first()
        )
        if token is not None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    # Raised after the commit: the burnt token stays burnt.
    if token is None:
        raise InvalidCredentials("The temporary token is invalid or has expired.")
    owner = token.owner
    # Counted outside the token's transaction: the count commits at once (see _count_attempt).
    number = _attempt(owner, address=address, step="memorable word")
    if set(answers) != set(token.positions) or not check_memorable_characters(owner, answers):
        _failed(owner, number, address=address, step="memorable word")
        raise InvalidCredentials("The memorable word characters are incorrect.")
    _succeeded(owner)
    return owner, _new_token(owner, KashflowToken.Kind.SESSION)


def issue_long_lived_token(owner: KashflowUser, *, label: str = "", days: int | None = None) -> str:
    days = days or settings.KASHFLOW_LONG_LIVED_TOKEN_DAYS
    return _new_token(
        owner, KashflowToken.Kind.LONG_LIVED, expires_at=timezone.now() + timedelta(days=days), label=label
    )


def authenticate_token(raw: str) -> KashflowToken:
    """The valid session or long-lived token for a raw value, or AuthenticationError."""
    token = (
        KashflowToken.objects.select_related("owner__user")
        .filter(token_hash=token_digest(raw.strip().lower()), revoked_at__isnull=True)
        .exclude(kind=KashflowToken.Kind.TEMPORARY)
        .first()
    )
    now = timezone.now()
    if token is None or (token.expires_at is not None and token.expires_at <= now):
        raise AuthenticationError("Session token provided is invalid.")
    owner = token.owner
    if not owner.api_access or not owner.user.is_active:
        raise AuthenticationError("Session token provided is invalid.")
    # A lock stops signing in, not the tokens already issued (see "Sign-in attempts").
    if token.kind == KashflowToken.Kind.SESSION:
        idle = timedelta(minutes=settings.KASHFLOW_SESSION_IDLE_MINUTES)
        if token.last_used_at is None or now - token.last_used_at > idle:
            raise AuthenticationError("Session token provided is invalid.")
    # Record use at most once a minute, not on every request.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        KashflowToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(raw: str) -> bool:
    count = KashflowToken.objects.filter(token_hash=token_digest(raw.strip().lower()), revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    return count > 0

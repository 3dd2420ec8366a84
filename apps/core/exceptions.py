"""The exception root. Each wire format renders these into its own envelope."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A failure the caller can understand: carries an HTTP status and a message."""

    status_code = 400
    default_message: Any = _("The request could not be processed.")

    def __init__(self, message: Any = None, *, extra: dict[str, Any] | None = None) -> None:
        self.message = message if message is not None else self.default_message
        self.extra = extra or {}
        super().__init__(str(self.message))


class ValidationFailed(ApplicationError):
    """Invalid input. ``errors`` lists ``{index, field, message}`` (the first ones) and
    ``error_count`` counts them all."""

    status_code = 400
    default_message = _("The request is invalid.")

    def __init__(
        self,
        message: Any = None,
        *,
        errors: list[dict[str, Any]] | None = None,
        error_count: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, extra=extra)
        self.errors = errors or []
        self.error_count = error_count if error_count is not None else len(self.errors)


class AuthenticationError(ApplicationError):
    status_code = 401
    default_message = _("Authentication failed.")


class PermissionDeniedError(ApplicationError):
    status_code = 403
    default_message = _("You are not allowed to do this.")


class NotFoundError(ApplicationError):
    status_code = 404
    default_message = _("Not found.")


class ConflictError(ApplicationError):
    status_code = 409
    default_message = _("The request conflicts with the current state.")


class PayloadTooLarge(ApplicationError):
    status_code = 413
    default_message = _("The body is too large.")


class UnsupportedMediaTypeError(ApplicationError):
    status_code = 415
    default_message = _("Unsupported content type.")


class ServiceUnavailableError(ApplicationError):
    status_code = 503
    default_message = _("A service finhub needs is not reachable; retry later.")

"""Error messages shared by the wire formats. Tests assert on these constants."""

from django.utils.translation import gettext_lazy as _

SUCCESS = "success"

TOKEN_MISSING = _("The token header is missing.")
TOKEN_INVALID = _("The token is unknown, revoked or expired.")
CREDENTIALS_INVALID = _("appKey or appSecret is wrong, or the client is disabled.")
SYS_MISMATCH = _("The sys header does not match this client's system code.")
HEADER_REQUIRED = _("The {header} header is required.")
TRACE_ID_INVALID = _("The traceId header must be a UUID.")
HEADER_NOT_INTEGER = _("The {header} header must be an integer.")
MALFORMED_JSON = _("The body is not valid JSON: {detail}")
UNSUPPORTED_MEDIA_TYPE = _("Content-Type must be application/json.")
CHARSET_NOT_UTF8 = _("The body must be UTF-8 (charset=utf-8 or none), not charset={charset}.")
BODY_TOO_LARGE = _("The body is larger than the limit of {limit} bytes.")
NOT_FOUND = _("There is no such endpoint.")
TOO_MANY_FIELDS = _("Too many query parameters or form fields.")
BAD_REQUEST = _("The request is malformed.")
METHOD_NOT_ALLOWED = _("Method {method} is not allowed here.")
THROTTLED = _("Too many requests; retry in {wait} seconds.")
SERVER_ERROR = _("An unexpected error occurred; quote error id {error_id}.")
VALIDATION_FAILED = _("The body is invalid: {count} error(s).")
TRACE_ID_REUSED = _("This traceId was already used with a different request (body or query).")
TRACE_ID_IN_PROGRESS = _("A request with this traceId is still in progress.")
IMPORT_RUNNING = _("An import of {kind} {scope} is already running.")
PERMISSION_DENIED = _("You are not allowed to do this.")
SCOPE_MISSING = _("This client has not been granted the {scope} scope.")
SCOPE_UNKNOWN = _("Unknown scope(s): {scopes}. Known scopes: {known}.")
BROKER_UNAVAILABLE = _("The import queue is not reachable; nothing was imported. Retry later.")

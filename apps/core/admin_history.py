"""The history of changes in the admin, read-only and in the viewer's language.

Column titles are the fields' verbose names, values are shown as the rest of the
admin shows them (choices by their label, dates in the one date format, money
and quantities by the money rule, "–" for an empty value or a user no longer
there), and change reasons are translated by the model's admin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject, ModelChange
from simple_history.template_utils import HistoricalRecordContextHelper

from apps.core.money_display import EMPTY, format_date, format_money


def history_value(model: type[models.Model], name: str, value: Any, currency: str | None = None) -> Any:
    """A stored value of ``model.name`` as the admin shows it."""
    if value is None or value == "" or (isinstance(value, DeletedObject) and value.pk is None):
        return EMPTY
    try:
        field: Any = model._meta.get_field(name)
    except FieldDoesNotExist:  # an admin method's value: shown as it is
        field = None
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dt.date):
        return format_date(value)
    if isinstance(value, Decimal):
        return format_money(value, currency)
    return value


def _currency_of(record: Any) -> str | None:
    """The record's currency code (a statement's ``currency``, a purchase's ``currency_code``)."""
    return getattr(record, "currency", None) or getattr(record, "currency_code", None)


class _HistoryValues(HistoricalRecordContextHelper):
    def prepare_delta_change_value(self, change: ModelChange, value: Any) -> Any:
        value = super().prepare_delta_change_value(change, value)
        return history_value(self.model, change.field, value, _currency_of(self.record))


class HistoryAdmin(SimpleHistoryAdmin):
    """The history of changes, read-only: no "Revert". Restoring an old version
    field by field would bypass the services (a disputed statement back to
    "received" without its reason, a purchase's totals out of step with its
    payments), so a change goes through the model's own admin or API instead."""

    object_history_list_template = "admin/core/history_list.html"
    # Stored change reasons (English, as the services write them) -> what the admin shows.
    change_reason_labels: dict[str, Any] = {}

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        titles = [self.history_column_title(name) for name in self.get_history_list_display(request)]
        return super().history_view(request, object_id, {**(extra_context or {}), "history_titles": titles})

    def history_column_title(self, name: str) -> Any:
        method = getattr(self, name, None)
        if callable(method):
            return getattr(method, "short_description", name)
        try:
            return capfirst(self.model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a property of the history model
            return capfirst(name.replace("_", " "))

    def history_change_reason(self, reason: str | None) -> Any:
        if not reason:
            return EMPTY
        return self.change_reason_labels.get(reason, reason)

    def get_historical_record_context_helper(self, request: HttpRequest, historical_record: Any) -> Any:
        return _HistoryValues(self.model, historical_record)

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Sequence[Any], foreign_keys_are_objs: bool = True
    ) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        columns = self.get_history_list_display(request)
        for record in historical_records:
            record.history_values = [self._record_value(record, name) for name in columns]
            record.change_reason_display = self.history_change_reason(record.history_change_reason)

    def _record_value(self, record: Any, name: str) -> Any:
        try:
            value = getattr(record, name)
        except ObjectDoesNotExist:  # a related row since deleted
            return EMPTY
        if callable(value):
            value = value()
        return history_value(self.model, name, value, _currency_of(record))

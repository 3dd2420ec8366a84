"""The admin's part of matching statements against purchases: the product
mapping table, and for the statement admin a match status column and filter,
a re-run action, and on the statement page the match table with its totals
(re-run, accept a suggested mapping, export)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.core.admin_mixins import HistoryAdmin, file_download
from apps.core.exceptions import ApplicationError
from apps.purchases import selectors as purchases
from apps.reconciliation import messages as texts
from apps.reconciliation.exports import NOTE_TEXTS, match_csv, match_xlsx
from apps.reconciliation.matching.records import normalise_product_no
from apps.reconciliation.models import LineStatus, MatchLine, MatchStatus, ProductMapping, ReconciliationStatement
from apps.reconciliation.selectors import dispute_reason_from_match, match_purchases, statement_match_result
from apps.reconciliation.services import (
    Trigger,
    product_mapping_delete,
    product_mapping_learn,
    product_mapping_save,
    queue_match,
    statement_match,
)

# The statement page shows this many rows of the match table; the export has them all.
MATCH_ROWS_SHOWN = 500


class ProductMappingForm(forms.ModelForm):
    class Meta:
        model = ProductMapping
        fields = ["supplier", "supplier_product_no", "product_code", "factor", "unit"]

    def clean_supplier_product_no(self) -> str:
        return normalise_product_no(self.cleaned_data["supplier_product_no"])

    def clean_factor(self) -> Any:
        factor = self.cleaned_data["factor"]
        if factor is not None and factor <= 0:
            raise forms.ValidationError(texts.MAPPING_FACTOR_NOT_POSITIVE)
        return factor

    def clean_product_code(self) -> str:
        code = self.cleaned_data["product_code"].strip()
        found = purchases.product_codes([code.upper()])
        if not found:
            raise forms.ValidationError(texts.MAPPING_UNKNOWN_PRODUCT.format(code=code))
        return found[code.upper()]


@admin.register(ProductMapping)
class ProductMappingAdmin(HistoryAdmin):
    """Supplier product number -> finhub product (and the unit factor)."""

    form = ProductMappingForm
    list_display = ["supplier", "supplier_product_no", "product_code", "factor", "unit", "source", "updated_at"]
    list_filter = ["source", "supplier"]
    search_fields = ["supplier_product_no", "product_code", "supplier__code", "supplier__name"]
    autocomplete_fields = ["supplier"]
    list_select_related = ["supplier", "unit"]

    def save_model(self, request: HttpRequest, obj: ProductMapping, form: Any, change: bool) -> None:
        product_mapping_save(mapping=obj, by=request.user)

    def delete_model(self, request: HttpRequest, obj: ProductMapping) -> None:
        product_mapping_delete(mapping=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for mapping in queryset:
            product_mapping_delete(mapping=mapping)


class MatchStatusFilter(admin.SimpleListFilter):
    title = _("match status")
    parameter_name = "match_status"
    STALE = "stale"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [*MatchStatus.choices, (self.STALE, _("stale (re-run queued)"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == MatchStatus.NOT_RUN:
            return queryset.filter(match__isnull=True)
        if value == self.STALE:
            return queryset.filter(match__stale_since__isnull=False)
        if value in MatchStatus.values:
            return queryset.filter(match__status=value)
        return queryset


class StatementMatchAdminMixin:
    """Mixed into the statement admin: everything matching adds to it."""

    match_list_filter = MatchStatusFilter
    match_action = "rematch_statements"

    # The statement admin provides these.
    opts: Any
    admin_site: Any
    has_change_permission: Any
    has_view_permission: Any
    message_user: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReconciliationStatement]:
        return super().get_queryset(request).select_related("match")  # type: ignore[misc]

    @admin.display(description=_("match"), ordering="match__status")
    def match_status(self, statement: ReconciliationStatement) -> str:
        match = getattr(statement, "match", None)
        if match is None:
            return str(MatchStatus.NOT_RUN.label)
        label = str(match.get_status_display())
        return f"{label} ({_('stale')})" if match.is_stale else label

    @admin.action(description=_("Match the selected statements against purchases again"), permissions=["change"])
    def rematch_statements(self, request: HttpRequest, queryset: QuerySet[ReconciliationStatement]) -> None:
        ids = list(queryset.values_list("pk", flat=True))
        for statement_id in ids:
            queue_match(statement_id, Trigger.ADMIN, user_id=request.user.pk)
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.message_user(request, texts.MATCH_DONE % {"count": len(ids)}, messages.SUCCESS)
        else:
            self.message_user(request, texts.MATCH_QUEUED % {"count": len(ids)}, messages.SUCCESS)

    # --- the statement page ------------------------------------------------------------

    def match_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/match/run/",
                self.admin_site.admin_view(self.match_run_view),
                name="{}_{}_match_run".format(*info),
            ),
            path(
                "<int:object_id>/match/accept/<int:row_id>/",
                self.admin_site.admin_view(self.match_accept_view),
                name="{}_{}_match_accept".format(*info),
            ),
            path(
                "<int:object_id>/match/export/<str:file_format>/",
                self.admin_site.admin_view(self.match_export_view),
                name="{}_{}_match_export".format(*info),
            ),
        ]

    def match_context(self, request: HttpRequest, statement: ReconciliationStatement) -> dict[str, Any]:
        match = statement_match_result(statement)
        context: dict[str, Any] = {"match": match, "match_can_run": self.has_change_permission(request, statement)}
        if match is None:
            return context
        rows = list(match.lines.all())
        for row in rows[:MATCH_ROWS_SHOWN]:
            row.note_texts = [str(NOTE_TEXTS[note]) for note in row.notes.split(",") if note in NOTE_TEXTS]  # type: ignore[attr-defined]
        kinds = match.difference_by_kind or {}
        context.update(
            {
                "match_rows": rows[:MATCH_ROWS_SHOWN],
                "match_rows_hidden": max(0, len(rows) - MATCH_ROWS_SHOWN),
                "match_purchase_count": len(match_purchases(match)),
                "match_kinds": [
                    (label, kinds.get(kind))
                    for kind, label in [
                        ("quantity", _("quantity differs")),
                        ("price", _("price differs")),
                        ("amount", _("amount differs")),
                        ("not_in_purchases", _("not in purchases")),
                        ("not_on_statement", _("not on statement")),
                        ("within_tolerance", _("within tolerance and rounding")),
                    ]
                    if kind in kinds
                ],
                "match_everything_matched": match.status == MatchStatus.ALL_MATCHED and not match.is_stale,
                "match_has_differences": match.status == MatchStatus.DIFFERENCES,
                "match_matched_status": LineStatus.MATCHED,
                "company_tax_id": settings.COMPANY_TAX_ID,
                "supplier_add_url": reverse("admin:purchases_supplier_add")
                + "?"
                + urlencode(
                    {"name": statement.supplier_name, purchases.SUPPLIER_TAX_ID_FIELD: statement.supplier_tax_id}
                ),
                "match_messages": self._match_messages(match, statement),
            }
        )
        return context

    @staticmethod
    def _match_messages(match: Any, statement: ReconciliationStatement) -> list[str]:
        notes = []
        if match.status == MatchStatus.UNKNOWN_SUPPLIER:
            notes.append(texts.MATCH_UNKNOWN_SUPPLIER.format(tax_id=statement.supplier_tax_id))
        if match.status == MatchStatus.AMBIGUOUS_SUPPLIER:
            notes.append(
                texts.MATCH_AMBIGUOUS_SUPPLIER.format(count=len(match.candidates), tax_id=statement.supplier_tax_id)
            )
        if match.status == MatchStatus.OTHER_BUYER:
            notes.append(texts.MATCH_OTHER_BUYER.format(tax_id=statement.buyer_tax_id, company=settings.COMPANY_TAX_ID))
        if match.buyer_check == "skipped":
            notes.append(str(texts.MATCH_BUYER_NOT_CHECKED))
        if match.currency_assumed:
            notes.append(texts.MATCH_CURRENCY_ASSUMED.format(currency=match.currency))
        if match.other_currency_lines:
            notes.append(texts.MATCH_OTHER_CURRENCY.format(count=match.other_currency_lines))
        if match.is_stale:
            notes.append(str(texts.MATCH_STALE))
        return notes

    def dispute_reason_initial(self, statement: ReconciliationStatement) -> str:
        match = statement_match_result(statement)
        return dispute_reason_from_match(match) if match is not None else ""

    def _statement_for_change(self, request: HttpRequest, object_id: int) -> ReconciliationStatement:
        statement = get_object_or_404(ReconciliationStatement, pk=object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        return statement

    def _change_page(self, statement: ReconciliationStatement) -> HttpResponseRedirect:
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[statement.pk])
        return HttpResponseRedirect(url + "#match")

    def match_run_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        statement = self._statement_for_change(request, object_id)
        if request.method == "POST":
            match = statement_match(statement=statement, trigger=Trigger.ADMIN, by=request.user)
            self.message_user(
                request, _("Matched: %(status)s.") % {"status": match.get_status_display()}, messages.SUCCESS
            )
        return self._change_page(statement)

    def match_accept_view(self, request: HttpRequest, object_id: int, row_id: int) -> HttpResponse:
        statement = self._statement_for_change(request, object_id)
        row = get_object_or_404(MatchLine.objects.select_related("match", "statement_line"), pk=row_id)
        if row.match.statement_id != statement.pk:
            raise Http404
        if request.method == "POST":
            try:
                mapping = product_mapping_learn(match_line=row, by=request.user)
            except ApplicationError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
            else:
                self.message_user(
                    request,
                    texts.MAPPING_LEARNED.format(
                        product_no=mapping.supplier_product_no,
                        supplier=row.match.supplier_name,
                        product_code=mapping.product_code,
                    ),
                    messages.SUCCESS,
                )
        return self._change_page(statement)

    def match_export_view(self, request: HttpRequest, object_id: int, file_format: str) -> HttpResponse:
        statement = get_object_or_404(ReconciliationStatement, pk=object_id)
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        match = statement_match_result(statement)
        if match is None:
            raise Http404(texts.MATCH_NOT_RUN)
        filename = f"{statement.reconciliation_no}-match"
        if file_format == "xlsx":
            return file_download(match_xlsx(statement, match), file_format="xlsx", filename=filename)
        if file_format == "csv":
            return file_download("\ufeff" + match_csv(statement, match), file_format="csv", filename=filename)
        raise Http404(file_format)

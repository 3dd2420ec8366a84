"""Admin of purchases: edited with their lines and payments inline; after every
save the totals, line VAT and stock receipts are recomputed by
``apps.purchases.services`` (the same code as the API). The list exports to
CSV/XLSX (django-import-export) and each purchase has its history of changes
(django-simple-history)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from apps.core.admin_mixins import CurrencyTotalsMixin, ExportActionAdminMixin, HistoryAdmin
from apps.core.money_display import format_number, money_column, money_html
from apps.purchases.models import PaymentLine, Purchase, PurchaseLine, PurchaseStatus
from apps.purchases.pricing import check_amounts, compute_totals, line_vat
from apps.purchases.services import (
    CURRENCY_CODE_FIELD,
    EXCHANGE_RATE_FIELD,
    FieldErrors,
    next_free_number,
    purchase_currency_validate,
    purchase_delete,
    purchase_refresh_totals,
    stock_tracking,
)


class PurchaseResource(resources.ModelResource):
    supplier_code = fields.Field(attribute="supplier__code", column_name="supplier_code")
    project_number = fields.Field(attribute="project__number", column_name="project_number")
    status = fields.Field(column_name="status")
    due_amount = fields.Field(column_name="due_amount")

    class Meta:
        model = Purchase
        fields = [
            "number",
            "supplier_code",
            "supplier_name",
            "supplier_reference",
            "issued_date",
            "due_date",
            "currency_code",
            "exchange_rate",
            "net_amount",
            "vat_amount",
            "gross_amount",
            "home_currency_gross_amount",
            "total_paid_amount",
            "due_amount",
            "status",
            "paid_date",
            "project_number",
            "additional_field_value",
        ]
        export_order = fields

    def dehydrate_status(self, purchase: Purchase) -> str:
        return purchase.status_on()

    def dehydrate_due_amount(self, purchase: Purchase) -> Any:
        return purchase.due_amount


# --- purchases ---------------------------------------------------------------------------

# KashFlow's status values are English words on the wire; the admin shows them translated.
STATUS_LABELS: dict[str, Any] = {
    PurchaseStatus.UNPAID: _("unpaid"),
    PurchaseStatus.OVERDUE: _("overdue"),
    PurchaseStatus.PAID: _("paid"),
    PurchaseStatus.OVERPAID: _("overpaid"),
    PurchaseStatus.NA: _("no amount"),
}


def _money(field: str, model: Any = None) -> Any:
    return money_column(model or Purchase, field, currency="currency_code")


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(s.value, STATUS_LABELS[s.value]) for s in PurchaseStatus]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> QuerySet[Purchase]:
        if self.value():
            return queryset.with_status(self.value() or "", timezone.localdate())  # type: ignore[attr-defined]
        return queryset


class PurchaseLineForm(forms.ModelForm):
    number = forms.IntegerField(
        required=False, min_value=1, label=capfirst(_("line number")), help_text=_("Empty: next line number.")
    )

    class Meta:
        model = PurchaseLine
        fields = [
            "number",
            "description",
            "quantity",
            "rate",
            "vat_level",
            "vat_exempt",
            "nominal",
            "product",
            "project",
            "tax_code",
        ]


class PurchaseLineFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        """The lines' amounts through the same rules as a /v2 write (a negative
        Rate, a negative net total, amounts the columns cannot hold), with the
        same messages, before anything is saved."""
        super().clean()
        lines = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or data.get("quantity") is None or data.get("rate") is None:
                continue
            line = PurchaseLine(quantity=data["quantity"], rate=data["rate"])
            line.vat_amount = line_vat(
                data["quantity"], data["rate"], data.get("vat_level") or Decimal(0), bool(data.get("vat_exempt"))
            )
            lines.append(line)
        rate = self.instance.exchange_rate or Decimal(1)
        totals = compute_totals(((ln.quantity, ln.rate, ln.vat_amount) for ln in lines), [], rate)
        errors = FieldErrors()
        check_amounts(lines, totals, errors)
        if errors.items:
            raise forms.ValidationError([f"{error['field']}: {error['message']}" for error in errors.items])


# Line fields shown, where they cannot be edited, by the money/number display rule.
_SHOWN_READ_ONLY = {"quantity": "quantity_display", "rate": "rate_money", "vat_level": "vat_level_display"}


def _read_only_row(row: Any) -> Any:
    if isinstance(row, tuple | list):
        return tuple(_SHOWN_READ_ONLY.get(name, name) for name in row)
    return _SHOWN_READ_ONLY.get(row, row)


class PurchaseLineInline(admin.StackedInline):
    """Stacked: each line is three short rows, so the form fits 1366 px."""

    model = PurchaseLine
    form = PurchaseLineForm
    formset = PurchaseLineFormSet
    extra = 0
    classes = ["stacked-lines"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("number", "description"),
                    ("quantity", "rate", "vat_level", "vat_exempt", "vat_amount_money"),
                    ("nominal", "product", "project", "tax_code"),
                    ("stock_received", "stock_received_on"),
                ]
            },
        )
    ]
    readonly_fields = [
        "vat_amount_money",
        "stock_received",
        "stock_received_on",
        *_SHOWN_READ_ONLY.values(),
    ]
    autocomplete_fields = ["nominal", "product", "project"]
    vat_amount_money = money_column(PurchaseLine, "vat_amount", currency="purchase__currency_code")
    rate_money = money_column(PurchaseLine, "rate", currency="purchase__currency_code")

    @admin.display(description=_("quantity"))
    def quantity_display(self, line: PurchaseLine) -> str:
        return format_number(line.quantity)

    @admin.display(description=_("VAT %"))
    def vat_level_display(self, line: PurchaseLine) -> str:
        return format_number(line.vat_level)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        """Who may not change the lines (an auditor) sees the numbers by the display rule."""
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj):
            return fieldsets
        return [
            (name, {**options, "fields": [_read_only_row(row) for row in options["fields"]]})
            for name, options in fieldsets
        ]


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    extra = 0
    fields = ["date", "amount", "method", "bank_account", "note", "bank_transaction_id"]
    classes = ["payment-lines"]
    readonly_fields = ["bank_transaction_id"]


class PurchaseForm(forms.ModelForm):
    number = forms.IntegerField(
        required=False, min_value=1, label=capfirst(_("number")), help_text=_("Empty: the next free number.")
    )

    class Meta:
        model = Purchase
        fields = [
            "number",
            "supplier",
            "supplier_reference",
            "issued_date",
            "due_date",
            "currency_code",
            "exchange_rate",
            "project",
            "additional_field_value",
            "purchase_in_ec_member_state",
            "is_wht_deduction_to_be_applied",
        ]

    # The /v2 field a service error names -> the admin form field it belongs to.
    SERVICE_FIELDS = {CURRENCY_CODE_FIELD: "currency_code", EXCHANGE_RATE_FIELD: "exchange_rate"}

    def clean(self) -> dict[str, Any]:
        """The currency and rate go through the same service as a /v2 write, so the
        admin refuses what the API refuses, with the same message."""
        cleaned = super().clean() or {}
        errors = FieldErrors()
        code, rate = purchase_currency_validate(
            currency_code=cleaned.get("currency_code"), exchange_rate=cleaned.get("exchange_rate"), errors=errors
        )
        for error in errors.items:
            field = self.SERVICE_FIELDS[error["field"]]
            if field in cleaned:
                self.add_error(field, f"{error['field']}: {error['message']}")
        if not errors.items:
            cleaned["currency_code"], cleaned["exchange_rate"] = code, rate
        return cleaned


@admin.register(Purchase)
class PurchaseAdmin(CurrencyTotalsMixin, ExportActionAdminMixin, HistoryAdmin):
    resource_classes = [PurchaseResource]
    form = PurchaseForm
    list_display = [
        "number",
        "supplier_name",
        "supplier_reference",
        "issued_date",
        "due_date",
        "currency_code",
        "gross_amount_money",
        "total_paid_amount_money",
        "status_display",
        "overdue_days_display",
    ]
    totals_currency = "currency_code"
    totals_fields = ("net_amount", "vat_amount", "gross_amount", "total_paid_amount")
    net_amount_money = _money("net_amount")
    vat_amount_money = _money("vat_amount")
    gross_amount_money = _money("gross_amount")
    total_paid_amount_money = _money("total_paid_amount")
    home_currency_gross_amount_money = money_column(
        Purchase, "home_currency_gross_amount", currency=lambda purchase: settings.KASHFLOW_HOME_CURRENCY
    )
    list_filter = [
        StatusFilter,
        ("supplier", admin.RelatedOnlyFieldListFilter),
        ("project", admin.RelatedOnlyFieldListFilter),
        "issued_date",
        "due_date",
        "currency_code",
    ]
    search_fields = ["=number", "supplier__code", "supplier_name", "supplier_reference", "additional_field_value"]
    list_select_related = ["project"]
    date_hierarchy = "issued_date"
    autocomplete_fields = ["supplier", "project"]
    inlines = [PurchaseLineInline, PaymentLineInline]
    readonly_fields = [
        "uuid",
        "net_amount_money",
        "vat_amount_money",
        "gross_amount_money",
        "home_currency_gross_amount_money",
        "total_paid_amount_money",
        "due_amount_display",
        "status_display",
        "overdue_days_display",
        "paid_date",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "number",
                    "supplier",
                    "supplier_reference",
                    ("issued_date", "due_date"),
                    ("currency_code", "exchange_rate"),
                    "project",
                    "additional_field_value",
                    ("purchase_in_ec_member_state", "is_wht_deduction_to_be_applied"),
                ]
            },
        ),
        (
            _("Computed"),
            {
                "fields": [
                    ("net_amount_money", "vat_amount_money", "gross_amount_money"),
                    "home_currency_gross_amount_money",
                    ("total_paid_amount_money", "due_amount_display"),
                    ("status_display", "overdue_days_display", "paid_date"),
                    "uuid",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    history_list_display = ["gross_amount", "total_paid_amount", "settlement"]

    @admin.display(description=_("status"))
    def status_display(self, purchase: Purchase) -> Any:
        return STATUS_LABELS[purchase.status_on()] if purchase.pk else "–"

    @admin.display(description=_("overdue days"))
    def overdue_days_display(self, purchase: Purchase) -> int:
        return purchase.overdue_days if purchase.pk else 0

    @admin.display(description=_("amount due"))
    def due_amount_display(self, purchase: Purchase) -> Any:
        return money_html(purchase.due_amount if purchase.pk else None, purchase.currency_code)

    def save_model(self, request: HttpRequest, obj: Purchase, form: Any, change: bool) -> None:
        obj.supplier_code = obj.supplier.code
        obj.supplier_name = obj.supplier.name
        obj.project_number = obj.project.number if obj.project else None
        obj.project_name = obj.project.name if obj.project else ""
        obj.currency_code = (obj.currency_code or "").upper()
        if not obj.number:
            obj.number = next_free_number()
        # One history row per save, written by the totals refresh in save_related
        # (with the final totals and the signed-in user), not one here as well.
        obj.skip_history_when_saving = True  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is PurchaseLine:
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            taken = set(form.instance.lines.values_list("number", flat=True))
            for line in instances:
                if not line.number:
                    line.number = max(taken, default=0) + 1
                taken.add(line.number)
                line.save()
            # Only these lines get their VAT recomputed: the others keep theirs
            # (a VATAmount sent through /v2 is the supplier's invoice's).
            form.instance._edited_line_ids = {line.pk for line in instances}
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Stock moves by what the received lines changed; totals by the API's service.
        with stock_tracking(form.instance):
            super().save_related(request, form, formsets, change)
        form.instance.__dict__.pop("skip_history_when_saving", None)
        form.instance._history_user = request.user
        purchase_refresh_totals(form.instance, recompute_lines=getattr(form.instance, "_edited_line_ids", set()))

    def delete_model(self, request: HttpRequest, obj: Purchase) -> None:
        purchase_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> None:
        for purchase in queryset:
            purchase_delete(purchase)

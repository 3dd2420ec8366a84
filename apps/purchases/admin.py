"""Admin of purchases and what they refer to.

Purchases are edited with their lines and payments inline; after every save the
totals, line VAT and stock receipts are recomputed by ``apps.purchases.services``
(the same code as the API). Lists export to CSV/XLSX (django-import-export) and
each purchase has its history of changes (django-simple-history)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources
from import_export.admin import ExportActionMixin, ImportExportModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from apps.core.admin_mixins import CSV_XLSX_FORMATS
from apps.purchases.models import (
    BankAccount,
    BankTransaction,
    KashflowToken,
    KashflowUser,
    NominalAccount,
    PaymentLine,
    PaymentMethod,
    Product,
    Project,
    Purchase,
    PurchaseLine,
    Supplier,
)
from apps.purchases.services import (
    STATUS_NA,
    STATUS_OVERDUE,
    STATUS_OVERPAID,
    STATUS_PAID,
    STATUS_UNPAID,
    filter_by_status,
    next_free_number,
    purchase_delete,
    purchase_refresh_totals,
    purchase_status,
    stock_tracking,
)
from apps.purchases.sessions import issue_long_lived_token, set_memorable_word

# --- export resources ------------------------------------------------------------------


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
        return purchase_status(purchase)

    def dehydrate_due_amount(self, purchase: Purchase) -> Any:
        return purchase.due_amount


class SupplierResource(resources.ModelResource):
    class Meta:
        model = Supplier
        import_id_fields = ["code"]
        fields = ["code", "name", "tax_id", "email", "currency_code"]


class NominalResource(resources.ModelResource):
    class Meta:
        model = NominalAccount
        import_id_fields = ["code"]
        fields = ["code", "name"]


class ProjectResource(resources.ModelResource):
    class Meta:
        model = Project
        import_id_fields = ["number"]
        fields = ["number", "name"]


class ProductResource(resources.ModelResource):
    class Meta:
        model = Product
        import_id_fields = ["code"]
        fields = ["code", "name", "stock_managed", "quantity_in_stock"]


class BankAccountResource(resources.ModelResource):
    class Meta:
        model = BankAccount
        fields = ["id", "name", "account_number", "currency_code"]


# --- purchases ---------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(s, s) for s in (STATUS_UNPAID, STATUS_OVERDUE, STATUS_PAID, STATUS_OVERPAID, STATUS_NA)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> QuerySet[Purchase]:
        if self.value():
            return filter_by_status(queryset, self.value() or "", timezone.localdate())
        return queryset


class PurchaseLineForm(forms.ModelForm):
    number = forms.IntegerField(required=False, min_value=1, help_text=_("Empty: next line number."))

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


class PurchaseLineInline(admin.TabularInline):
    model = PurchaseLine
    form = PurchaseLineForm
    extra = 0
    fields = [
        "number",
        "description",
        "quantity",
        "rate",
        "vat_level",
        "vat_exempt",
        "vat_amount",
        "nominal",
        "product",
        "project",
        "tax_code",
        "stock_received",
        "stock_received_on",
    ]
    readonly_fields = ["vat_amount", "stock_received", "stock_received_on"]
    autocomplete_fields = ["nominal", "product", "project"]


class PaymentLineInline(admin.TabularInline):
    model = PaymentLine
    extra = 0
    fields = ["date", "amount", "method", "bank_account", "note", "bank_transaction_id"]
    readonly_fields = ["bank_transaction_id"]


class PurchaseForm(forms.ModelForm):
    number = forms.IntegerField(required=False, min_value=1, help_text=_("Empty: the next free number."))

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


@admin.register(Purchase)
class PurchaseAdmin(ExportActionMixin, SimpleHistoryAdmin):
    resource_classes = [PurchaseResource]
    formats = CSV_XLSX_FORMATS
    form = PurchaseForm
    list_display = [
        "number",
        "supplier_name",
        "supplier_reference",
        "issued_date",
        "due_date",
        "currency_code",
        "gross_amount",
        "total_paid_amount",
        "status_display",
        "overdue_days_display",
        "project",
    ]
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
        "net_amount",
        "vat_amount",
        "gross_amount",
        "home_currency_gross_amount",
        "total_paid_amount",
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
                    ("net_amount", "vat_amount", "gross_amount"),
                    "home_currency_gross_amount",
                    ("total_paid_amount", "due_amount_display"),
                    ("status_display", "overdue_days_display", "paid_date"),
                    "uuid",
                    ("created_at", "updated_at"),
                ]
            },
        ),
    ]
    history_list_display = ["gross_amount", "total_paid_amount", "settlement"]

    @admin.display(description=_("status"))
    def status_display(self, purchase: Purchase) -> str:
        return purchase_status(purchase) if purchase.pk else "–"

    @admin.display(description=_("overdue days"))
    def overdue_days_display(self, purchase: Purchase) -> int:
        return purchase.overdue_days if purchase.pk else 0

    @admin.display(description=_("due"))
    def due_amount_display(self, purchase: Purchase) -> Any:
        return purchase.due_amount if purchase.pk else "–"

    def save_model(self, request: HttpRequest, obj: Purchase, form: Any, change: bool) -> None:
        obj.supplier_code = obj.supplier.code
        obj.supplier_name = obj.supplier.name
        obj.project_number = obj.project.number if obj.project else None
        obj.project_name = obj.project.name if obj.project else ""
        obj.currency_code = (obj.currency_code or "").upper()
        if not obj.number:
            obj.number = next_free_number()
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
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Stock moves by what the received lines changed; totals by the API's service.
        with stock_tracking(form.instance):
            super().save_related(request, form, formsets, change)
        purchase_refresh_totals(form.instance)

    def delete_model(self, request: HttpRequest, obj: Purchase) -> None:
        purchase_delete(obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Purchase]) -> None:
        for purchase in queryset:
            purchase_delete(purchase)


# --- reference data ----------------------------------------------------------------------


@admin.register(Supplier)
class SupplierAdmin(ImportExportModelAdmin):
    resource_classes = [SupplierResource]
    formats = CSV_XLSX_FORMATS
    list_display = ["code", "name", "tax_id", "email", "currency_code", "created_at"]
    search_fields = ["code", "name", "tax_id"]


@admin.register(NominalAccount)
class NominalAccountAdmin(ImportExportModelAdmin):
    resource_classes = [NominalResource]
    formats = CSV_XLSX_FORMATS
    list_display = ["code", "name"]
    search_fields = ["=code", "name"]


@admin.register(Project)
class ProjectAdmin(ImportExportModelAdmin):
    resource_classes = [ProjectResource]
    formats = CSV_XLSX_FORMATS
    list_display = ["number", "name"]
    search_fields = ["=number", "name"]


@admin.register(Product)
class ProductAdmin(ImportExportModelAdmin):
    resource_classes = [ProductResource]
    formats = CSV_XLSX_FORMATS
    list_display = ["code", "name", "stock_managed", "quantity_in_stock", "nominal"]
    list_filter = ["stock_managed"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["nominal"]


@admin.register(BankAccount)
class BankAccountAdmin(ImportExportModelAdmin):
    resource_classes = [BankAccountResource]
    formats = CSV_XLSX_FORMATS
    list_display = ["id", "name", "account_number", "currency_code"]
    search_fields = ["name", "account_number"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["id", "name"]
    search_fields = ["name"]


@admin.register(BankTransaction)
class BankTransactionAdmin(admin.ModelAdmin):
    list_display = ["id", "date", "amount", "reference", "bank_account", "nominal"]
    list_filter = ["bank_account", "date"]
    search_fields = ["=id", "reference"]
    date_hierarchy = "date"


# --- API users and tokens ---------------------------------------------------------------------


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
        fields = ["user", "api_access", "failed_attempts", "locked_until"]


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


@admin.register(KashflowUser)
class KashflowUserAdmin(admin.ModelAdmin):
    form = KashflowUserForm
    list_display = ["user", "api_access", "has_memorable_word", "locked_until", "created_at"]
    list_filter = ["api_access"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["memorable_word_length", "created_at"]
    inlines = [KashflowTokenInline]
    actions = ["issue_token", "unlock"]

    @admin.display(boolean=True, description=_("memorable word set"))
    def has_memorable_word(self, owner: KashflowUser) -> bool:
        return owner.has_memorable_word

    def save_model(self, request: HttpRequest, obj: KashflowUser, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        word = form.cleaned_data.get("new_memorable_word")
        if word:
            set_memorable_word(obj, word)
        if not obj.api_access:
            obj.tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())

    @admin.action(description=_("Issue a long-lived token (shown once)"))
    def issue_token(self, request: HttpRequest, queryset: QuerySet[KashflowUser]) -> None:
        for owner in queryset.select_related("user"):
            if not owner.api_access:
                self.message_user(request, _("%(user)s has no API access.") % {"user": owner}, messages.ERROR)
                continue
            token = issue_long_lived_token(owner, label=f"admin: {request.user}")
            self.message_user(
                request,
                _("%(user)s: SessionToken %(token)s — copy it now, it is not shown again.")
                % {"user": owner, "token": token},
                messages.WARNING,
            )

    @admin.action(description=_("Unlock the selected users"))
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

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[KashflowToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": count})

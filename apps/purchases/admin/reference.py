"""Admin of the reference data of purchases: nominals, projects, products,
 bank accounts, payment methods and bank transactions (import and
export as CSV/XLSX where staff keep them in spreadsheets)."""

from __future__ import annotations

from django.contrib import admin
from import_export import resources

from apps.core.admin_mixins import CurrencyTotalsMixin, ImportExportAdmin
from apps.core.money_display import money_column
from apps.purchases.models import (
    BankAccount,
    BankTransaction,
    NominalAccount,
    PaymentMethod,
    Product,
    Project,
)


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


@admin.register(NominalAccount)
class NominalAccountAdmin(ImportExportAdmin):
    resource_classes = [NominalResource]
    list_display = ["code", "name"]
    search_fields = ["=code", "name"]


@admin.register(Project)
class ProjectAdmin(ImportExportAdmin):
    resource_classes = [ProjectResource]
    list_display = ["number", "name"]
    search_fields = ["=number", "name"]


@admin.register(Product)
class ProductAdmin(ImportExportAdmin):
    resource_classes = [ProductResource]
    list_display = ["code", "name", "stock_managed", "quantity_in_stock", "nominal"]
    list_filter = ["stock_managed"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["nominal"]


@admin.register(BankAccount)
class BankAccountAdmin(ImportExportAdmin):
    resource_classes = [BankAccountResource]
    list_display = ["id", "name", "account_number", "currency_code"]
    search_fields = ["name", "account_number"]


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["id", "name"]
    search_fields = ["name"]


@admin.register(BankTransaction)
class BankTransactionAdmin(CurrencyTotalsMixin, admin.ModelAdmin):
    list_display = ["id", "date", "amount_money", "reference", "bank_account", "nominal"]
    list_select_related = ["bank_account", "nominal"]
    totals_currency = "bank_account__currency_code"
    totals_fields = ("amount",)
    amount_money = money_column(BankTransaction, "amount", currency="bank_account__currency_code")
    list_filter = ["bank_account", "date"]
    search_fields = ["=id", "reference"]
    date_hierarchy = "date"

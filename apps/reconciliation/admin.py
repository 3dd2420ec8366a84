from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_mixins import BoundedTextAdminMixin, HistoryAdmin, file_download
from apps.core.exceptions import ApplicationError
from apps.core.money_display import format_date, money_column
from apps.reconciliation.admin_match import MatchStatusFilter, StatementMatchAdminMixin
from apps.reconciliation.exports import statements_csv, statements_xlsx
from apps.reconciliation.forms import DisputeForm
from apps.reconciliation.models import ReconciliationStatement, StatementLine, Unit
from apps.reconciliation.selectors import statement_list, statement_totals
from apps.reconciliation.services import statement_confirm, statement_dispute, unit_save

# The inline fits 1366 px: name and specification share a column, as do quantity and unit.
LINE_FIELDS = (
    "item_no",
    "product_display",
    "product_no",
    "quantity_display",
    "unit_price_money",
    "amount_without_tax_money",
    "tax_percent",
    "tax_amount_money",
    "amount_money",
    "discount_money",
    "buyer_product_display",
)


def _line_money(field: str) -> Any:
    return money_column(StatementLine, field, currency="statement__currency")


@admin.register(Unit)
class UnitAdmin(BoundedTextAdminMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_zh", "is_active"]
    list_editable = ["name", "name_zh", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_zh"]

    def save_model(self, request: HttpRequest, obj: Unit, form: Any, change: bool) -> None:
        unit_save(unit=obj)


class StatementLineInline(admin.TabularInline):
    """The lines as the supplier sent them: read-only."""

    model = StatementLine
    extra = 0
    can_delete = False
    fields = LINE_FIELDS
    readonly_fields = LINE_FIELDS

    unit_price_money = _line_money("unit_price")
    amount_without_tax_money = _line_money("amount_without_tax")
    tax_amount_money = _line_money("tax_amount")
    amount_money = _line_money("amount")
    discount_money = _line_money("discount")

    def get_queryset(self, request: HttpRequest) -> QuerySet[StatementLine]:
        return super().get_queryset(request).select_related("unit", "statement")

    @admin.display(description=_("product name (seller)"))
    def product_display(self, line: StatementLine) -> str:
        return format_html("{}<br><small>{}</small>", line.item_name, line.specification)

    @admin.display(description=_("product name (buyer)"))
    def buyer_product_display(self, line: StatementLine) -> str:
        return format_html("{}<br><small>{}</small>", line.buyer_item_name, line.buyer_specification)

    @admin.display(description=_("quantity"))
    def quantity_display(self, line: StatementLine) -> str:
        return format_html(
            '<span class="money">{} {}</span>',
            number_format(line.quantity.normalize(), force_grouping=True),
            line.unit.code,
        )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReconciliationStatement)
class ReconciliationStatementAdmin(StatementMatchAdminMixin, HistoryAdmin):
    """Review of statements: confirm or dispute (with a reason), export, history;
    the match against purchases (``admin_match``)."""

    list_display = [
        "number",
        "supplier_name",
        "buyer_name",
        "period",
        "currency",
        "line_count",
        "status",
        "match_status",
        "reviewed_by",
        "created_at",
    ]
    list_filter = [
        "status",
        MatchStatusFilter,
        "supplier_name",
        "buyer_name",
        ("start_time", admin.DateFieldListFilter),
        ("end_time", admin.DateFieldListFilter),
        "currency",
    ]
    search_fields = ["reconciliation_no", "supplier_tax_id", "buyer_tax_id", "supplier_name", "lines__product_no"]
    date_hierarchy = "start_time"
    list_select_related = ["reviewed_by"]
    inlines = [StatementLineInline]
    fieldsets = [
        (None, {"fields": ["reconciliation_no", "public_id", "status", "currency", ("start_time", "end_time")]}),
        (_("Parties"), {"fields": [("supplier_name", "supplier_tax_id"), ("buyer_name", "buyer_tax_id")]}),
        (_("Review"), {"fields": ["dispute_reason", "reviewed_by", "reviewed_at"]}),
        (_("Receipt"), {"fields": ["client", "created_at"]}),
    ]
    readonly_fields = [
        "reconciliation_no",
        "public_id",
        "status",
        "currency",
        "start_time",
        "end_time",
        "supplier_name",
        "supplier_tax_id",
        "buyer_name",
        "buyer_tax_id",
        "dispute_reason",
        "reviewed_by",
        "reviewed_at",
        "client",
        "created_at",
    ]
    history_list_display = ["status", "dispute_reason", "reviewed_by"]
    # The reasons apps.reconciliation.services writes, in the viewer's language.
    change_reason_labels = {"confirmed": _("confirmed"), "disputed": _("disputed")}

    def history_change_reason(self, reason: str | None) -> Any:
        source = (reason or "").removeprefix("received from ")
        if reason and source != reason:
            return _("received from %(source)s") % {"source": _("import") if source == "import" else source}
        return super().history_change_reason(reason)

    actions = ["confirm_statements", "dispute_statements", "export_xlsx", "export_csv", "rematch_statements"]
    change_form_template = "admin/reconciliation/reconciliationstatement/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReconciliationStatement]:
        return super().get_queryset(request).annotate(_line_count=Count("lines"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # statements arrive through the API

    def has_delete_permission(self, request: HttpRequest, obj: ReconciliationStatement | None = None) -> bool:
        # A decided statement is an audit record (apps.core.groups): only a superuser deletes it.
        if obj is not None and obj.status != ReconciliationStatement.Status.RECEIVED and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    @admin.display(description=_("statement number"), ordering="reconciliation_no")
    def number(self, statement: ReconciliationStatement) -> str:
        # Numbers may be 100 characters long; the full one is on the change page.
        return Truncator(statement.reconciliation_no).chars(40)

    @admin.display(description=_("period"), ordering="start_time")
    def period(self, statement: ReconciliationStatement) -> str:
        start = timezone.localtime(statement.start_time).date()
        end = timezone.localtime(statement.end_time).date()
        return format_date(start) if start == end else f"{format_date(start)} – {format_date(end)}"

    @admin.display(description=_("lines"), ordering="_line_count")
    def line_count(self, statement: ReconciliationStatement) -> int:
        return statement._line_count  # type: ignore[attr-defined]

    # --- change page: buttons for the workflow and exports ---------------------

    def get_urls(self) -> list[Any]:
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<int:object_id>/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="{}_{}_confirm".format(*info),
            ),
            path(
                "<int:object_id>/dispute/",
                self.admin_site.admin_view(self.dispute_view),
                name="{}_{}_dispute".format(*info),
            ),
            path(
                "<int:object_id>/export/<str:file_format>/",
                self.admin_site.admin_view(self.export_view),
                name="{}_{}_export".format(*info),
            ),
        ]
        return own + self.match_urls() + super().get_urls()

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        extra_context = {
            **(extra_context or {}),
            # Every field is the supplier's: nothing to save; review through the buttons.
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        statement = context.get("original")
        context["can_review"] = statement is not None and self.has_change_permission(request, statement)
        if statement is not None:
            context.update(self.match_context(request, statement))
            context["statement_totals"] = statement_totals(statement)
        return super().render_change_form(request, context, *args, **kwargs)

    def _change_url(self, statement: ReconciliationStatement) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[statement.pk])

    def confirm_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        statement = get_object_or_404(ReconciliationStatement, pk=object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        if request.method == "POST":
            self._confirm(request, [statement])
            return HttpResponseRedirect(self._change_url(statement))
        return HttpResponseRedirect(self._change_url(statement))

    def dispute_view(self, request: HttpRequest, object_id: int) -> HttpResponse:
        statement = get_object_or_404(ReconciliationStatement, pk=object_id)
        if not self.has_change_permission(request, statement):
            raise PermissionDenied
        # The reason starts as the differences the match found (editable).
        initial = {"reason": self.dispute_reason_initial(statement)}
        form = DisputeForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST" and form.is_valid():
            self._dispute(request, [statement], form.cleaned_data["reason"])
            return HttpResponseRedirect(self._change_url(statement))
        return self._dispute_page(request, [statement], form, action_url=request.path)

    def export_view(self, request: HttpRequest, object_id: int, file_format: str) -> HttpResponse:
        statement = get_object_or_404(statement_list(), pk=object_id)
        if not self.has_view_permission(request, statement):
            raise PermissionDenied
        return self._export([statement], file_format, filename=statement.reconciliation_no)

    # --- list actions ----------------------------------------------------------

    def _confirm(self, request: HttpRequest, statements: list[ReconciliationStatement]) -> None:
        done = 0
        for statement in statements:
            try:
                statement_confirm(statement=statement, by=request.user)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d statement confirmed.", "%(count)d statements confirmed.", done) % {"count": done},
                messages.SUCCESS,
            )

    def _dispute(self, request: HttpRequest, statements: list[ReconciliationStatement], reason: str) -> None:
        done = 0
        for statement in statements:
            try:
                statement_dispute(statement=statement, by=request.user, reason=reason)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
        if done:
            self.message_user(
                request,
                ngettext("%(count)d statement disputed.", "%(count)d statements disputed.", done) % {"count": done},
                messages.SUCCESS,
            )

    def _dispute_page(
        self,
        request: HttpRequest,
        statements: list[ReconciliationStatement],
        form: DisputeForm,
        *,
        action_url: str = "",
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dispute statements"),
            "opts": self.opts,
            "statements": statements,
            "form": form,
            "action_url": action_url,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reconciliation/reconciliationstatement/dispute.html", context)

    @admin.action(description=_("Confirm the selected statements"), permissions=["change"])
    def confirm_statements(self, request: HttpRequest, queryset: QuerySet[ReconciliationStatement]) -> None:
        self._confirm(request, list(queryset))

    @admin.action(description=_("Dispute the selected statements (asks for a reason)"), permissions=["change"])
    def dispute_statements(
        self, request: HttpRequest, queryset: QuerySet[ReconciliationStatement]
    ) -> TemplateResponse | None:
        statements = list(queryset)
        if "apply" in request.POST:
            form = DisputeForm(request.POST)
            if form.is_valid():
                self._dispute(request, statements, form.cleaned_data["reason"])
                return None
        else:
            form = DisputeForm()
        return self._dispute_page(request, statements, form)

    @admin.action(description=_("Export the selected statements to XLSX"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[ReconciliationStatement]) -> HttpResponse:
        return self._export(self._for_export(queryset), "xlsx", filename="reconciliation-statements")

    @admin.action(description=_("Export the selected statements to CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[ReconciliationStatement]) -> HttpResponse:
        return self._export(self._for_export(queryset), "csv", filename="reconciliation-statements")

    @staticmethod
    def _for_export(queryset: QuerySet[ReconciliationStatement]) -> list[ReconciliationStatement]:
        return list(statement_list().filter(pk__in=queryset.values("pk")).order_by("reconciliation_no"))

    @staticmethod
    def _export(statements: list[ReconciliationStatement], file_format: str, *, filename: str) -> HttpResponse:
        if file_format == "xlsx":
            return file_download(statements_xlsx(statements), file_format="xlsx", filename=filename)
        if file_format == "csv":
            # With a BOM, so that Excel opens the Chinese text as UTF-8.
            return file_download("\ufeff" + statements_csv(statements), file_format="csv", filename=filename)
        raise Http404(file_format)

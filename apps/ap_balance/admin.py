from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import resources

from apps.ap_balance.api.serializers import EARLIEST_AS_OF
from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.ap_balance.reports import ageing_csv, ageing_headers, ageing_table, ageing_xlsx
from apps.ap_balance.selectors import (
    AgeingFilter,
    ageing_by_dealer,
    ageing_totals,
    snapshot_compare,
    snapshot_compare_counts,
    snapshot_current,
)
from apps.core.admin_exports import EXPORT_CHANGE_LIST_TEMPLATE, ListExportAdminMixin
from apps.core.admin_mixins import CurrencyTotalsMixin, ExportCsvXlsxMixin, ReadOnlyAdminMixin, file_download
from apps.core.exports.cells import field_columns
from apps.core.money_display import EMPTY, format_money, money_column, money_html

COMPARE_PAGE_LIMIT = 500


class SnapshotResource(resources.ModelResource):
    class Meta:
        model = Snapshot


class AgeingForm(forms.Form):
    snapshot = forms.ModelChoiceField(
        queryset=Snapshot.objects.all(), required=False, empty_label=_("current"), label=_("Snapshot")
    )
    as_of = forms.DateField(
        required=False,
        label=_("As of"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("default: snapshot date"),
    )
    company_code = forms.CharField(required=False, label=_("Company code"))
    dealer = forms.CharField(required=False, label=_("Dealer"))
    currency = forms.CharField(required=False, label=_("Currency"), max_length=3)

    def clean_as_of(self) -> dt.date | None:
        as_of = self.cleaned_data["as_of"]
        if as_of is not None and as_of < EARLIEST_AS_OF:
            raise forms.ValidationError(_("Must be on or after %(date)s.") % {"date": EARLIEST_AS_OF.isoformat()})
        return as_of


class CompareForm(forms.Form):
    before = forms.ModelChoiceField(queryset=Snapshot.objects.all(), label=_("Before"))
    after = forms.ModelChoiceField(
        queryset=Snapshot.objects.all(), required=False, empty_label=_("current"), label=_("After")
    )
    dealer = forms.CharField(required=False, label=_("Dealer"))


CHANGE_LABELS = {"added": _("added"), "cleared": _("cleared"), "changed": _("changed")}


def _in_words(change: dict[str, Any]) -> dict[str, Any]:
    """A compare row with its codes as words: the kind of change and the clearing marks."""
    clearing = dict(SnapshotLine.Clearing.choices)
    return {
        **change,
        "change_label": CHANGE_LABELS.get(change["change"], change["change"]),
        "clearing_before_label": "" if change["clearing_before"] is None else clearing.get(change["clearing_before"]),
        "clearing_after_label": "" if change["clearing_after"] is None else clearing.get(change["clearing_after"]),
    }


@admin.register(Snapshot)
class SnapshotAdmin(ExportCsvXlsxMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    resource_classes = [SnapshotResource]
    list_display = ["id", "received_at", "client", "row_count", "totals_display", "is_current", "job_link"]
    list_filter = ["is_current", "client"]
    search_fields = ["trace_id", "job__public_id"]
    date_hierarchy = "received_at"
    list_select_related = ["client", "job"]
    readonly_fields = [
        "job",
        "client",
        "trace_id",
        "received_at",
        "applied_at",
        "row_count",
        "totals_table",
        "is_current",
    ]
    exclude = ["totals"]  # shown as a table (totals_table)
    import_export_change_list_template = "admin/ap_balance/snapshot/change_list.html"

    @admin.display(description=_("totals"))
    def totals_display(self, snapshot: Snapshot) -> str:
        return format_html_join(
            "",
            '<span class="money">{} {}</span>',
            (
                (currency, format_money(total["openBalance"], currency))
                for currency, total in sorted(snapshot.totals.items())
            ),
        )

    @admin.display(description=_("totals per currency"))
    def totals_table(self, snapshot: Snapshot) -> str:
        """Per currency: its rows and open balance, by the money rule (as the list shows it)."""
        if not snapshot.totals:
            return EMPTY
        return format_html(
            '<table class="snapshot-totals"><thead><tr><th>{}</th><th class="num">{}</th><th class="num">{}</th>'
            "</tr></thead><tbody>{}</tbody></table>",
            _("Currency"),
            _("Rows"),
            _("Open balance"),
            format_html_join(
                "",
                '<tr><td>{}</td><td class="num">{}</td><td class="num">{}</td></tr>',
                (
                    (
                        currency,
                        number_format(total.get("rows", 0), force_grouping=True),
                        money_html(total.get("openBalance"), currency),
                    )
                    for currency, total in sorted(snapshot.totals.items())
                ),
            ),
        )

    @admin.display(description=_("import"))
    def job_link(self, snapshot: Snapshot) -> str:
        # The short form of the job id (its first 8 hex digits), the full one on the job's page.
        url = reverse("admin:core_importjob_change", args=[snapshot.job_id])
        return format_html(
            '<a href="{}" title="{}">{}</a>', url, snapshot.job.public_id, str(snapshot.job.public_id)[:8]
        )

    def get_urls(self) -> list[URLPattern]:
        own = [
            path("ageing/", self.admin_site.admin_view(self.ageing_view), name="ap_balance_ageing"),
            path("compare/", self.admin_site.admin_view(self.compare_view), name="ap_balance_compare"),
        ]
        return own + super().get_urls()

    def ageing_view(self, request: HttpRequest) -> HttpResponse:
        """The ageing report: filter, totals, and the same table as CSV or XLSX."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = AgeingForm(request.GET or None)
        context: dict[str, Any] = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        context["title"] = _("AP ageing report")
        snapshot = None
        as_of: dt.date | None = None
        filters = AgeingFilter()
        if form.is_bound and form.is_valid():
            snapshot = form.cleaned_data["snapshot"]
            as_of = form.cleaned_data["as_of"]
            filters = AgeingFilter(
                company_code=form.cleaned_data["company_code"] or None,
                dealer=form.cleaned_data["dealer"] or None,
                currency=form.cleaned_data["currency"] or None,
            )
        elif form.is_bound:
            return TemplateResponse(request, "admin/ap_balance/ageing.html", context)
        snapshot = snapshot or snapshot_current()
        if snapshot is None:
            return TemplateResponse(request, "admin/ap_balance/ageing.html", context)
        as_of = as_of or snapshot.snapshot_date
        rows = list(ageing_by_dealer(snapshot=snapshot, as_of=as_of, filters=filters))
        totals = ageing_totals(snapshot=snapshot, as_of=as_of, filters=filters)
        table = ageing_table(rows, totals)
        title = [f"{_('Snapshot')} {snapshot}", f"{_('As of')} {as_of.isoformat()}"]
        export = request.GET.get("export")
        if export in ("csv", "xlsx"):
            name = f"ap-ageing-{snapshot.pk}-{as_of.isoformat()}"
            content = (
                ageing_csv(table, title=title) if export == "csv" else ageing_xlsx(table, title=title, as_of=as_of)
            )
            return file_download(content, file_format=export, filename=name)
        query = request.GET.copy()
        query.pop("export", None)
        context.update(
            snapshot=snapshot,
            as_of=as_of,
            headers=ageing_headers(),
            rows=table[: len(rows)],
            totals=table[len(rows) :],
            query=query.urlencode(),
        )
        return TemplateResponse(request, "admin/ap_balance/ageing.html", context)

    def compare_view(self, request: HttpRequest) -> HttpResponse:
        """Lines added, cleared and changed between two snapshots, optionally for one dealer."""
        if not self.has_view_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = CompareForm(request.GET or None)
        context: dict[str, Any] = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form}
        context["title"] = _("Compare AP snapshots")
        if form.is_bound and form.is_valid():
            before = form.cleaned_data["before"]
            after = form.cleaned_data["after"] or snapshot_current()
            if after is not None:
                dealer = form.cleaned_data["dealer"] or None
                counts = snapshot_compare_counts(before=before, after=after, dealer=dealer)
                changes = snapshot_compare(before=before, after=after, dealer=dealer, counts=counts)
                context.update(
                    before=before,
                    after=after,
                    counts=counts,
                    changes=[_in_words(change) for change in changes[:COMPARE_PAGE_LIMIT]],
                    limit=COMPARE_PAGE_LIMIT,
                )
        return TemplateResponse(request, "admin/ap_balance/compare.html", context)


# The export's columns, labelled like the admin; codes as the words the list shows.
LINE_EXPORT_COLUMNS = field_columns(
    SnapshotLine,
    [
        "snapshot", "company_code", "sap_dealer_code", "invoice_id", "open_balance", "currency", "due_date",
        "clearing_identification", "clear_amount", "amount_lc", "currency_lc", "fiscal_year",
        "invoicing_reference", "voucher_no",
    ],
)  # fmt: skip


@admin.register(SnapshotLine)
class SnapshotLineAdmin(CurrencyTotalsMixin, ListExportAdminMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    export_columns = LINE_EXPORT_COLUMNS
    change_list_template = EXPORT_CHANGE_LIST_TEMPLATE
    list_display = [
        "invoice_id", "sap_dealer_code", "company_code", "currency", "open_balance_money", "due_date",
        "clearing_identification", "amount_lc_money", "snapshot_short",
    ]  # fmt: skip
    totals_fields = ("open_balance",)
    open_balance_money = money_column(SnapshotLine, "open_balance", currency="currency")
    amount_lc_money = money_column(SnapshotLine, "amount_lc", currency="currency_lc")
    clear_amount_money = money_column(SnapshotLine, "clear_amount", currency="currency")

    @admin.display(description=_("snapshot"), ordering="snapshot")
    def snapshot_short(self, line: SnapshotLine) -> str:
        # The number only (the date is on the snapshot's page): the list fits 1366 px.
        snapshot = line.snapshot
        return f"#{snapshot.pk} ({gettext('current')})" if snapshot.is_current else f"#{snapshot.pk}"

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        money = {
            "open_balance": "open_balance_money",
            "amount_lc": "amount_lc_money",
            "clear_amount": "clear_amount_money",
        }
        return [money.get(f.name, f.name) for f in SnapshotLine._meta.fields if f.name not in ("id", "row_hash")]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return self.get_fields(request, obj)

    list_filter = ["snapshot__is_current", "currency", "clearing_identification", "company_code", "snapshot"]
    search_fields = ["invoice_id", "sap_dealer_code", "voucher_no", "invoicing_reference"]
    date_hierarchy = "due_date"
    list_select_related = ["snapshot"]
    show_full_result_count = False

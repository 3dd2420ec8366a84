import django_filters

from apps.ap_balance.models import Snapshot, SnapshotLine
from apps.core.filters import AFTER, BEFORE, DATE_RULE, DateBoundFilter, IntegerFilter


class SnapshotLineFilterSet(django_filters.FilterSet):
    """Query parameters use SAP's field names; ``snapshot`` picks a snapshot (default:
    the current one); due dates as ``dueDateAfter`` / ``dueDateBefore`` (apps.core.filters' whole-day rule)."""

    snapshot = IntegerFilter(field_name="snapshot_id", min_value=1, max_value=2**31 - 1)
    companyCode = django_filters.CharFilter(field_name="company_code")  # noqa: N815 - wire name
    sapDealerCode = django_filters.CharFilter(field_name="sap_dealer_code")  # noqa: N815 - wire name
    currency = django_filters.CharFilter(field_name="currency", lookup_expr="iexact")
    clearingIdentification = django_filters.ChoiceFilter(  # noqa: N815 - wire name
        field_name="clearing_identification", choices=[("N", "N"), ("Y", "Y")]
    )
    dueDateAfter = DateBoundFilter(field_name="due_date", bound=AFTER, help_text=DATE_RULE)  # noqa: N815 - wire name
    dueDateBefore = DateBoundFilter(field_name="due_date", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815 - wire name

    class Meta:
        model = SnapshotLine
        fields = ["snapshot", "companyCode", "sapDealerCode", "currency", "clearingIdentification"]


class SnapshotFilterSet(django_filters.FilterSet):
    isCurrent = django_filters.BooleanFilter(field_name="is_current")  # noqa: N815 - /api/v1 is camelCase
    receivedAfter = DateBoundFilter(field_name="received_at", bound=AFTER, help_text=DATE_RULE)  # noqa: N815
    receivedBefore = DateBoundFilter(field_name="received_at", bound=BEFORE, help_text=DATE_RULE)  # noqa: N815

    class Meta:
        model = Snapshot
        fields = ["isCurrent", "receivedAfter", "receivedBefore"]

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.core.bounds import field_bounds
from apps.reconciliation.models import ReconciliationStatement

# The same bounds as the column (length, no NUL or control characters).
REASON = field_bounds(ReconciliationStatement, "dispute_reason")


class DisputeForm(forms.Form):
    """The reason for disputing statements, shown on the intermediate admin page."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=REASON.max_length,
        validators=REASON.form_validators(),
        help_text=_(
            "What does not match our books. Kept with the statement and shown in its history; "
            "finhub sends nothing to the supplier."
        ),
    )

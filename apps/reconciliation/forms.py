from django import forms
from django.utils.translation import gettext_lazy as _


class DisputeForm(forms.Form):
    """The reason for disputing statements, shown on the intermediate admin page."""

    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 80}),
        max_length=2000,
        help_text=_("What does not match our books; the supplier is told this."),
    )

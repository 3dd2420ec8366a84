"""Admin of purchases (``purchases``), their reference data (``reference``) and
the KashFlow API users (``kashflow_users``)."""

from apps.purchases.admin import kashflow_users, purchases, reference

__all__ = ["kashflow_users", "purchases", "reference"]

"""Admin of purchases (``purchases``), their suppliers (``suppliers``) and other reference data (``reference``) and
the KashFlow API users (``kashflow_users``)."""

from apps.purchases.admin import kashflow_users, purchases, reference, suppliers

__all__ = ["kashflow_users", "purchases", "reference", "suppliers"]

"""Demo data of the platform: a demo SAP client (its secret is never shown: create
your own with ``manage.py create_api_client``)."""

from apps.core.models import ApiClient
from apps.core.scopes import scopes_implied_by_sys
from apps.core.services import api_client_create


def load_demo_data() -> str:
    if ApiClient.objects.filter(name="Demo SAP").exists():
        return "demo API client already there"
    api_client_create(name="Demo SAP", sys="pp", scopes=scopes_implied_by_sys("pp"))
    return "demo API client created"

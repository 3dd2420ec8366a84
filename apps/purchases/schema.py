"""OpenAPI: the KfToken scheme, and one path per /v2 operation (the trailing-slash
aliases and the catch-all 404 are left out of the schema)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class KfTokenScheme(OpenApiAuthenticationExtension):
    target_class = "apps.purchases.kashflow.base.KfTokenAuthentication"
    name = "kfToken"

    def get_security_definition(self, auto_schema):  # type: ignore[no-untyped-def]
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`KfToken <SessionToken>` with a token from PUT /v2/sessiontoken "
            "(or a long-lived token issued in the admin)",
        }


# Older permalinks that still answer, served by the same views as the documented
# ones: left out so that each operation has one path (and one operationId).
LEGACY_V2_PATHS = {"/v2/documents/purchaseorder/{key}", "/v2/documents/purchasepayment/{key}"}


def drop_v2_aliases(endpoints: list[tuple[str, Any, str, Any]], **kwargs: Any) -> list[tuple[str, Any, str, Any]]:
    kept = []
    for path, path_regex, method, callback in endpoints:
        if path.startswith("/v2/") and path.endswith("/"):
            continue
        if path in LEGACY_V2_PATHS:
            continue
        if getattr(callback, "cls", None) is not None and callback.cls.__name__ == "NotFoundView":
            continue
        kept.append((path, path_regex, method, callback))
    return kept


def describe_v2_xml(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the XML that /v2 accepts and writes,
    described with OpenAPI's ``xml`` objects, so that XML written from the schema is
    XML the parser reads (apps.purchases.kashflow.formats): a list is one wrapper
    element (the property's name) holding one element per item, named as
    LIST_ITEM_NAMES says (``LineItems`` -> ``LineItem``), ``Item`` otherwise."""
    from apps.purchases.kashflow.formats import LIST_ITEM_NAMES

    schemas = result.get("components", {}).get("schemas", {})
    names: set[str] = set()
    text_of_v2 = str({path: ops for path, ops in result.get("paths", {}).items() if path.startswith("/v2/")})
    for name in schemas:
        if f"#/components/schemas/{name}'" in text_of_v2:
            names.add(name)
    pending = list(names)
    while pending:  # components reached from the /v2 bodies, however deep
        for ref in _refs(schemas[pending.pop()]):
            if ref not in names and ref in schemas:
                names.add(ref)
                pending.append(ref)
    for name in names:
        for prop, spec in schemas[name].get("properties", {}).items():
            if spec.get("type") == "array":
                spec["xml"] = {"wrapped": True}
                items = spec.get("items", {})
                item_xml = {"name": LIST_ITEM_NAMES.get(prop, "Item")}
                spec["items"] = {"allOf": [items], "xml": item_xml} if "$ref" in items else {**items, "xml": item_xml}
    return result


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["$ref"].rsplit("/", 1)[-1]] if isinstance(value.get("$ref"), str) else []
        return found + [ref for item in value.values() for ref in _refs(item)]
    if isinstance(value, list):
        return [ref for item in value for ref in _refs(item)]
    return []

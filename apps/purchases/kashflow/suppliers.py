"""``/v2/suppliers``: list (KashFlow's parameters, MetaData), get by code (any
letter case), create, full replace (PUT; 201 when the body renames the code),
and delete (refused while purchases refer to the supplier)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import bool_param, choice_param, date_param, page_params, paged, text_param
from apps.purchases.kashflow.supplier_shape import (
    SupplierDetailSerializer,
    SupplierInSerializer,
    SupplierListOutSerializer,
    SupplierRowSerializer,
)
from apps.purchases.kashflow.wire import IDEMPOTENCY_HEADER, TAG, validate
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import Supplier
from apps.purchases.selectors.reference import SUPPLIER_SORTS, SupplierQuery, supplier_by_code, supplier_list
from apps.purchases.services.suppliers import (
    SupplierInput,
    SupplierInUse,
    supplier_create,
    supplier_delete,
    supplier_replace,
)

LIST_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}),
    OpenApiParameter("perpage", {"type": "integer", "minimum": 1}, description="Default 50, at most 500"),
    OpenApiParameter("order", OpenApiTypes.STR, description="asc (default) or desc"),
    OpenApiParameter(
        "sortby", OpenApiTypes.STR, description="Name, Code, TotalPaidAmount, OutstandingBalance (or 0-3)"
    ),
    OpenApiParameter("namestartswith", OpenApiTypes.STR),
    OpenApiParameter("searchtext", OpenApiTypes.STR, description="In the name, code or VAT number"),
    OpenApiParameter("filterarchived", OpenApiTypes.BOOL, description="true: archived suppliers too"),
    OpenApiParameter("startcreationdate", OpenApiTypes.DATE),
    OpenApiParameter("endcreationdate", OpenApiTypes.DATE),
    OpenApiParameter(
        "skipperpagevalidation",
        OpenApiTypes.BOOL,
        description="true: a perpage above 500 is read as 500 instead of 400",
    ),
]
CODE_PARAMETER = OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH, description="Any letter case")


def supplier_input(data: dict[str, Any]) -> SupplierInput:
    """Validated body -> the service's input. What is left out is emptied."""
    address = data.get("Address") or {}
    bank = data.get("BankAccount") or {}
    terms = data.get("PaymentTerms") or {}
    currency = data.get("Currency") or {}
    fields = {
        "vat_number": data.get("VatNumber") or "",
        "unique_entity_number": data.get("UniqueEntityNumber") or "",
        "note": data.get("Note") or "",
        "trade_border_type": data.get("TradeBorderType") or Supplier.TradeBorderType.DOMESTIC,
        "is_archived": bool(data.get("IsArchived")),
        "is_cis_reverse_charge": bool(data.get("IsCISReverseCharge")),
        "apply_withholding_tax": bool(data.get("ApplyWithholdingTax")),
        "withholding_tax_rate": data.get("WithholdingTaxRate"),
        "default_vat_rate": data.get("DefaultVatRate"),
        "vat_exempt": bool(data.get("VatExempt")),
        "currency_code": currency.get("Code") or "",
        "exchange_rate": currency.get("ExchangeRate"),
        "address_line1": address.get("Line1") or "",
        "address_line2": address.get("Line2") or "",
        "address_line3": address.get("Line3") or "",
        "address_line4": address.get("Line4") or "",
        "post_code": address.get("PostCode") or "",
        "country_code": address.get("CountryCode") or "",
        "bank_account_name": bank.get("Name") or "",
        "bank_account_number": bank.get("Number") or "",
        "bank_sort_code": bank.get("SortCode") or "",
        "payment_terms_type": terms.get("Type") or Supplier.PaymentTermsType.AFTER_ISSUED_DATE,
        "payment_terms_days": terms.get("Days") or 0,
        "withholding_tax_references": [dict(ref) for ref in data.get("WithholdingTaxReferences") or []],
    }
    contacts = [
        {
            "is_primary": bool(c.get("IsPrimary")),
            "receive_emails": bool(c.get("ReceiveEmails")),
            "name": c.get("Name") or "",
            "title": c.get("Title") or "",
            "first_name": c.get("Firstname") or "",
            "last_name": c.get("LastName") or "",
            "telephone": c.get("Telephone") or "",
            "fax": c.get("Fax") or "",
            "mobile": c.get("Mobile") or "",
            "website": c.get("Website") or "",
            "email": c.get("Email") or "",
        }
        for c in data.get("Contacts") or []
    ]
    return SupplierInput(
        code=data.get("Code") or "",
        name=data.get("Name") or "",
        fields=fields,
        contacts=contacts,
        default_nominal_code=data.get("DefaultNominalCode") or None,
        payment_method_id=data.get("PaymentMethod") or None,
        generate_code_if_duplicate=bool(data.get("CreateSupplierCodeIfDuplicate")),
        generate_name_if_empty=bool(data.get("CreateSupplierNameIfEmptyOrNull")),
    )


def _detail(code: str) -> dict[str, Any]:
    supplier = supplier_by_code(code)
    if supplier is None:
        raise KashflowError(f"There is no supplier with code {code}.", code="NotFound", status=404)
    return dict(SupplierDetailSerializer(supplier).data)


class SuppliersView(KashflowAPIView):
    xml_root = "Supplier"

    @extend_schema(
        operation_id="kashflow_suppliers_list",
        tags=TAG,
        parameters=LIST_PARAMETERS,
        responses={200: SupplierListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        self.xml_root = "SupplierList"
        skip = bool_param(request, "skipperpagevalidation")
        page, perpage = page_params(request, skip_perpage_validation=skip)
        query = SupplierQuery(
            sortby=choice_param(request, "sortby", SUPPLIER_SORTS, "Name", numbered=True),
            descending=choice_param(request, "order", ["Asc", "Desc"], "Asc") == "Desc",
            name_starts_with=text_param(request, "namestartswith"),
            search_text=text_param(request, "searchtext"),
            include_archived=bool_param(request, "filterarchived"),
            created_from=date_param(request, "startcreationdate"),
            created_to=date_param(request, "endcreationdate"),
        )
        qs = supplier_list(query)
        total = qs.count()
        rows = SupplierRowSerializer(qs[(page - 1) * perpage : page * perpage], many=True).data
        return Response(paged(request, list(rows), page=page, perpage=perpage, total=total))

    @extend_schema(
        operation_id="kashflow_suppliers_create",
        tags=TAG,
        parameters=[IDEMPOTENCY_HEADER],
        request=SupplierInSerializer,
        responses={201: SupplierDetailSerializer, **_errors(400, 401, 409, 413, 415, 422)},
    )
    def post(self, request: Request) -> Response:
        data = validate(SupplierInSerializer, self.body(request))
        supplier = supplier_create(supplier_input(data))
        return Response(_detail(supplier.code), status=201)


class SupplierDetailView(KashflowAPIView):
    xml_root = "Supplier"

    def _get(self, code: str) -> Supplier:
        supplier = Supplier.objects.by_code(code).first() if len(code) <= 50 else None
        if supplier is None:
            raise KashflowError(f"There is no supplier with code {code}.", code="NotFound", status=404)
        return supplier

    @extend_schema(
        operation_id="kashflow_suppliers_get",
        tags=TAG,
        parameters=[CODE_PARAMETER],
        responses={200: SupplierDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        return Response(_detail(self._get(code).code))

    @extend_schema(
        operation_id="kashflow_suppliers_replace",
        tags=TAG,
        parameters=[CODE_PARAMETER, IDEMPOTENCY_HEADER],
        request=SupplierInSerializer,
        responses={
            200: SupplierDetailSerializer,
            201: SupplierDetailSerializer,
            **_errors(400, 401, 404, 409, 413, 415, 422),
        },
    )
    def put(self, request: Request, code: str) -> Response:
        supplier = self._get(code)
        data = dict(validate(SupplierInSerializer, self.body(request)))
        data["Code"] = data.get("Code") or supplier.code  # left out: not renamed
        old_code = supplier.code
        supplier = supplier_replace(supplier, supplier_input(data))
        return Response(_detail(supplier.code), status=200 if supplier.code == old_code else 201)

    @extend_schema(
        operation_id="kashflow_suppliers_delete",
        tags=TAG,
        parameters=[CODE_PARAMETER],
        responses={204: None, **_errors(400, 401, 404)},
    )
    def delete(self, request: Request, code: str) -> Response:
        try:
            supplier_delete(self._get(code))
        except SupplierInUse as exc:
            raise KashflowError(exc.message, code="SupplierInUse") from None
        return Response(status=204)

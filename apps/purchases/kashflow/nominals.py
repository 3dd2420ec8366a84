"""``/v2/nominals``: the nominal ledger accounts, paged as ``{Data, MetaData}``
(additions digest §8), by code and by id. finhub keeps a code and a name per
nominal; KashFlow's other fields are null (or their neutral value)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import page_params, paged, text_param
from apps.purchases.kashflow.wire import TAG, MetaDataSerializer, const, null, null_number
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import NominalAccount
from apps.purchases.selectors.reference import nominal_list


class NominalRowSerializer(serializers.Serializer):
    Id = serializers.IntegerField(source="pk")
    Code = serializers.IntegerField(source="code")
    Name = serializers.CharField(source="name")
    NomType = null(serializers.IntegerField)
    Sa103Code = null(serializers.IntegerField)
    IsProduct = const(serializers.IntegerField, 0)
    Special = const(serializers.IntegerField, 0)
    PlOption = null(serializers.IntegerField)
    BsOption = null(serializers.IntegerField)
    Type = null()
    ComplianceCode = null()
    Description = null()
    Classification = null()
    ControlAccountClassification = null()
    IRISCoAName = null()
    Price = null_number()
    WholeSalePrice = null_number()
    VATRate = null_number()
    QuantityInStock = null_number()
    StockWarningQuantity = null_number()
    Disallowed = const(serializers.BooleanField, False)
    Archived = const(serializers.BooleanField, False)
    DigitalService = const(serializers.BooleanField, False)
    AutoFillLineItem = const(serializers.BooleanField, False)
    VATExempt = const(serializers.BooleanField, False)
    AllowDelete = const(serializers.BooleanField, False)
    IsIRISCoA = const(serializers.BooleanField, False)
    ManageStockLevel = const(serializers.BooleanField, False)
    DefaultProduct = null(serializers.DictField)


class NominalDetailSerializer(NominalRowSerializer):
    CISRate = null_number()
    PrePayments = const(serializers.BooleanField, False)
    IncludeInECSalesList = const(serializers.BooleanField, False)
    IncrementStockLevelsOnPurchase = const(serializers.BooleanField, False)
    PurchaseNominalCode = null(serializers.IntegerField)
    PurchaseSubNominalCode = null(serializers.IntegerField)
    PurchaseNominalId = null(serializers.IntegerField)
    PurchaseSubNominalId = null(serializers.IntegerField)


class NominalListOutSerializer(serializers.Serializer):
    Data = NominalRowSerializer(many=True)
    MetaData = MetaDataSerializer()


class NominalsView(KashflowAPIView):
    xml_root = "NominalList"

    @extend_schema(
        operation_id="kashflow_nominals_list",
        tags=TAG,
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}),
            OpenApiParameter(
                "perpage", {"type": "integer", "minimum": 1, "maximum": 500}, description="Default 500, at most 500"
            ),
            OpenApiParameter("type", OpenApiTypes.STR, description="Accepted; finhub keeps no nominal types"),
            OpenApiParameter("area", OpenApiTypes.STR, description="Accepted; finhub keeps no nominal areas"),
            OpenApiParameter("searchtext", OpenApiTypes.STR, description="In the name, or the code"),
        ],
        responses={200: NominalListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page, perpage = page_params(request, default_perpage=500)
        text_param(request, "type")
        text_param(request, "area")
        qs = nominal_list(text_param(request, "searchtext"))
        total = qs.count()
        rows = NominalRowSerializer(qs[(page - 1) * perpage : page * perpage], many=True).data
        return Response(paged(request, list(rows), page=page, perpage=perpage, total=total))


def _nominal_response(nominal: NominalAccount | None, key: str) -> Response:
    if nominal is None:
        raise KashflowError(f"There is no nominal {key}.", code="NotFound", status=404)
    return Response(NominalDetailSerializer(nominal).data)


def _int_key(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


class NominalDetailView(KashflowAPIView):
    xml_root = "Nominal"

    @extend_schema(
        operation_id="kashflow_nominals_get",
        tags=TAG,
        parameters=[OpenApiParameter("code", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: NominalDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, code: str) -> Response:
        number = _int_key(code)
        nominal = NominalAccount.objects.filter(code=number).first() if number is not None else None
        return _nominal_response(nominal, f"code {code}")


class NominalByIdView(KashflowAPIView):
    xml_root = "Nominal"

    @extend_schema(
        operation_id="kashflow_nominals_get_by_id",
        tags=TAG,
        parameters=[OpenApiParameter("nominal_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: NominalDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, nominal_id: str) -> Response:
        number = _int_key(nominal_id)
        nominal = NominalAccount.objects.filter(pk=number).first() if number is not None else None
        return _nominal_response(nominal, f"with id {nominal_id}")

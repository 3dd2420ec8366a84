"""``/v2/bankaccounts``: the bank accounts payments are made from (a payment
line's ``AccountId`` is their ``Id``), paged as ``{Data, MetaData}`` (additions
digest §8; ``/v2/bankaccounts/list`` too), and one by id. finhub keeps a name,
a number and a currency; bank feeds, balances and locks are not kept (null,
``""`` or false as KashFlow writes "none")."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import bool_param, page_params, paged
from apps.purchases.kashflow.wire import TAG, MetaDataSerializer, const, null, null_number
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import BankAccount
from apps.purchases.selectors.reference import bank_account_list, default_bank_account_id


class BankAccountRowSerializer(serializers.Serializer):
    Id = serializers.IntegerField(source="pk")
    Code = null(serializers.IntegerField)
    BankFeedsAccountId = const(serializers.IntegerField, 0)
    Order = null(serializers.IntegerField)
    IconId = null(serializers.IntegerField)
    AccountName = serializers.CharField(source="name")
    AccountNumber = serializers.CharField(source="account_number")
    CurrencyCode = serializers.CharField(source="currency_code")
    Period = null()
    IsDefaultAccount = serializers.SerializerMethodField()
    TransactionLockEnabled = const(serializers.BooleanField, False)
    IsArchived = const(serializers.BooleanField, False)
    IsBankEmpty = null(serializers.BooleanField)
    BankBalance = null_number()
    TransactionLockDate = null()
    ReconcileDate = null()
    FeedAccountNumber = const(serializers.CharField, "")
    FeedSiteName = const(serializers.CharField, "")
    FeedAccountName = const(serializers.CharField, "")
    FeedAccountHolder = const(serializers.CharField, "")
    FeedSource = const(serializers.CharField, "")
    LastTransactionImportDate = null()
    DefaultInvoicePaymentType = null(serializers.DictField)
    DefaultPurchasePaymentType = null(serializers.DictField)

    def get_IsDefaultAccount(self, account: BankAccount) -> bool:  # noqa: N802 - KashFlow's key
        return account.pk == self.context.get("default_id")


class BankAccountDetailSerializer(BankAccountRowSerializer):
    StartingDate = const(serializers.CharField, "1970-01-01 12:00:00")
    StartingAmount = null_number()
    ShowPaidInFirst = const(serializers.BooleanField, False)
    IncludeOnDashBoard = null(serializers.BooleanField)
    Note = null()
    OverrideTransactionLock = const(serializers.BooleanField, False)


class BankAccountListOutSerializer(serializers.Serializer):
    Data = BankAccountRowSerializer(many=True)
    MetaData = MetaDataSerializer()


LIST_PARAMETERS = [
    OpenApiParameter("page", {"type": "integer", "minimum": 1}),
    OpenApiParameter(
        "perpage", {"type": "integer", "minimum": 1, "maximum": 500}, description="Default 500, at most 500"
    ),
    OpenApiParameter("includearchivedaccounts", OpenApiTypes.BOOL, description="Accepted; none is archived"),
    OpenApiParameter("includemonthlystats", OpenApiTypes.BOOL, description="Accepted; no statistics are kept"),
]


class BankAccountsView(KashflowAPIView):
    xml_root = "BankAccountList"

    @extend_schema(
        operation_id="kashflow_bankaccounts_list",
        tags=TAG,
        parameters=LIST_PARAMETERS,
        responses={200: BankAccountListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        page, perpage = page_params(request, default_perpage=500)
        bool_param(request, "includearchivedaccounts")
        bool_param(request, "includemonthlystats")
        qs = bank_account_list()
        total = qs.count()
        context = {"default_id": default_bank_account_id()}
        rows = BankAccountRowSerializer(qs[(page - 1) * perpage : page * perpage], many=True, context=context).data
        return Response(paged(request, list(rows), page=page, perpage=perpage, total=total))


class BankAccountsPagedView(BankAccountsView):
    @extend_schema(
        operation_id="kashflow_bankaccounts_list_paged",
        tags=TAG,
        parameters=LIST_PARAMETERS,
        responses={200: BankAccountListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        return super().get(request)


class BankAccountDetailView(KashflowAPIView):
    xml_root = "BankAccount"

    @extend_schema(
        operation_id="kashflow_bankaccounts_get",
        tags=TAG,
        parameters=[OpenApiParameter("account_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={200: BankAccountDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, account_id: str) -> Response:
        valid = account_id.isascii() and account_id.isdigit() and len(account_id) <= 18
        account = BankAccount.objects.filter(pk=int(account_id)).first() if valid else None
        if account is None:
            raise KashflowError(f"There is no bank account {account_id}.", code="NotFound", status=404)
        return Response(BankAccountDetailSerializer(account, context={"default_id": default_bank_account_id()}).data)

"""``/v2/projects``: list (KashFlow's parameters, paged ``{Data, MetaData}``:
additions digest §8), get by number, create (201), full replace (PUT; 201 when
the body renumbers it). Amounts come from the purchases booked to the project;
finhub keeps no sales or customers, so those are 0 or null."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from apps.purchases.kashflow.base import KashflowAPIView, KashflowError
from apps.purchases.kashflow.listing import choice_param, int_param, page_params, paged, text_param
from apps.purchases.kashflow.wire import (
    IDEMPOTENCY_HEADER,
    TAG,
    DateOut,
    KfDateField,
    KfSerializer,
    MetaDataSerializer,
    MoneyOut,
    const,
    decimal_field,
    int_field,
    null,
    text_field,
    validate,
)
from apps.purchases.kashflow.wire import error_responses as _errors
from apps.purchases.models import Project
from apps.purchases.selectors.reference import PROJECT_SORTS, ProjectQuery, project_list, projects_with_amounts
from apps.purchases.services.projects import ProjectInput, project_create, project_replace

ZERO = Decimal("0.00")


class ProjectRowSerializer(serializers.Serializer):
    Id = serializers.IntegerField(source="pk")
    Number = serializers.IntegerField(source="number")
    Name = serializers.CharField(source="name")
    Reference = serializers.CharField(source="reference")
    Description = serializers.CharField(source="description")
    Note = serializers.CharField(source="note")
    Status = serializers.CharField(source="status")
    StartDate = DateOut(source="start_date")
    EndDate = DateOut(source="end_date")
    CustomerCode = null()
    ActualIncome = const(MoneyOut, ZERO)
    ActualExpenditure = MoneyOut(source="expenditure")
    Margin = MoneyOut(source="margin")


class ProjectDetailSerializer(ProjectRowSerializer):
    CustomerName = null()
    TargetSalesAmount = MoneyOut(source="target_sales_amount", allow_null=True)
    TargetPurchasesAmount = MoneyOut(source="target_purchases_amount", allow_null=True)
    ExcludeVAT = serializers.BooleanField(source="exclude_vat")
    AssociatedQuotesCount = const(serializers.IntegerField, 0)
    ActualSalesAmount = const(MoneyOut, ZERO)
    ActualPurchasesAmount = MoneyOut(source="expenditure")
    ActualSalesVATAmount = const(MoneyOut, ZERO)
    ActualPurchasesVATAmount = MoneyOut(source="purchases_vat")
    ActualJournalsAmount = const(MoneyOut, ZERO)
    ActualBankTransactionAmount = const(MoneyOut, ZERO)
    WorkInProgressAmount = const(MoneyOut, ZERO)


class ProjectListOutSerializer(serializers.Serializer):
    Data = ProjectRowSerializer(many=True)
    MetaData = MetaDataSerializer()


class ProjectInSerializer(KfSerializer):
    Number = int_field(required=False, allow_null=True)
    Name = text_field(Project, "name", required=True, allow_null=False)
    Reference = text_field(Project, "reference")
    Description = text_field(Project, "description")
    Note = text_field(Project, "note")
    Status = serializers.CharField(max_length=10, required=False, allow_blank=True, allow_null=True)
    StartDate = KfDateField(required=False, allow_null=True)
    EndDate = KfDateField(required=False, allow_null=True)
    CustomerCode = serializers.CharField(max_length=50, required=False, allow_blank=True, allow_null=True)
    TargetSalesAmount = decimal_field(Project, "target_sales_amount", required=False, allow_null=True)
    TargetPurchasesAmount = decimal_field(Project, "target_purchases_amount", required=False, allow_null=True)
    ExcludeVAT = serializers.BooleanField(required=False, allow_null=True)

    def validate_Status(self, value: str | None) -> str:  # noqa: N802 - KashFlow's key
        if not value:
            return Project.Status.ACTIVE
        for choice in Project.Status.values:
            if choice.lower() == value.strip().lower():
                return choice
        # KashFlow's numeric form: 0 completed, 1 active, 2 archived.
        numeric = {"0": Project.Status.COMPLETED, "1": Project.Status.ACTIVE, "2": Project.Status.ARCHIVED}
        if value.strip() in numeric:
            return numeric[value.strip()]
        raise serializers.ValidationError("accepted values are Active, Completed, Archived (or 1, 0, 2)")

    def validate_CustomerCode(self, value: str | None) -> None:  # noqa: N802 - KashFlow's key
        if value:
            raise serializers.ValidationError("finhub keeps no customers: leave it empty")


def project_input(data: dict[str, Any]) -> ProjectInput:
    return ProjectInput(
        name=data["Name"],
        number=data.get("Number") or None,
        reference=data.get("Reference") or "",
        description=data.get("Description") or "",
        note=data.get("Note") or "",
        status=data.get("Status") or Project.Status.ACTIVE,
        start_date=data.get("StartDate"),
        end_date=data.get("EndDate"),
        target_sales_amount=data.get("TargetSalesAmount"),
        target_purchases_amount=data.get("TargetPurchasesAmount"),
        exclude_vat=bool(data.get("ExcludeVAT")),
    )


def _detail(number: int) -> dict[str, Any]:
    project = projects_with_amounts().filter(number=number).first()
    if project is None:
        raise KashflowError(f"There is no project {number}.", code="NotFound", status=404)
    return dict(ProjectDetailSerializer(project).data)


class ProjectsView(KashflowAPIView):
    xml_root = "Project"

    @extend_schema(
        operation_id="kashflow_projects_list",
        tags=TAG,
        parameters=[
            OpenApiParameter("page", {"type": "integer", "minimum": 1}),
            OpenApiParameter(
                "perpage", {"type": "integer", "minimum": 1, "maximum": 500}, description="Default 50, at most 500"
            ),
            OpenApiParameter("sort", OpenApiTypes.STR, description="Asc or Desc (or 0, 1)"),
            OpenApiParameter(
                "sortby", OpenApiTypes.STR, description="Number, Name, Reference, Customer, Status, Margin, Id (or 0-6)"
            ),
            OpenApiParameter("status", OpenApiTypes.STR, description="Active, Completed, Archived; repeat for several"),
            OpenApiParameter("searchtext", OpenApiTypes.STR),
            OpenApiParameter("number", {"type": "integer", "minimum": 1}),
            OpenApiParameter("name", OpenApiTypes.STR),
            OpenApiParameter("ref", OpenApiTypes.STR),
            OpenApiParameter("description", OpenApiTypes.STR),
        ],
        responses={200: ProjectListOutSerializer, **_errors(400, 401)},
    )
    def get(self, request: Request) -> Response:
        self.xml_root = "ProjectList"
        page, perpage = page_params(request)
        statuses = []
        for raw in request.query_params.getlist("status"):
            for part in raw.split(","):
                if part.strip():
                    statuses.append(_status(part.strip()))
        query = ProjectQuery(
            sortby=choice_param(request, "sortby", PROJECT_SORTS, "Number", numbered=True),
            descending=choice_param(request, "sort", ["Asc", "Desc"], "Asc", numbered=True) == "Desc",
            statuses=statuses,
            search_text=text_param(request, "searchtext"),
            number=int_param(request, "number", None),
            name=text_param(request, "name"),
            reference=text_param(request, "ref"),
            description=text_param(request, "description"),
        )
        qs = project_list(query)
        total = qs.count()
        rows = ProjectRowSerializer(qs[(page - 1) * perpage : page * perpage], many=True).data
        return Response(paged(request, list(rows), page=page, perpage=perpage, total=total))

    @extend_schema(
        operation_id="kashflow_projects_create",
        tags=TAG,
        parameters=[IDEMPOTENCY_HEADER],
        request=ProjectInSerializer,
        responses={201: ProjectDetailSerializer, **_errors(400, 401, 409, 413, 415, 422)},
    )
    def post(self, request: Request) -> Response:
        data = validate(ProjectInSerializer, self.body(request))
        project = project_create(project_input(data))
        return Response(_detail(project.number), status=201)


def _status(value: str) -> str:
    for choice in Project.Status.values:
        if choice.lower() == value.lower():
            return choice
    raise KashflowError(
        f"Invalid status {value!r}: accepted values are Active, Completed, Archived.", code="InvalidParameter"
    )


NUMBER_PARAMETER = OpenApiParameter("number", OpenApiTypes.INT, OpenApiParameter.PATH, description="Project number")


class ProjectDetailView(KashflowAPIView):
    xml_root = "Project"

    def _get(self, number: str) -> Project:
        valid = number.isascii() and number.isdigit() and len(number) <= 9
        project = Project.objects.filter(number=int(number)).first() if valid else None
        if project is None:
            raise KashflowError(f"There is no project {number}.", code="NotFound", status=404)
        return project

    @extend_schema(
        operation_id="kashflow_projects_get",
        tags=TAG,
        parameters=[NUMBER_PARAMETER],
        responses={200: ProjectDetailSerializer, **_errors(400, 401, 404)},
    )
    def get(self, request: Request, number: str) -> Response:
        return Response(_detail(self._get(number).number))

    @extend_schema(
        operation_id="kashflow_projects_replace",
        tags=TAG,
        parameters=[NUMBER_PARAMETER, IDEMPOTENCY_HEADER],
        request=ProjectInSerializer,
        responses={
            200: ProjectDetailSerializer,
            201: ProjectDetailSerializer,
            **_errors(400, 401, 404, 409, 413, 415, 422),
        },
    )
    def put(self, request: Request, number: str) -> Response:
        project = self._get(number)
        old = project.number
        data = validate(ProjectInSerializer, self.body(request))
        project = project_replace(project, project_input(data))
        return Response(_detail(project.number), status=200 if project.number == old else 201)

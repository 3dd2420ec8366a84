"""The PDF of a purchase and of a payment receipt (what KashFlow's permalinks
serve), drawn with fpdf2: pure Python, installed from the package index alone.

The built-in PDF fonts hold Latin-1 only; ``KASHFLOW_PDF_FONT`` may name a
TrueType font file (e.g. a Noto CJK font) to write every character. Without
it, a character outside Latin-1 is written as ``?`` (the printable HTML page,
``?format=html``, shows everything)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

COLUMNS = [("#", 10), ("Description", 62), ("Nominal", 30), ("Qty", 18), ("Rate", 22), ("VAT %", 14), ("VAT", 18)]
RIGHT_FROM = 3  # columns from this one on are numbers


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        font_path = getattr(settings, "KASHFLOW_PDF_FONT", "")
        self.unicode = bool(font_path)
        if font_path:
            self.add_font("Body", fname=font_path)
            self.add_font("Body", style="B", fname=font_path)
            self.family = "Body"
        else:
            self.family = "Helvetica"
        self.add_page()

    def text_of(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if self.unicode:
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def line_of(self, text: Any, *, size: float = 10, bold: bool = False, height: float = 6) -> None:
        self.set_font(self.family, "B" if bold else "", size)
        self.multi_cell(0, height, self.text_of(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def row(self, cells: list[Any], *, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", 9)
        for i, (value, (_title, width)) in enumerate(zip(cells, COLUMNS, strict=True)):
            text = self.text_of(value)
            # Long descriptions are cut to the column: the HTML page has them whole.
            while text and self.get_string_width(text) > width - 2:
                text = text[:-1]
            self.cell(width, 6, text, border="B", align="R" if i >= RIGHT_FROM else "L")
        self.ln(6)

    def amount_line(self, label: str, value: str, *, bold: bool = False) -> None:
        self.set_font(self.family, "B" if bold else "", 10)
        self.cell(140, 6, self.text_of(label), align="R")
        self.cell(34, 6, self.text_of(value), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _number(value: Any, places: int | None = None) -> str:
    if not isinstance(value, Decimal):
        return str(value)
    if places is not None:
        return f"{value:.{places}f}"
    return f"{value.normalize():f}"


def purchase_pdf(data: dict[str, Any], company: str) -> bytes:
    """The purchase as its detail response (``purchase_response``) has it."""
    pdf = _Document()
    pdf.set_title(f"Purchase {data['Number']}")
    pdf.line_of(f"Purchase {data['Number']}", size=18, bold=True, height=9)
    pdf.line_of(company)
    pdf.ln(2)
    pdf.line_of(f"{data['SupplierName']} ({data['SupplierCode']})", bold=True)
    if data.get("SupplierReference"):
        pdf.line_of(f"Supplier reference: {data['SupplierReference']}")
    pdf.line_of(f"Issued: {(data['IssuedDate'] or '')[:10]}   Due: {(data['DueDate'] or '')[:10]}")
    status = data["Status"] + (f" ({data['OverdueDays']} days overdue)" if data.get("OverdueDays") else "")
    pdf.line_of(f"Status: {status}")
    if data.get("ProjectName"):
        pdf.line_of(f"Project: {data['ProjectNumber']} {data['ProjectName']}")
    if data.get("IsCISReverseCharge"):
        pdf.line_of(f"CIS reverse charge: VAT {_number(data['CISRCVatAmount'], 2)} is accounted for by the buyer")
    pdf.ln(3)
    pdf.row([title for title, _width in COLUMNS], bold=True)
    for line in data["LineItems"] or []:
        pdf.row(
            [
                line["Number"],
                line["Description"],
                f"{line['NominalCode']} {line['NominalName']}",
                _number(line["Quantity"]),
                _number(line["Rate"]),
                "exempt" if line["VATExempt"] else _number(line["VATLevel"]),
                _number(line["VATAmount"], 2),
            ]
        )
    pdf.ln(3)
    code = data["Currency"]["Code"]
    pdf.amount_line("Net", f"{code} {_number(data['NetAmount'], 2)}")
    pdf.amount_line("VAT", f"{code} {_number(data['VATAmount'], 2)}")
    pdf.amount_line("Gross", f"{code} {_number(data['GrossAmount'], 2)}", bold=True)
    if data["Currency"]["ExchangeRate"] != 1:
        pdf.amount_line("In home currency", _number(data["HomeCurrencyGrossAmount"], 2))
    pdf.amount_line("Paid", _number(data["TotalPaidAmount"], 2))
    pdf.amount_line("Due", _number(data["DueAmount"], 2))
    if data["PaymentLines"]:
        pdf.ln(3)
        pdf.line_of("Payments", bold=True)
        for payment in data["PaymentLines"]:
            pdf.line_of(f"{(payment['Date'] or '')[:10]}  {_number(payment['Amount'], 2)}  {payment['Note']}")
    return bytes(pdf.output())


def payment_pdf(*, number: int, company: str, fields: list[tuple[str, str]]) -> bytes:
    """A payment receipt: ``fields`` are (label, value) lines."""
    pdf = _Document()
    pdf.set_title(f"Payment receipt - purchase {number}")
    pdf.line_of("Payment receipt", size=18, bold=True, height=9)
    pdf.line_of(company)
    pdf.ln(2)
    for label, value in fields:
        if value:
            pdf.line_of(f"{label}: {value}")
    return bytes(pdf.output())

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from apps.reconciliation.models import ReconciliationStatement
from apps.reconciliation.services import Trigger, statement_match
from apps.reconciliation.services.matching import normalise_tax_id
from apps.reconciliation.services.rematch import midnight

ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Command(BaseCommand):
    help = (
        "Match statements against purchases again, in this process (no worker needed), with a progress bar: "
        "all of them, or those of one supplier tax id and/or whose period ends on or after a date."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--supplier", metavar="TAXID", help="only statements with this supplier tax id")
        parser.add_argument(
            "--since", metavar="DATE", help="only statements whose period ends on or after this day (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        statements = ReconciliationStatement.objects.order_by("pk")
        # An empty value (an unset shell variable) must not widen the run to every statement.
        for name in ("supplier", "since"):
            if options[name] is not None and not options[name].strip():
                raise CommandError(f"--{name} is empty: leave it out to match every statement")
        if options["supplier"]:
            statements = statements.filter(supplier_tax_id=normalise_tax_id(options["supplier"]))
        if options["since"]:
            text = options["since"].strip()
            try:
                if not ISO_DAY.fullmatch(text):
                    raise ValueError(text)
                since = dt.date.fromisoformat(text)
            except ValueError:
                raise CommandError(f"--since: {options['since']!r} is not a date (YYYY-MM-DD)") from None
            statements = statements.filter(end_time__gte=midnight(since))
        ids = list(statements.values_list("pk", flat=True))
        outcomes: Counter[str] = Counter()
        for statement_id in tqdm(ids, desc="match", unit="statements", disable=not ids):
            outcomes[statement_match(statement=statement_id, trigger=Trigger.COMMAND).get_status_display()] += 1
        summary = ", ".join(f"{count} {label}" for label, count in sorted(outcomes.items()))
        self.stdout.write(f"{len(ids)} statement(s) matched" + (f": {summary}" if summary else ""))

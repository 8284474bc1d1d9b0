from datetime import UTC, datetime
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from costs import price_file, pricing_api
from costs.prices import PRICE_FILE, PriceFileError, flatten, load


class Command(BaseCommand):
    help = (
        "Rebuild the price file from the AWS Price List Query API (get_products): every price the file "
        "lists, for every region it lists. Needs AWS credentials allowed pricing:GetProducts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--prices", type=Path, default=PRICE_FILE, help="the price file to read (default: %(default)s)"
        )
        parser.add_argument("--output", type=Path, help="write the result here instead of over --prices")
        parser.add_argument("--dry-run", action="store_true", help="print the differences, write nothing")
        parser.add_argument(
            "--keep-going", action="store_true", help="exit 0 even when some prices could not be confirmed"
        )

    def handle(self, *args, prices: Path, output: Path | None, dry_run: bool, keep_going: bool, **options):
        self.verbosity = options["verbosity"]
        try:
            load(prices)  # the file must be a valid price book before anything is asked
        except PriceFileError as exc:
            raise CommandError(str(exc)) from None
        text = prices.read_text()
        document = yaml.safe_load(text)
        old = flatten(document["regions"])
        try:
            fetched = pricing_api.fetch(document["regions"], pricing_api.client(), progress=self._progress)
        except pricing_api.PricingAPIError as exc:
            hint = " A retry may help." if exc.retryable else ""
            raise CommandError(f"{exc}{hint} Nothing was written.") from None

        changed = [(leaf, old[leaf], new) for leaf, new in fetched.prices.items() if new != old[leaf]]
        for (region, *key), before, after in changed:
            self.stdout.write(f"{region} {'.'.join(key)}: {before} → {price_file.number(after)}")
        for problem in fetched.problems:
            self.stderr.write(f"error: {problem}")
        self.stdout.write(
            f"{len(old)} prices, {fetched.requests} get_products calls: {len(changed)} changed, "
            f"{len(fetched.prices) - len(changed)} unchanged, {len(fetched.problems)} not confirmed (old value kept)."
        )

        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        else:
            target = output or prices
            try:
                new_text = price_file.rewrite(
                    text,
                    fetched.prices,
                    self._kept(fetched),
                    retrieved=_today(),
                    source=self._source(document, fetched),
                )
            except PriceFileError as exc:
                raise CommandError(str(exc)) from None
            price_file.write(target, new_text)
            self.stdout.write(f"Wrote {target}.")
        if fetched.problems and not keep_going:
            raise CommandError(
                f"{len(fetched.problems)} price(s) could not be confirmed and keep their old value. Fix the query "
                "plans in costs/price_plans.py, or pass --keep-going to accept the file as it is."
            )

    def _progress(self, query: str) -> None:
        if self.verbosity >= 2:
            self.stdout.write(f"  get_products {query}")

    @staticmethod
    def _kept(fetched: pricing_api.Fetched) -> dict:
        return {(p.region, *p.path): p.reason for p in fetched.problems}

    @staticmethod
    def _source(document: dict, fetched: pricing_api.Fetched) -> str:
        source = f"AWS Price List Query API (get_products), {_today()}"
        if fetched.problems:
            # The kept values' comments cite the previous sources; keep them findable.
            source += (
                f"; values marked `# kept` are from the previous file (retrieved {document.get('retrieved')}), "
                f"whose source was: {document.get('source')}"
            )
        return source


def _today() -> str:
    return datetime.now(UTC).date().isoformat()

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from costs import prices
from costs.price_check import check


class Command(BaseCommand):
    help = (
        "Fail when a shipped pattern can create something without a price: a module resource type the "
        "estimator does not know, or a parameter value (size, region...) missing from the price file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--patterns", type=Path, help="the pattern folders (default: settings.PATTERNS_DIR)")
        parser.add_argument(
            "--prices", dest="price_file", type=Path, default=prices.PRICE_FILE, help="default: %(default)s"
        )

    def handle(self, *args, patterns: Path | None, price_file: Path, **options):
        try:
            book = prices.load(price_file)
        except prices.PriceFileError as exc:
            raise CommandError(str(exc)) from None
        report = check(patterns or settings.PATTERNS_DIR, book, settings.AWS_DEFAULT_REGION)
        for problem in report.problems:
            self.stderr.write(f"error: {problem}")
        if report.problems:
            raise CommandError(f"{len(report.problems)} way(s) a shipped pattern could create something unpriced.")
        self.stdout.write(
            self.style.SUCCESS(f"{report.patterns} patterns, {report.quotes} quotes: all they can create is priced.")
        )

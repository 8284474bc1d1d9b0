from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalogue.services import CatalogueError, sync_catalogue


class Command(BaseCommand):
    help = "Validate the pattern files and load them into the catalogue (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--path", type=Path, default=None, help="Folder of patterns (default: PATTERNS_DIR).")

    def handle(self, *args, path: Path | None, **options):
        root = path or settings.PATTERNS_DIR
        try:
            report = sync_catalogue(root)
        except CatalogueError as exc:
            for error in exc.errors:
                self.stderr.write(f"error: {error}")
            raise CommandError(f"{len(exc.errors)} problem(s) found; nothing was loaded.") from None
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Catalogue in sync with {root}."))

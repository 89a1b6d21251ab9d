"""python manage.py export --study SLUG --format csv|parquet|zip --output PATH [--table T]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.management.commands._study import study_by_slug
from study.services import EXPORT_TABLES, ExportError, study_export

TABLES = tuple(table for table in EXPORT_TABLES if table != "bundle")


class Command(BaseCommand):
    help = (
        "Export a study's data (DATA.md, codebook version 2): one table as CSV or Parquet, or "
        "the zip bundle of every table with design.json, codebook and manifest. Withdrawn "
        "participants are never exported; simulated ones only with --include-synthetic."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument(
            "--format", required=True, choices=("csv", "parquet", "zip"), dest="file_format"
        )
        parser.add_argument("--output", required=True, help="file to write")
        parser.add_argument(
            "--table",
            choices=TABLES,
            default="trials",
            help="the table for csv and parquet (default: trials); zip holds them all",
        )
        parser.add_argument(
            "--include-synthetic",
            action="store_true",
            help="include simulated participants (each row says so in its synthetic column)",
        )
        parser.add_argument(
            "--allocation-slots",
            type=int,
            default=None,
            help="allocation slots per stratum (default: all taken + one block)",
        )

    def handle(self, *args, study, file_format, output, table, include_synthetic, **options):
        found = study_by_slug(study)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        if options["allocation_slots"] is not None and options["allocation_slots"] < 1:
            raise CommandError("--allocation-slots must be at least 1.")
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as handle:
                result = study_export(
                    study=found,
                    table="bundle" if file_format == "zip" else table,
                    handle=handle,
                    via="cli",
                    allocation_slots=options["allocation_slots"],
                    include_synthetic=include_synthetic,
                    file_format="csv" if file_format == "zip" else file_format,
                )
        except ExportError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(str(error)) from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        if result.manifest:
            for entry in result.manifest["files"]:
                self.stdout.write(
                    f"{entry['file']:<20} {entry['rows']:>8} rows  sha256 {entry['sha256']}"
                )
        else:
            self.stdout.write(f"{result.rows} rows")
        self.stdout.write(f"Wrote {path}.")

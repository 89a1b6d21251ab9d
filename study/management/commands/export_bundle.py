from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.management.commands._study import study_by_slug
from study.services import study_export


class Command(BaseCommand):
    help = (
        "Write the export bundle (zip): trials as CSV and Parquet, participants, allocation, "
        "codebook and manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--output", required=True, help="zip file to write")
        parser.add_argument(
            "--allocation-slots",
            type=int,
            default=None,
            help="slots per stratum (default: all taken + one block)",
        )

    def handle(self, *args, study, output, allocation_slots, **options):
        found = study_by_slug(study)
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            result = study_export(
                study=found,
                table="bundle",
                handle=handle,
                via="cli",
                allocation_slots=allocation_slots,
            )
        partial.replace(path)
        for entry in result.manifest["files"]:
            self.stdout.write(
                f"{entry['file']:<18} {entry['rows']:>8} rows  sha256 {entry['sha256']}"
            )
        self.stdout.write(f"Wrote {path}.")

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study import bundle, services
from study.models import Study


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
        found = Study.objects.filter(slug=study).first()
        if found is None:
            raise CommandError(f"No study with slug '{study}'.")
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            manifest = bundle.bundle_write(
                study=found, handle=handle, allocation_slots=allocation_slots
            )
        partial.replace(path)
        services.audit_record(
            action="export", study=found, detail={"table": "bundle", "via": "cli"}
        )
        for entry in manifest["files"]:
            self.stdout.write(
                f"{entry['file']:<18} {entry['rows']:>8} rows  sha256 {entry['sha256']}"
            )
        self.stdout.write(f"Wrote {path}.")

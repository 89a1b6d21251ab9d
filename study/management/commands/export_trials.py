from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.management.commands._study import study_by_slug
from study.services import study_export


class _TextSink:
    """A binary handle that writes into the command's text stdout."""

    def __init__(self, stdout):
        self.stdout = stdout

    def write(self, data: bytes) -> int:
        self.stdout.write(data.decode("utf-8"), ending="")
        return len(data)


class Command(BaseCommand):
    help = "Write the trials table of DATA.md (one row per answered, non-withdrawn trial) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--output", required=True, help="CSV file to write ('-' for stdout)")

    def handle(self, *args, study, output, **options):
        found = study_by_slug(study)
        if output == "-":
            study_export(study=found, table="trials", handle=_TextSink(self.stdout), via="cli")
            return
        path = Path(output)
        if not path.parent.exists():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        partial = path.with_name(path.name + ".partial")
        with partial.open("wb") as handle:
            result = study_export(study=found, table="trials", handle=handle, via="cli")
        partial.replace(path)  # never leave a half-written export under the final name
        self.stderr.write(f"Wrote {result.rows} trial rows to {path}.")

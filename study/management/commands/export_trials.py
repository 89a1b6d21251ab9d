from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study import exports, selectors, services
from study.models import Study


class Command(BaseCommand):
    help = "Write the trials table of DATA.md (one row per answered, non-withdrawn trial) as CSV."

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--output", required=True, help="CSV file to write ('-' for stdout)")

    def handle(self, *args, study, output, **options):
        found = Study.objects.filter(slug=study).first()
        if found is None:
            raise CommandError(f"No study with slug '{study}'.")
        lines = exports.csv_lines(selectors.TRIALS_COLUMNS, selectors.trial_rows(study=found))
        count = -1  # the header is not a row
        if output == "-":
            for line in lines:
                self.stdout.write(line, ending="")
                count += 1
        else:
            path = Path(output)
            if not path.parent.exists():
                raise CommandError(f"Directory '{path.parent}' does not exist.")
            tmp = path.with_name(path.name + ".partial")
            with tmp.open("w", encoding="utf-8", newline="") as handle:
                for line in lines:
                    handle.write(line)
                    count += 1
            tmp.replace(path)  # never leave a half-written export under the final name
            self.stderr.write(f"Wrote {count} trial rows to {path}.")
        services.audit_record(
            action="export", study=found, detail={"table": "trials", "rows": count, "via": "cli"}
        )

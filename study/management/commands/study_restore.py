"""python manage.py study_restore --input study.tar"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.services.archives import StudyArchiveError, study_restore


class Command(BaseCommand):
    help = (
        "Load a study archive written by study_archive into this database, which must not hold "
        "the study yet: everything is checked first, then written in one transaction."
    )

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, dest="source", help="the tar to restore")

    def handle(self, *args, source, **options):
        path = Path(source)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                summary = study_restore(source=handle)
        except StudyArchiveError as error:
            raise CommandError(f"{path.name}: {error}; nothing was restored.") from None
        for model, rows in summary.rows.items():
            kept = "new keys" if model in summary.remapped else "keys kept"
            self.stdout.write(f"{model:<24} {rows:>8} rows ({kept})")
        self.stdout.write(
            f"{'stored files':<24} {summary.media_written:>8} written, "
            f"{summary.media_present} already present"
        )
        if summary.users_matched:
            self.stdout.write(f"accounts matched by username: {', '.join(summary.users_matched)}")
        if summary.users_created:
            self.stdout.write(
                "accounts created inactive, without a usable password (set one to let them sign "
                f"in): {', '.join(summary.users_created)}"
            )
        self.stdout.write(
            f"Restored study '{summary.study}' (id {summary.study_id}) from {path} "
            f"(sha256 {summary.sha256})."
        )

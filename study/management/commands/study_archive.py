"""python manage.py study_archive --study SLUG --output study.tar"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.management.commands._study import study_by_slug
from study.services.archives import StudyArchiveError, study_archive


class Command(BaseCommand):
    help = (
        "Write everything of one study (design and versions, team by username, cases with their "
        "advice and stored images, participants, trials, responses, questionnaires, "
        "withdrawals, audit log) to one tar that study_restore loads into another database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("--output", required=True, help="the tar file to write")

    def handle(self, *args, study, output, **options):
        found = study_by_slug(study)
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"Directory '{path.parent}' does not exist.")
        partial = path.with_name(path.name + ".partial")
        try:
            with partial.open("wb") as handle:
                summary = study_archive(study=found, output=handle)
        except StudyArchiveError as error:
            partial.unlink(missing_ok=True)
            raise CommandError(f"Study '{found.slug}' was not archived: {error}") from None
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(path)
        for model, rows in summary.rows.items():
            self.stdout.write(f"{model:<24} {rows:>8} rows")
        self.stdout.write(
            f"{'stored files':<24} {summary.media_files:>8} ({summary.media_bytes} bytes)"
        )
        self.stdout.write(f"accounts named: {', '.join(summary.users) or 'none'}")
        self.stdout.write(f"Wrote {path} ({summary.bytes} bytes, sha256 {summary.sha256}).")

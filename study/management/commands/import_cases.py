from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from study.management.commands._study import study_by_slug
from study.services.imports import ArchiveError, ImageStoreError, cases_import
from study.services.studies import StudyStateError


class Command(BaseCommand):
    help = (
        "Import cases from a zip of DICOM files plus manifest.csv or manifest.json. A manifest "
        "with problems, or any refused file, imports nothing: all cases or none."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", required=True, help="study slug")
        parser.add_argument("archive", help="zip archive")

    def handle(self, *args, study, archive, **options):
        found = study_by_slug(study)
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            with path.open("rb") as handle:
                report = cases_import(study=found, archive=handle)
        except (ArchiveError, StudyStateError) as error:
            raise CommandError(f"{path.name}: {error}") from error
        except ImageStoreError as error:
            raise CommandError(f"{path.name}: nothing was imported, because {error}") from error
        if report.manifest_problems:
            for problem in report.manifest_problems:
                self.stderr.write(f"manifest {problem}")
            more = (
                f" (the first {len(report.manifest_problems)} are listed)"
                if report.problems_not_listed
                else ""
            )
            raise CommandError(
                f"{report.problem_count} manifest problem(s){more}; nothing was imported."
            )
        for outcome in report.outcomes:
            case = f" (case {outcome.case})" if outcome.case else ""
            self.stdout.write(f"{outcome.status:<12} {outcome.file}{case}: {outcome.message}")
        if not report.stored:
            raise CommandError(
                f"Nothing was imported: {report.refused} file(s) refused (all cases or none)."
            )
        self.stdout.write(f"{report.imported} case(s) imported.")

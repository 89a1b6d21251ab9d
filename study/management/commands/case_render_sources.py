"""Render the viewer's window/level source for cases stored before sources existed."""

from django.core.management.base import BaseCommand, CommandError

from study.core.imaging import DicomError
from study.management.commands._study import study_by_slug
from study.selectors.cases import cases_without_source
from study.services.cases import ImageStoreError, case_source_render


class Command(BaseCommand):
    help = (
        "Render the packed 16-bit window/level source of every case that has a de-identified "
        "DICOM but no source yet (cases imported before the viewer had free window/level), "
        "one transaction per case. Running it again renders nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument("--study", help="only this study's cases (slug); default: all")

    def handle(self, *args, study=None, **options):
        chosen = study_by_slug(study) if study is not None else None
        rendered, failed = 0, []
        for case in cases_without_source(study=chosen):
            label = f"{case.study.slug}/{case.code}"
            try:
                done = case_source_render(case=case)
            except (DicomError, ImageStoreError, OSError) as error:
                # One unreadable file must not keep the other cases from their sources.
                failed.append(label)
                self.stderr.write(f"{label}: {error}")
                continue
            if done:
                rendered += 1
                self.stdout.write(f"{label}: source rendered")
        self.stdout.write(f"{rendered} case source(s) rendered.")
        if failed:
            raise CommandError(f"{len(failed)} case(s) failed: {', '.join(failed)}")

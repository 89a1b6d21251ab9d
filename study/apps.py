from django.apps import AppConfig


class StudyConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "study"
    verbose_name = "TrustLab studies"

    def ready(self) -> None:
        from . import signals  # imports the models: only once the app registry is ready

        signals.connect()

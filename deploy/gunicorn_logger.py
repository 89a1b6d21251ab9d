"""Gunicorn's logs never carry a participant's token: the access log line (request line, query,
referer, any header) and the error log (gunicorn prints the URI of a request that failed) go
through the same redaction as Django's own logs, config.logging.RedactTokens."""

from gunicorn.glogging import Logger

from config.logging import RedactTokens


class TokenRedactingLogger(Logger):
    """gunicorn's logger with the token filter on both of its loggers.

    A filter on the logger (not on a handler) sees every record gunicorn emits through it,
    whichever handlers `--access-logfile`, `--error-logfile` or a log config attach later."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactTokens) for existing in log.filters):
                log.addFilter(RedactTokens())

"""Log records never carry a participant's token: an invitation or open-link token in a URL is a
credential (whoever has it can answer as that participant), and log files are read by more
people, and kept longer, than the study database.

`redact` rewrites /p/<token>/ and /s/<token>/ in any text to /p/[token]/; `RedactTokens` is the
logging filter that applies it to every record (Django's "Not Found: /p/...", the request
errors, runserver's request lines), and gunicorn's access log uses the same function
(deploy/gunicorn.conf.py)."""

import logging
import re

_TOKEN_IN_PATH = re.compile(r"/(p|s)/[^/\s?#\"'<>]+")


def redact(text: str) -> str:
    return _TOKEN_IN_PATH.sub(r"/\1/[token]", text)


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # Render the traceback now, redacted: frames show the token in view arguments.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True

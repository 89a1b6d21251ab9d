"""Study slugs: the one rule for the short name in console addresses and export file names.

Rule: a slug is 1 to 60 lower-case letters, digits, hyphens and underscores and not a word the
console puts next to slugs in its URLs. Whether it is still free needs the database: only the
builder service checks that, with ``slug_taken_message`` for its refusal.
"""

import re

from .allocation import DesignError

MAX_LENGTH = 60
# URL words next to a study's slug in the console; a study with one of these slugs is unreachable.
RESERVED_SLUGS = frozenset({"new"})
SHAPE_MESSAGE = "Use only lower-case letters, digits, hyphens and underscores."
_SHAPE = re.compile(r"[a-z0-9_-]+")


class SlugError(DesignError):
    """A refused slug. ``field`` names the form field a surface shows the message at."""

    field = "slug"


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot name a study whatever the other studies are called; None if it can."""
    if not _SHAPE.fullmatch(slug):
        return SHAPE_MESSAGE
    if len(slug) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters (this slug has {len(slug)})."
    if slug in RESERVED_SLUGS:
        return f"“{slug}” is reserved by the console; choose another."
    return None


def slug_taken_message(slug: str) -> str:
    """The refusal of a slug another study already has."""
    return f"“{slug}” is already used by another study."

"""Texts as they are stored: normalised, and within their field's length (pure, no Django).

Rule: a length limit applies to the text as it is stored, after normalisation
(design_document.text_normalise), not as it was typed. NFC can lengthen a text: U+0958 is one
character typed and two once normalised, so 200 typed can be 400 stored, which a
varchar(200) column refuses. The refusal names the field and its limit.
"""

from .allocation import DesignError
from .design_document import text_normalise


class TextTooLong(DesignError):
    """A text longer, as stored, than its field allows; ``field`` names the field at fault."""

    def __init__(self, message: str, *, field: str, max_length: int, length: int):
        super().__init__(message)
        self.field = field
        self.max_length = max_length
        self.length = length


def text_normalised(
    text: str, *, field: str, max_length: int | None, label: str | None = None
) -> str:
    """``text`` in its one stored spelling; refused with TextTooLong when that spelling is
    longer than ``max_length`` (None: no limit). ``label`` is the field's name for people
    (default: ``field`` with a capital and spaces)."""
    normalised = text_normalise(text)
    if max_length is None or len(normalised) <= max_length:
        return normalised
    label = label or field.replace("_", " ").capitalize()
    lengthened = " after Unicode normalisation" if len(normalised) > len(text) else ""
    raise TextTooLong(
        f"{label}: at most {max_length} characters (this one has {len(normalised)}{lengthened}).",
        field=field,
        max_length=max_length,
        length=len(normalised),
    )

"""The post-study questionnaire's items: the one definition the page's form and the export's
participant columns (``q_<code>``) and codebook entries are made from.

Rule: pure Python. An item's code is part of the export contract; change wording freely, never
a code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ItemType = Literal["likert", "number", "choice", "multiple", "text"]


@dataclass(frozen=True)
class Item:
    code: str
    wording: str
    type: ItemType
    required: bool = True
    scale: tuple[int, int] | None = None  # likert/number: (low, high)
    anchors: tuple[str, str] | None = None  # likert: the words at each end
    choices: tuple[tuple[str, str], ...] = ()  # choice/multiple: (code, label)
    max_length: int = 2000  # text

    @property
    def column(self) -> str:
        return f"q_{self.code}"

    @property
    def codes(self) -> str:
        """The codebook's codes: the scale range, the choice codes joined by ';', or empty."""
        if self.scale is not None:
            return f"{self.scale[0]}-{self.scale[1]}"
        return ";".join(code for code, _label in self.choices)

    @property
    def is_free_text(self) -> bool:
        """A free-text answer may identify its writer or a patient: identifiable-risk data,
        exported to viewers only when an owner allows it (study.permissions)."""
        return self.type == "text"

    @property
    def export_type(self) -> str:
        """The column's DATA.md type: int for Likert and numbers, str otherwise."""
        return "int" if self.type in ("likert", "number") else "str"


ITEMS: tuple[Item, ...] = (
    Item(
        "ai_attitude",
        "In general, how much do you trust AI systems to support diagnosis?",
        "likert",
        scale=(1, 7),
        anchors=("not at all", "completely"),
    ),
    Item(
        "advice_usefulness",
        "How useful was the advice you received in this study?",
        "likert",
        scale=(1, 7),
        anchors=("not at all", "very useful"),
    ),
    Item("comments", "Comments (optional)", "text", required=False),
)


def item_value(item: Item, value: object) -> str | int | None:
    """A stored answer as its export cell: ints for Likert/number, codes joined by ';' for
    multiple choice, text as text, None when not answered."""
    if value is None or value == "" or value == []:
        return None
    if item.type == "multiple" and isinstance(value, list | tuple):
        return ";".join(str(code) for code in value)
    if item.export_type == "int":
        return int(value)  # type: ignore[call-overload]
    return str(value)

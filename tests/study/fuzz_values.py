"""Hypothesis strategies for posting forms through Django's test client: each field is a list of
values (none = missing, several = duplicated, the last one counts as in Django's QueryDict),
each value tagged valid or not by construction, so a test knows what the page must answer."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Text the test client can send: anything but lone surrogates, which UTF-8 cannot encode.
_CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(alphabet=_CHARS, max_size=40)

NASTY = (
    "",
    " ",
    "\x00",
    "a\x00b",
    "²",
    "³",
    "½",
    "1e3",
    "1.5",
    "0x10",
    "NaN",
    "-inf",
    "+-1",
    str(2**31),
    str(-(2**31) - 1),
    str(2**63),
    "9" * 30,
    "9" * 5000,
    "é" * 3000,
    "\u202e\ufeff",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "𝟙",  # a mathematical digit: int() reads it as 1, the page's script never sends it
)
GARBAGE = st.one_of(
    st.sampled_from(NASTY),
    TEXT,
    st.builds(lambda char, n: char * n, _CHARS, st.integers(1000, 6000)),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)


def _no_digit(text: str) -> bool:
    # Conservative: text with no digit-like character at all can never be a whole number.
    return not any(char.isdigit() or char.isdecimal() or char.isnumeric() for char in text)


def entries(valid: st.SearchStrategy[str], invalid: st.SearchStrategy[str], *, max_size=3):
    """A field's posted values, each (is_valid, value); an empty list means the field is absent."""
    entry = st.one_of(
        valid.map(lambda value: (True, value)), invalid.map(lambda value: (False, value))
    )
    return st.lists(entry, max_size=max_size)


def choice(codes) -> st.SearchStrategy:
    codes = [str(code) for code in codes]
    return entries(st.sampled_from(codes), GARBAGE.filter(lambda value: value not in codes))


def scale(maximum: int) -> st.SearchStrategy:
    return choice(range(1, maximum + 1))


def whole_number(low: int, high: int | None, *, drawn_up_to: int | None = None):
    """A Django IntegerField between low and high (None: no upper bound): surrounding spaces
    and other scripts' decimal digits are numbers too (int() reads them); text without digits
    and numbers outside are not. Valid numbers are drawn up to ``drawn_up_to`` (default: high)
    when large ones would be slow to act on."""
    arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    top = drawn_up_to if drawn_up_to is not None else high
    valid = st.integers(low, top).flatmap(
        lambda n: st.sampled_from([str(n), f" {n} ", str(n).translate(arabic)])
    )
    outside = [
        st.integers(max_value=low - 1).map(str),
        st.sampled_from(["9" * 5000, "²", "1.5", "1e3"]),
    ]
    if high is not None:
        outside.append(st.integers(min_value=high + 1).map(str))
    return entries(valid, st.one_of(GARBAGE.filter(_no_digit), *outside))


def text(*, max_length: int) -> st.SearchStrategy:
    """A CharField: no NUL and at most max_length once stripped."""
    valid = TEXT.filter(lambda value: "\x00" not in value)
    too_long = st.integers(max_length + 1, max_length + 50).map(lambda n: "x" * n)
    with_nul = TEXT.map(lambda value: value + "\x00")
    return entries(valid, st.one_of(too_long, with_nul))


def anything() -> st.SearchStrategy:
    """A field whose every value is acceptable (hidden client measurements)."""
    return entries(st.one_of(GARBAGE, st.integers(0, 10**7).map(str)), st.nothing())


def posted(fields: dict[str, list[tuple[bool, str]]]) -> dict[str, list[str]]:
    """The POST body for the test client; an absent field is left out."""
    return {name: [value for _ok, value in values] for name, values in fields.items() if values}


def last(fields: dict, name: str) -> str | None:
    values = fields.get(name) or []
    return values[-1][1] if values else None


def is_valid(fields: dict, name: str, *, required: bool = True) -> bool:
    """Whether the value Django reads for ``name`` (the last one) is acceptable."""
    values = fields.get(name) or []
    if not values:
        return not required
    ok, value = values[-1]
    if value == "":
        return not required  # Django reads an empty value as no value
    return ok and (bool(value.strip()) or not required)

"""What a bot reads on a page, as a browser would: its forms (fields with the options offered,
hidden inputs, submit buttons), the images it loads, its heading and its error summary.

Rule: only the HTML decides what can be sent. A bot picks among the options a page offers and
fills the fields it shows; anything else is refused here (FormRefusal) before it is posted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


class FormRefusal(Exception):
    """What a bot wanted to send that the page's form does not offer."""


@dataclass
class FormField:
    """One named control: a text-like input (``options`` empty), a select, a radio group or a
    set of checkboxes (``options`` the values offered)."""

    name: str
    kind: str  # "text", "hidden", "select", "radio", "checkbox", "textarea"
    value: str = ""
    options: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)  # radios and checkboxes checked as served


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, FormField] = field(default_factory=dict)
    buttons: list[tuple[str, str]] = field(default_factory=list)  # (name, value) of submits

    def asks(self, name: str) -> bool:
        return name in self.fields and self.fields[name].kind != "hidden"

    def filled(
        self, answers: dict[str, object], *, click: tuple[str, str] | None = None
    ) -> list[tuple[str, str]]:
        """The pairs a browser posts: hidden inputs as the page set them, each answer in its
        field (refused unless the field exists and offers the value), and the clicked button."""
        for name in answers:
            if name not in self.fields:
                raise FormRefusal(f"the page does not ask '{name}'")
        pairs: list[tuple[str, str]] = []
        for name, control in self.fields.items():
            wanted = answers.get(name)
            if wanted is None or wanted == "" or wanted == []:
                if control.kind in ("hidden", "text", "textarea"):
                    pairs.append((name, control.value))
                pairs.extend((name, value) for value in control.checked)
                if control.kind == "select" and not control.checked and control.options:
                    pairs.append((name, control.options[0]))  # a browser sends the first
                continue
            for value in wanted if isinstance(wanted, list) else [wanted]:
                text = str(value)
                if control.options and text not in control.options:
                    offered = ", ".join(f"'{option}'" for option in control.options if option)
                    raise FormRefusal(
                        f"the page offers no choice '{text}' for '{name}' (it offers {offered})"
                    )
                pairs.append((name, text))
        if click is not None:
            if click not in self.buttons:
                raise FormRefusal(f"the page has no button {click[0]}={click[1]}")
            pairs.append(click)
        return pairs


@dataclass
class Page:
    """A page as served: the final URL after redirects, its status and what it shows."""

    url: str
    status: int
    heading: str = ""
    errors: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    images: list[str] = field(default_factory=list)

    def post_form(self) -> Form | None:
        """The page's answer form: its one POST form (the withdrawal link is a link)."""
        posts = [form for form in self.forms if form.method == "post"]
        return posts[0] if posts else None


_TEXT_INPUTS = {"text", "number", "email", "tel", "url", "search", "password", "date", ""}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.images: list[str] = []
        self.heading = ""
        self.errors: list[str] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None
        self._option: list[str] | None = None  # the open <option>'s value, if it has none yet
        self._selected = False
        self._in_h1 = False
        self._summary_depth = 0  # inside the error summary: count of open <div>s
        self._in_item = False
        self._item: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "img" and attr.get("src"):
            self.images.append(attr["src"])
        if "data-viewer" in attr and attr.get("data-source"):
            self.images.append(attr["data-source"])  # viewer.js loads it at once
        if tag == "h1":
            self._in_h1 = True
        if tag == "div":
            if "error-summary" in attr.get("class", "").split():
                self._summary_depth = 1
            elif self._summary_depth:
                self._summary_depth += 1
        if tag == "li" and self._summary_depth:
            self._in_item, self._item = True, []
        if tag == "form":
            self._form = Form(
                method=attr.get("method", "get").lower(), action=attr.get("action", "")
            )
            self.forms.append(self._form)
        elif self._form is not None:
            self._control(self._form, tag, attr)

    def _control(self, form: Form, tag: str, attr: dict[str, str]) -> None:
        name = attr.get("name", "")
        kind = attr.get("type", "text" if tag == "input" else "submit").lower()
        if tag == "button" or (tag == "input" and kind == "submit"):
            if kind == "submit" and name:
                form.buttons.append((name, attr.get("value", "")))
        elif tag == "input" and name:
            if kind in ("radio", "checkbox"):
                control = form.fields.setdefault(name, FormField(name=name, kind=kind))
                control.options.append(attr.get("value", "on"))
                if "checked" in attr:
                    control.checked.append(attr.get("value", "on"))
            elif kind == "hidden" or kind in _TEXT_INPUTS:
                form.fields[name] = FormField(
                    name=name,
                    kind="hidden" if kind == "hidden" else "text",
                    value=attr.get("value", ""),
                )
        elif tag == "select" and name:
            self._select = form.fields[name] = FormField(name=name, kind="select")
        elif tag == "option" and self._select is not None:
            if "selected" in attr:
                self._selected = True
            if "value" in attr:
                self._option_chosen(self._select, attr["value"])
            else:
                self._option = []
        elif tag == "textarea" and name:
            self._textarea = form.fields[name] = FormField(name=name, kind="textarea")

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False
        elif tag == "div" and self._summary_depth:
            self._summary_depth -= 1
        elif tag == "li" and self._in_item:
            self._in_item = False
            self.errors.append(" ".join("".join(self._item).split()))
        elif tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "option" and self._option is not None and self._select is not None:
            self._option_chosen(self._select, "".join(self._option).strip())
            self._option = None

    def _option_chosen(self, select: FormField, value: str) -> None:
        select.options.append(value)
        if self._selected:
            select.checked.append(value)
        self._selected = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.heading += data
        if self._in_item:
            self._item.append(data)
        if self._option is not None:
            self._option.append(data)
        if self._textarea is not None:
            self._textarea.value += data


def page_read(*, url: str, status: int, html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return Page(
        url=url,
        status=status,
        heading=" ".join(parser.heading.split()),
        errors=parser.errors,
        forms=parser.forms,
        images=parser.images,
    )

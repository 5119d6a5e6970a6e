"""Free text as people mean it: what a form or service keeps of a value, whatever bytes were sent.

A name is one line: a carriage return in it would end an email header (Django refuses to send such a subject), so
line breaks and tabs become a space and other control characters go. A text area keeps its line breaks (as
``\\n``) and tabs.
"""

import re

# Characters that end a line somewhere (str.splitlines' set) and the tab: a space in a one-line value.
_LINE_BREAKS = re.compile(r"[\t\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
# C0 and C1 control characters except tab, line feed and carriage return; DEL too. What the API refuses in a text
# field (``core.api.TextField``) and in a JSON field name (``core.parsers.JSONParser``).
_CONTROL_SET = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
CONTROL_CHARACTERS = re.compile(f"[{_CONTROL_SET}]")
# What a form or service drops: the same, and the Unicode line and paragraph separators.
_CONTROL = re.compile(rf"[{_CONTROL_SET}\u2028\u2029]")


def single_line(value: str) -> str:
    """One line of text: line breaks and tabs become one space, other control characters are dropped."""
    return _CONTROL.sub("", _LINE_BREAKS.sub(" ", value)).strip()


def multi_line(value: str) -> str:
    """Text with lines: ``\\r\\n`` and ``\\r`` become ``\\n``, other control characters but the tab are dropped."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def header_safe(value: str) -> str:
    """A value for an email header or a title: every run of whitespace or control characters becomes one space."""
    return " ".join(_CONTROL.sub(" ", value).split())

"""The API's request parsers. A module of its own: ``rest_framework.views`` reads ``DEFAULT_PARSER_CLASSES`` when it
is imported, and ``core.api`` imports it, so a parser defined there would be a circular import."""

import codecs
import json
import math
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers

from .text import CONTROL_CHARACTERS

SURROGATES = re.compile(r"[\ud800-\udfff]")


def _refuse_constant(name):
    raise ValueError(f"{name} is not a number JSON can carry")


def _finite_float(text):
    number = float(text)
    if not math.isfinite(number):  # 1e400 is inf to Python's json, and no renderer can send it back
        raise ValueError("number out of range")
    return number


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, stricter where Python's ``json`` is lenient: the body is one JSON object (never a list, a
    string or a number), every number is finite (``1e400`` is not infinity), nesting stays shallow (5,000 brackets
    exhaust the recursion limit), text is Unicode a database can store (no lone surrogate), and a field name holds no
    control character. Each is a 400 in the contract's shape."""

    max_depth = 32

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.load(
                codecs.getreader(encoding)(stream), parse_constant=_refuse_constant, parse_float=_finite_float
            )
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(_("The body is not valid JSON.")) from None
        self._check(data)
        if not isinstance(data, dict):
            raise exceptions.ValidationError({"non_field_errors": [_("The body must be a JSON object.")]})
        return data

    def _check(self, data) -> None:
        pending = [(data, 1)]
        while pending:
            value, depth = pending.pop()
            if depth > self.max_depth:
                raise exceptions.ParseError(_("The body is nested too deeply."))
            if isinstance(value, str):
                if SURROGATES.search(value):
                    raise exceptions.ParseError(_("The body contains text that is not valid Unicode."))
            elif isinstance(value, dict):
                for key, item in value.items():
                    if CONTROL_CHARACTERS.search(key) or SURROGATES.search(key):
                        raise exceptions.ParseError(_("A field name in the body contains a control character."))
                    pending.append((item, depth + 1))
            elif isinstance(value, list):
                pending.extend((item, depth + 1) for item in value)

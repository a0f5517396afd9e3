"""CSV cells a spreadsheet would run as a formula (first character =, +, -, @, tab or CR) get a
leading quote. Every CSV fanmail writes holds text from untrusted mail or contact lists."""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value: object) -> object:
    """`value` with a quote in front when a spreadsheet would take it for a formula; numbers stay."""
    if isinstance(value, str) and value[:1] in _FORMULA_START:
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value

"""RFC 8785 (JCS) canonical JSON, as the server computes it (``packages/core/src/canonical.ts``).

Every signature and payload digest HumanOS produces is over these bytes, so the rules follow the
JavaScript implementation exactly:

* object keys sorted by their UTF-16 code units (not by code points);
* strings escaped as ``JSON.stringify`` does (only ``"``, ``\\`` and control characters);
* numbers formatted as ECMAScript's ``Number.prototype.toString``: ``1.0`` is ``1``, ``1e21`` stays
  in exponent form, ``1e-7`` is ``1e-7``; integers beyond 2**53 are first rounded to the double the
  server would have parsed.

Example:
    >>> canonical_json({'b': 1, 'a': [True, None, 0.5]})
    '{"a":[true,null,0.5],"b":1}'
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ['canonical_json', 'format_number', 'payload_digest', 'sha256_hex']

_MAX_SAFE = 2**53 - 1


def _utf16_key(s: str) -> bytes:
    # Big-endian UTF-16 bytes compare in code-unit order, which is how JCS (and JavaScript) sorts.
    return s.encode('utf-16-be', 'surrogatepass')


def format_number(value: int | float) -> str:
    """ECMAScript ``Number.prototype.toString`` of a JSON number (RFC 8785 section 3.2.2.3).

    Example:
        >>> [format_number(x) for x in (1.0, -0.0, 0.1, 1e21, 1e-7, 123456789012345680000.0, 2**60)]
        ['1', '0', '0.1', '1e+21', '1e-7', '123456789012345680000', '1152921504606847000']
    """
    if isinstance(value, bool):
        raise TypeError('a bool is not a JSON number')
    if isinstance(value, int):
        if -_MAX_SAFE <= value <= _MAX_SAFE:
            return str(value)
        value = float(value)
    if math.isnan(value) or math.isinf(value):
        raise ValueError('NaN and Infinity have no JSON form')
    if value == 0:
        return '0'
    sign = '-' if value < 0 else ''
    # repr() is the shortest string that round-trips, as ECMAScript requires; take its digits and
    # decimal exponent and lay them out by the ECMAScript rules.
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition('e')
    exponent = int(exp_text) if exp_text else 0
    int_part, _, frac_part = mantissa.partition('.')
    digits = (int_part + frac_part).lstrip('0')
    # Position of the decimal point relative to the start of `digits` (n in the spec).
    n = len(int_part.lstrip('0')) + exponent if int_part.lstrip('0') else exponent - (len(frac_part) - len(digits))
    digits = digits.rstrip('0') or '0'
    k = len(digits)
    if k <= n <= 21:
        out = digits + '0' * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + '.' + digits[n:]
    elif -6 < n <= 0:
        out = '0.' + '0' * (-n) + digits
    else:
        e = n - 1
        e_text = f'+{e}' if e >= 0 else str(e)
        out = digits[0] + ('.' + digits[1:] if k > 1 else '') + 'e' + e_text
    return sign + out


def _encode(value: Any, out: list[str]) -> None:
    if value is None:
        out.append('null')
    elif value is True:
        out.append('true')
    elif value is False:
        out.append('false')
    elif isinstance(value, str):
        out.append(json.dumps(value, ensure_ascii=False))
    elif isinstance(value, (int, float)):
        out.append(format_number(value))
    elif isinstance(value, Mapping):
        out.append('{')
        keys = list(value.keys())
        for key in keys:
            if not isinstance(key, str):
                raise TypeError(f'object keys must be strings, not {type(key).__name__}')
        for i, key in enumerate(sorted(keys, key=_utf16_key)):
            if i:
                out.append(',')
            out.append(json.dumps(key, ensure_ascii=False))
            out.append(':')
            _encode(value[key], out)
        out.append('}')
    elif isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        out.append('[')
        for i, item in enumerate(value):
            if i:
                out.append(',')
            _encode(item, out)
        out.append(']')
    else:
        raise TypeError(f'{type(value).__name__} has no JSON form')


def canonical_json(value: Any) -> str:
    """The RFC 8785 canonical JSON text of ``value`` (dicts, lists, str, int, float, bool, None)."""
    out: list[str] = []
    _encode(value, out)
    return ''.join(out)


def sha256_hex(data: str | bytes) -> str:
    return hashlib.sha256(data.encode('utf-8') if isinstance(data, str) else data).hexdigest()


def payload_digest(payload: Any) -> str:
    """The digest that binds an approval to one payload: ``sha256:<hex of canonical JSON>``.

    Example:
        >>> payload_digest({'to': 'a@example.com'})[:7]
        'sha256:'
    """
    return 'sha256:' + sha256_hex(canonical_json(payload))

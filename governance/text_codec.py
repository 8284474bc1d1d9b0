"""Keep rego-cpp's output readable: strings go in without the characters it fails to escape.

rego-cpp (regopy 1.5) writes its results as JSON without escaping `"`, `\\` or control
characters, so one resource address such as `aws_subnet.public["10.0.1.0/24"]` in a violation
made the whole output unreadable, and every change was refused. Each such character is swapped
for a private-use character on the way in and swapped back on the way out; lengths and
comparisons are unchanged. Private-use characters already in the input (nothing legitimate
writes them) become U+FFFD, so the swap is exact for everything else.
"""

from __future__ import annotations

PRIVATE = range(0xE000, 0xE100)
# One pass of str.translate: private-use characters in the input are replaced before anything maps onto them.
_ENCODE = dict.fromkeys(PRIVATE, 65533) | {ord('"'): 0xE022, ord("\\"): 0xE05C, 0x7F: 0xE07F}
_ENCODE |= {c: 0xE000 + c for c in range(0x20)}
_DECODE = {v: k for k, v in _ENCODE.items() if v != 0xFFFD}


def _map(value, table: dict):
    if isinstance(value, str):
        return value.translate(table)
    if isinstance(value, dict):
        return {_map(k, table): _map(v, table) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(item, table) for item in value]
    return value


def encode(value):
    return _map(value, _ENCODE)


def decode(value):
    return _map(value, _DECODE)

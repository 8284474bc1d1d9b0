"""Write new prices into costs/prices/aws.yaml without changing its layout.

Plain Python. The file is edited line by line, not re-dumped, so its header, key order, flow
mappings and indentation stay as a person wrote them. A comment explains the value next to it: it
stays while that value stays and goes when every value it explains was replaced from get_products
(its sources and "unverified" marks would then be wrong). A value that could not be confirmed keeps
its comment and gets a `# kept: <why>` note. The result is parsed again and compared with what was
meant before anything is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import textwrap
from decimal import Decimal
from pathlib import Path

import yaml

from costs.prices import PriceFileError, flatten

KEY_LINE = re.compile(r"^(?P<indent> *)(?P<key>[^\s#:{][^:#]*?):(?:[ \t]+(?P<rest>.*))?$")
BLOCK_SCALAR = re.compile(r"^[>|][+-]?$")
KEPT_NOTE = re.compile(r"\s*# kept:.*$")


def number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def rewrite(text: str, prices: dict[tuple, Decimal], kept: dict[tuple, str], *, retrieved: str, source: str) -> str:
    """`text` with `prices` written in ({(region, *path): price}); `kept` ({(region, *path): why}) unchanged.

    `retrieved` and `source` replace the file's own.
    """
    document = yaml.safe_load(text)
    every = list(flatten(document["regions"]))
    out: list[str] = []
    pending: list[str] = []  # whole-line comments, waiting for the key they explain
    stack: list[tuple[int, str]] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.lstrip().startswith("#"):
            pending.append(line)
            continue
        match = KEY_LINE.match(line)
        if not match:  # blank lines and anything unexpected pass through, with the comments before them
            out += pending + [line]
            pending = []
            continue
        indent, key = len(match["indent"]), match["key"].strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        path = tuple(k for _, k in stack)
        value, comment = _split_comment(match["rest"] or "")
        if BLOCK_SCALAR.match(value):
            while index < len(lines) and (not lines[index].strip() or _indent(lines[index]) > indent):
                index += 1
        if path in (("retrieved",), ("source",)):  # their comments describe the old figures
            pending = []
            out += [f"retrieved: {retrieved}"] if path == ("retrieved",) else _source_lines(source)
            continue
        under = [leaf for leaf in every if path[0] == "regions" and leaf[: len(path) - 1] == path[1:]]
        if not under or not all(leaf in prices for leaf in under):
            out += pending
        pending = []
        out.append(_value_line(line, match, path, value, comment, prices, kept))
    out += pending
    result = "\n".join(out) + "\n"
    _verify(result, document, prices, retrieved, source)
    return result


def _value_line(line, match, path, value, comment, prices, kept) -> str:
    if path[0] != "regions" or len(path) < 3:
        return line
    leaf = tuple(path[1:])
    if value.startswith("{"):
        if not value.endswith("}"):
            raise PriceFileError(f"{'.'.join(path)}: keep each flow mapping {{...}} on one line")
        here: list[tuple] = []
        value, _ = _flow_map(value, 0, leaf, prices, here)
    elif value and not BLOCK_SCALAR.match(value):
        value = _text(leaf, value, prices)
        here = [leaf]
    else:
        return line
    notes = [kept[p] if len(here) == 1 else f"{p[-1]} {kept[p]}" for p in here if p in kept]
    if all(p in prices for p in here):
        comment = ""  # every value on this line was replaced: the old comment no longer describes it
    elif notes:
        comment = KEPT_NOTE.sub("", comment)
        comment = f"{comment}  # kept: {'; '.join(notes)}" if comment else f"# kept: {'; '.join(notes)}"
    return f"{match['indent']}{match['key'].strip()}: {value}" + (f"  {comment}" if comment else "")


def _flow_map(text: str, position: int, at: tuple, prices: dict, leaves: list) -> tuple[str, int]:
    """Rewrite the flow mapping starting at text[position] ("{a: 1, b: {c: 2}}"); return it and where it ends."""
    items, position = [], position + 1
    while True:
        while text[position] in " ,":
            position += 1
        if text[position] == "}":
            return "{" + ", ".join(items) + "}", position + 1
        colon = text.index(":", position)
        name = text[position:colon].strip()
        position = colon + 1
        while text[position] == " ":
            position += 1
        if text[position] == "{":
            inner, position = _flow_map(text, position, (*at, name), prices, leaves)
            items.append(f"{name}: {inner}")
            continue
        end = min(i for i in (text.find(",", position), text.find("}", position)) if i >= 0)
        leaves.append((*at, name))
        items.append(f"{name}: {_text((*at, name), text[position:end].strip(), prices)}")
        position = end


def _text(leaf: tuple, old: str, prices: dict) -> str:
    new = prices.get(leaf)
    if new is None or Decimal(old) == new:
        return old  # unchanged figures keep their spelling (0.40 stays 0.40)
    return number(new)


def _split_comment(rest: str) -> tuple[str, str]:
    quote = None
    for position, char in enumerate(rest):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (position == 0 or rest[position - 1] in " \t"):
            return rest[:position].rstrip(), rest[position:]
    return rest.rstrip(), ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _source_lines(source: str) -> list[str]:
    if len(source) <= 100 and yaml.safe_load(f"source: {source}") == {"source": source}:
        return [f"source: {source}"]
    if "\n" not in source:
        return ["source: >-", *(f"  {part}" for part in textwrap.wrap(source, 110))]
    return [f"source: {json.dumps(source)}"]


def _verify(result: str, before: dict, prices: dict, retrieved: str, source: str) -> None:
    after = yaml.safe_load(result)
    problems = [
        key for key in before if key not in ("regions", "retrieved", "source") and after.get(key) != before[key]
    ]
    if str(after.get("retrieved")) != retrieved or after.get("source") != source:
        problems.append("retrieved/source")
    old, new = flatten(before["regions"]), flatten(after.get("regions") or {})
    if set(old) != set(new):
        problems.append("the keys under regions")
    problems += [".".join(leaf) for leaf in old if new.get(leaf) != prices.get(leaf, old[leaf])]
    if problems:
        raise PriceFileError(f"rewriting the price file went wrong ({', '.join(problems[:5])}); nothing written")


def write(path: Path, text: str) -> None:
    """Replace the file in one step, so a reader never sees half of it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

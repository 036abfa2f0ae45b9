"""Names that render alike: a skeleton in the manner of Unicode TS #39 §4.

Two identifiers are confusable when their skeletons are equal. TS #39 maps each character
to a prototype through Unicode's confusables.txt; that table comes here from the
confusable-homoglyphs package, which records, for each character, the single characters
it is confusable with. A character's prototype is the smallest of its class (itself, its
homoglyphs and theirs), preferring ASCII, so that Cyrillic "а", Greek "α" and "a" agree.
Limits: only single-character confusables (not "rn" for "m"), and classes are taken two
steps deep.
"""

import functools
import json
import unicodedata
from pathlib import Path

import confusable_homoglyphs


def skeleton(name: str) -> str:
    """The TS #39-style skeleton of an already canonical (PRECIS) name."""
    table = _prototypes()
    decomposed = unicodedata.normalize("NFD", name)
    mapped = "".join(table.get(char, char) for char in decomposed)
    return unicodedata.normalize("NFD", mapped)


@functools.cache
def _prototypes() -> dict[str, str]:
    path = Path(confusable_homoglyphs.__file__).parent / "confusables.json"
    data: dict[str, list[dict[str, str]]] = json.loads(path.read_text("utf-8"))

    def neighbours(char: str) -> set[str]:
        return {h["c"] for h in data.get(char, ()) if len(h["c"]) == 1}

    table = {}
    for char in data:
        if len(char) != 1:
            continue
        near = neighbours(char)
        members = {char} | near | {far for other in near for far in neighbours(other)}
        # ASCII first, then the lowest code point: one choice for every member of a class.
        prototype = min(members, key=lambda c: (not c.isascii(), ord(c)))
        if prototype != char:
            table[char] = prototype
    return table

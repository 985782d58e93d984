"""Entities in an FCPXML file: declared in its DOCTYPE, expanded only here, only so far.

The parser never expands entities (an entity bomb, "billion laughs", would expand a
few hundred bytes into gigabytes; an external one would read other files), so a
declared entity stays a node in the tree. The text of a title or caption still
needs its value: `entity_values` works each one out from the document's internal
DTD, with a cap on how long any may grow, and refuses the file in words past it.
Predefined entities (&amp; &lt;...) and character references (&#8217;) the
parser has already turned into text.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from foundry_desktop.errors import CutFileError

# Far more text than any title holds, far less than a bomb expands into.
MAX_ENTITY_CHARS = 100_000
_REFERENCE = re.compile(r"&([A-Za-z_][\w.-]*);")
_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}


def entity_values(root: etree._Element, name: str) -> dict[str, str]:
    """Each internal entity the document declares, by name, as the text it stands for."""
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is None:
        return {}
    declared = {e.name: e for e in dtd.iterentities()}
    values: dict[str, str] = {}

    def value(entity_name: str, expanding: tuple[str, ...]) -> str:
        if entity_name in values:
            return values[entity_name]
        if entity_name in expanding:
            raise CutFileError(f"{name} declares the entity '{entity_name}' in terms of itself; "
                               "it cannot be read.")
        entity = declared[entity_name]
        if entity.system_url or entity.content is None:
            values[entity_name] = ""  # an external entity: never fetched
            return ""
        parts, last = [], 0
        for match in _REFERENCE.finditer(entity.content):
            parts.append(html.unescape(entity.content[last:match.start()]))
            reference = match.group(1)
            if reference in declared:
                parts.append(value(reference, (*expanding, entity_name)))
            else:
                parts.append(html.unescape(match.group(0)) if reference in _PREDEFINED else "")
            last = match.end()
            if sum(map(len, parts)) > MAX_ENTITY_CHARS:
                raise CutFileError(f"{name} declares the entity '{entity_name}', which expands to more than "
                                   f"{MAX_ENTITY_CHARS:,} characters (an entity bomb?); it was not read.")
        parts.append(html.unescape(entity.content[last:]))
        values[entity_name] = "".join(parts)
        return values[entity_name]

    for entity_name in declared:
        value(entity_name, ())
    return values


def element_text(element: etree._Element, values: dict[str, str]) -> str:
    """All the text directly in `element`, its entity references expanded (the parser keeps them as nodes)."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            parts.append(values.get(child.name, ""))
            parts.append(child.tail or "")
        elif not isinstance(child.tag, str):  # comments and processing instructions: their tail only
            parts.append(child.tail or "")
    return "".join(parts)

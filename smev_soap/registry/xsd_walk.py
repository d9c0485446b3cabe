"""Walking a kind's XSD: the attributes under its global root element and its named simple types.

Only the schema document itself is read (types from imported schemas keep their names but are
not entered). Recursive types stop at the first repetition.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
MAX_DEPTH = 32
_MODELS = {f"{{{XS}}}{name}" for name in ("sequence", "choice", "all")}


@dataclass(frozen=True)
class AttributeSpec:
    """One attribute (атрибут) of a kind: element path (``Root/Child``) or ``Root/@name``."""

    path: str
    type_name: str | None
    required: bool
    multiple: bool
    description: str | None = None


@dataclass(frozen=True)
class SimpleTypeSpec:
    """A named simple type of the schema, with the facets the data type registry keeps."""

    name: str
    base_type: str
    pattern: str | None
    min_length: int | None
    max_length: int | None
    description: str | None


def _xs(name: str) -> str:
    return f"{{{XS}}}{name}"


def documentation(node: etree._Element) -> str | None:
    texts = [" ".join((d.text or "").split()) for d in node.iterfind(f"{_xs('annotation')}/"
                                                                     f"{_xs('documentation')}")]
    joined = " ".join(t for t in texts if t)
    return joined or None


class SchemaWalker:
    """The global components of one schema document, and walks over them."""

    def __init__(self, document: etree._Element) -> None:
        self.target = document.get("targetNamespace", "")
        self.globals: dict[str, dict[str, etree._Element]] = {}
        for node in document:
            if isinstance(node.tag, str) and node.get("name"):
                self.globals.setdefault(etree.QName(node).localname, {})[node.get("name")] = node

    def type_label(self, node: etree._Element, attribute: str) -> str | None:
        """``xs:local`` for XSD built-ins, ``{namespace}local`` otherwise."""
        value = node.get(attribute)
        if value is None:
            return None
        prefix, _, local = value.rpartition(":")
        namespace = node.nsmap.get(prefix or None, "")
        return f"xs:{local}" if namespace == XS else f"{{{namespace}}}{local}"

    def _global(self, kind: str, node: etree._Element, attribute: str) -> etree._Element | None:
        label = self.type_label(node, attribute)
        if label is None or not label.startswith(f"{{{self.target}}}"):
            return None
        return self.globals.get(kind, {}).get(label.split("}", 1)[1])

    def attributes(self, root: str) -> list[AttributeSpec]:
        """Every attribute under the global element ``root``, in document order."""
        return list(self._element(self.globals["element"][root], "", True, False, ()))

    def simple_types(self) -> list[SimpleTypeSpec]:
        return [self._simple_type(name, node)
                for name, node in self.globals.get("simpleType", {}).items()]

    def _element(self, node: etree._Element, parent: str, required: bool, multiple: bool,
                 seen: tuple[str, ...]) -> Iterator[AttributeSpec]:
        referenced = self._global("element", node, "ref") if node.get("ref") else None
        declaration = referenced if referenced is not None else node
        name = declaration.get("name") or node.get("ref", "").rpartition(":")[2]
        path = f"{parent}/{name}" if parent else name
        complex_type = declaration.find(_xs("complexType"))
        type_name = self.type_label(declaration, "type")
        if complex_type is None and type_name is not None:
            complex_type = self._global("complexType", declaration, "type")
        if type_name is None and complex_type is None:
            type_name = self._inline_simple(declaration, "xs:anyType")
        yield AttributeSpec(path, type_name, required, multiple,
                            documentation(node) or documentation(declaration))
        if complex_type is None:
            return
        key = complex_type.getroottree().getpath(complex_type)
        if key not in seen and len(seen) < MAX_DEPTH:
            yield from self._complex(complex_type, path, (*seen, key))

    def _complex(self, node: etree._Element, path: str,
                 seen: tuple[str, ...]) -> Iterator[AttributeSpec]:
        for child in node:
            tag = child.tag
            if tag in _MODELS or tag == _xs("group"):
                yield from self._model(child, path, False, False, seen)
            elif tag in (_xs("attribute"), _xs("attributeGroup")):
                yield from self._attribute(child, path)
            elif tag in (_xs("complexContent"), _xs("simpleContent")):
                yield from self._derived(child, path, seen)

    def _derived(self, content: etree._Element, path: str,
                 seen: tuple[str, ...]) -> Iterator[AttributeSpec]:
        for step in content:
            if step.tag == _xs("extension"):
                base = self._global("complexType", step, "base")
                if base is not None:
                    yield from self._complex(base, path, seen)
            if step.tag in (_xs("extension"), _xs("restriction")):
                yield from self._complex(step, path, seen)

    def _model(self, node: etree._Element, path: str, optional: bool, multiple: bool,
               seen: tuple[str, ...]) -> Iterator[AttributeSpec]:
        optional = optional or node.get("minOccurs") == "0"
        multiple = multiple or node.get("maxOccurs", "1") != "1"
        if node.tag == _xs("group"):
            group = self._global("group", node, "ref")
            for child in group if group is not None else ():
                if child.tag in _MODELS:
                    yield from self._model(child, path, optional, multiple, seen)
            return
        choice = node.tag == _xs("choice")
        for child in node:
            if child.tag == _xs("element"):
                yield from self._element(
                    child, path, not (optional or choice or child.get("minOccurs") == "0"),
                    multiple or child.get("maxOccurs", "1") != "1", seen)
            elif child.tag in _MODELS or child.tag == _xs("group"):
                yield from self._model(child, path, optional or choice, multiple, seen)

    def _attribute(self, node: etree._Element, path: str) -> Iterator[AttributeSpec]:
        if node.tag == _xs("attributeGroup"):
            group = self._global("attributeGroup", node, "ref")
            for child in group if group is not None else ():
                if child.tag in (_xs("attribute"), _xs("attributeGroup")):
                    yield from self._attribute(child, path)
            return
        referenced = self._global("attribute", node, "ref") if node.get("ref") else None
        declaration = referenced if referenced is not None else node
        name = declaration.get("name") or node.get("ref", "").rpartition(":")[2]
        type_name = (self.type_label(declaration, "type")
                     or self._inline_simple(declaration, "xs:anySimpleType"))
        yield AttributeSpec(f"{path}/@{name}", type_name,
                            node.get("use") == "required", False,
                            documentation(node) or documentation(declaration))

    def _inline_simple(self, declaration: etree._Element, default: str) -> str:
        """The base of an anonymous simple type (its facets stay in the XSD)."""
        simple = declaration.find(_xs("simpleType"))
        if simple is None:
            return default
        restriction = simple.find(_xs("restriction"))
        base = self.type_label(restriction, "base") if restriction is not None else None
        return base or "xs:anySimpleType"

    def _simple_type(self, name: str, node: etree._Element) -> SimpleTypeSpec:
        label = f"{{{self.target}}}{name}"
        restriction = node.find(_xs("restriction"))
        if restriction is None:  # list or union
            return SimpleTypeSpec(label, "xs:anySimpleType", None, None, None, documentation(node))
        patterns = [p.get("value", "") for p in restriction.iterfind(_xs("pattern"))]
        pattern = (patterns[0] if len(patterns) == 1
                   else "|".join(f"({p})" for p in patterns) if patterns else None)
        length = _facet(restriction, "length")
        return SimpleTypeSpec(
            label, self.type_label(restriction, "base") or "xs:anySimpleType", pattern,
            length if length is not None else _facet(restriction, "minLength"),
            length if length is not None else _facet(restriction, "maxLength"),
            documentation(node),
        )


def _facet(restriction: etree._Element, name: str) -> int | None:
    facet = restriction.find(_xs(name))
    value = facet.get("value") if facet is not None else None
    return int(value) if value is not None and value.strip().isdigit() else None

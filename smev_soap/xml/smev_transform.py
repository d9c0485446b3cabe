"""The SMEV-3 transform `urn://smev-gov-ru/xmldsig/transform` (SMEV.md §18.4, Java semantics).

Input: exc-c14n octets of the signed element. Output: UTF-8 octets to be hashed. Prefixes are
renumbered `ns1, ns2, …` in document order; a mapping is visible only inside its element (siblings
renumber); whitespace-only text is dropped; comments and PIs vanish; no empty-element tags.
"""

from __future__ import annotations

from lxml import etree

from smev_soap.xml.threads import per_thread

URI = "urn://smev-gov-ru/xmldsig/transform"

_WHITESPACE = " \t\r\n"


class TransformError(ValueError):
    """The input cannot be transformed (e.g. an element in no namespace)."""


# The input is our own c14n output of an already safely parsed tree: no DTD can occur, but
# text nodes may exceed libxml2's 10 MB default (inline attachments), hence huge_tree.
_parser = per_thread(lambda: etree.XMLParser(
    remove_comments=True,
    remove_pis=True,
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=True,
))


def _esc_text(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(s: str) -> str:
    return _esc_text(s).replace('"', "&quot;")


def _keep(s: str | None) -> bool:
    return bool(s) and s.strip(_WHITESPACE) != ""


class _Writer:
    __slots__ = ("counter", "frames", "out")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.frames: list[list[tuple[str, str]]] = []
        self.counter = 0

    def lookup(self, uri: str) -> str | None:
        for frame in reversed(self.frames):
            for prefix, known in frame:
                if known == uri:
                    return prefix
        return None

    def prefix_for(self, uri: str, frame: list[tuple[str, str]]) -> str:
        prefix = self.lookup(uri)
        if prefix is None:
            self.counter += 1
            prefix = f"ns{self.counter}"
            frame.append((prefix, uri))
        return prefix

    def element(self, el: etree._Element) -> None:
        out = self.out
        namespace, _, local = el.tag[1:].partition("}") if el.tag[0] == "{" else ("", "", el.tag)
        if not namespace:
            raise TransformError(f"unqualified element {el.tag!r} cannot be transformed")
        frame: list[tuple[str, str]] = []
        self.frames.append(frame)
        prefix = self.prefix_for(namespace, frame)
        qualified, unqualified = [], []
        for key, value in el.attrib.items():
            if key[0] == "{":
                uri, _, name = key[1:].partition("}")
                qualified.append((uri, name, value))
            else:
                unqualified.append((key, value))
        qualified.sort(key=lambda a: (a[0], a[1]))
        unqualified.sort(key=lambda a: a[0])
        rendered = [
            f' {self.prefix_for(uri, frame)}:{name}="{_esc_attr(value)}"'
            for uri, name, value in qualified
        ]
        rendered += [f' {name}="{_esc_attr(value)}"' for name, value in unqualified]
        decls = "".join(f' xmlns:{p}="{_esc_attr(u)}"' for p, u in frame)
        out.append(f"<{prefix}:{local}{decls}{''.join(rendered)}>")
        if _keep(el.text):
            out.append(_esc_text(el.text))
        for child in el:
            self.element(child)
            if _keep(child.tail):
                out.append(_esc_text(child.tail))
        out.append(f"</{prefix}:{local}>")
        self.frames.pop()


def smev_transform(c14n_bytes: bytes) -> bytes:
    """Apply the SMEV transform to exc-c14n output."""
    writer = _Writer()
    writer.element(etree.fromstring(c14n_bytes, _parser()))
    return "".join(writer.out).encode("utf-8")

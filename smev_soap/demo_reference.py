"""Demo reference data: an OKTMO fragment (Stavropol krai, ОК 033-2013, with its hierarchy), the
kinds of identity documents, and the derived attributes of the demo kind."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap.registry.attributes import derive_attributes, kind_attributes
from smev_soap.registry.changes import registry_changed
from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.classifiers import find_classifier
from smev_soap.registry.kind_lookup import find_kind

FIXTURES = Path(__file__).resolve().parent / "demo_fixtures"
#: name, title, format, file
DEMO_CLASSIFIERS = (
    ("OKTMO", "Общероссийский классификатор территорий муниципальных образований (фрагмент)",
     "csv", FIXTURES / "classifier-oktmo.csv"),
    ("DOCUMENT_TYPES", None, "xml", FIXTURES / "classifier-document-types.xml"),
)


def load_demo_reference(session: Session, namespace: str, root: str, actor: str) -> None:
    """Import the demo classifiers and derive the demo kind's attributes, each when missing."""
    for name, title, fmt, path in DEMO_CLASSIFIERS:
        if find_classifier(session, name) is None:
            with path.open("rb") as stream:
                import_classifier(session, name, stream, fmt, actor, title=title,
                                  source=path.name)
    kind = find_kind(session, namespace, root)
    if kind is not None and not kind_attributes(session, kind):
        derive_attributes(session, kind)
        registry_changed(session, actor, f"attributes of {{{namespace}}}{root} derived")

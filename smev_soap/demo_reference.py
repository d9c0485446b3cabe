"""Demo reference data: an OKTMO fragment (Stavropol krai, ОК 033-2013, with its hierarchy) and
the kinds of identity documents."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from smev_soap.registry.classifier_import import import_classifier
from smev_soap.registry.classifiers import find_classifier

FIXTURES = Path(__file__).resolve().parent / "demo_fixtures"
#: name, title, format, file
DEMO_CLASSIFIERS = (
    ("OKTMO", "Общероссийский классификатор территорий муниципальных образований (фрагмент)",
     "csv", FIXTURES / "classifier-oktmo.csv"),
    ("DOCUMENT_TYPES", None, "xml", FIXTURES / "classifier-document-types.xml"),
)


def load_demo_reference(session: Session, actor: str) -> None:
    """Import the demo classifiers that are missing."""
    for name, title, fmt, path in DEMO_CLASSIFIERS:
        if find_classifier(session, name) is None:
            with path.open("rb") as stream:
                import_classifier(session, name, stream, fmt, actor, title=title,
                                  source=path.name)

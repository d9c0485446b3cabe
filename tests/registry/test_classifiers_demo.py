"""The demo registry carries reference data: OKTMO and document-type classifiers, attributes."""

from __future__ import annotations

from smev_soap.config import load_settings
from smev_soap.demo import DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT, load_demo_registry
from smev_soap.registry import find_kind
from smev_soap.registry.attributes import kind_attributes
from smev_soap.registry.classifiers import classifier_items, list_classifiers


def test_demo_reference_data_is_loaded_once(database, tmp_path):
    settings = load_settings(var_dir=tmp_path / "var", database_url=database.url)
    load_demo_registry(settings, database)
    load_demo_registry(settings, database)  # idempotent: no second versions
    with database.transaction() as session:
        assert [(c.name, c.current_version) for c in list_classifiers(session)] == [
            ("DOCUMENT_TYPES", 1), ("OKTMO", 1)]
        oktmo = {item.code: item for item in classifier_items(session, "OKTMO").items}
        assert len(oktmo) == 15
        village = oktmo["07658406101"]
        chain = [village.code]
        while oktmo[chain[-1]].parent_code:
            chain.append(oktmo[chain[-1]].parent_code)
        assert chain == ["07658406101", "07658406", "07658400", "07658000", "07600000",
                         "07000000"]
        assert village.attributes == {"level": "населённый пункт"}
        documents = classifier_items(session, "DOCUMENT_TYPES")
        assert documents.title == "Виды документов, удостоверяющих личность"
        passport = next(item for item in documents.items if item.code == "21")
        assert passport.value == "Паспорт гражданина Российской Федерации"
        assert passport.attributes == {"number_pattern": r"\d{6}", "series_pattern": r"\d{4}"}
        kind = find_kind(session, DEMO_KIND_NAMESPACE, DEMO_KIND_ROOT)
        paths = [a.path for a in kind_attributes(session, kind)]
        assert paths[:3] == ["PaymentsRequest", "PaymentsRequest/Person",
                             "PaymentsRequest/Person/FamilyName"]

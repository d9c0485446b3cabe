"""``smev-soap sign`` and ``smev-soap verify``: the signing core on files (or stdin)."""

from __future__ import annotations

import argparse
import base64
import sys
from pathlib import Path

from lxml import etree

from smev_soap.cli.errors import CommandError
from smev_soap.crypto import Certificate, CryptoError, PrivateKey, TrustStore
from smev_soap.envelope.ns import TYPES
from smev_soap.wsse import smev2, smev3
from smev_soap.wsse.reasons import SignatureError
from smev_soap.xml.ns import DS, WSSE
from smev_soap.xml.safe import XmlRejected, parse_xml

MAX_DOCUMENT = 256 * 1024 * 1024
_LOOSE_SIGNATURES = etree.XPath(
    "//ds:Signature[not(ancestor::wsse:Security)]", namespaces={"ds": DS, "wsse": WSSE}
)
_FIRST_WITH_ID = etree.XPath("(//*[@Id])[1]")
_DELIVERED = etree.XPath("//st:Delivery/st:Envelope", namespaces={"st": TYPES})


def register(commands: argparse._SubParsersAction) -> None:
    sign = commands.add_parser("sign", help="sign an envelope (smev2) or an element (smev3)")
    sign.add_argument("--profile", choices=("smev2", "smev3"), required=True)
    sign.add_argument("--key", type=Path, required=True)
    sign.add_argument("--cert", type=Path, required=True)
    sign.add_argument("--password-file", type=Path, help="file holding the key's password")
    sign.add_argument("--id", help="smev3: Id of the element to sign (default: the first)")
    sign.add_argument("file", help="the document, or - for standard input")
    sign.set_defaults(handler=_sign)

    verify = commands.add_parser("verify", help="check every signature of the documents")
    verify.add_argument("--trust", type=Path, help="folder of trusted CA certificates")
    verify.add_argument("--crl", type=Path, help="folder of CRLs")
    verify.add_argument("files", nargs="+", help="documents (- for standard input)")
    verify.set_defaults(handler=_verify)


def _read(name: str) -> bytes:
    return sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()


def _parse(name: str, data: bytes) -> etree._Element:
    try:
        return parse_xml(data, max_bytes=MAX_DOCUMENT)
    except XmlRejected as error:
        raise CommandError(f"{name}: {error}") from None


def _smev3_wrapper(element: etree._Element) -> etree._Element:
    """The sibling ``CallerInformationSystemSignature`` that will hold the signature."""
    parent = element.getparent()
    if parent is None:
        raise CommandError("the signed element needs a parent to hold the signature")
    namespace = etree.QName(parent).namespace
    tag = f"{{{namespace}}}CallerInformationSystemSignature" if namespace else \
        "CallerInformationSystemSignature"
    existing = parent.find(tag)
    if existing is not None and len(existing):
        raise CommandError("CallerInformationSystemSignature is already filled")
    return existing if existing is not None else etree.SubElement(parent, tag)


def _sign(args: argparse.Namespace) -> int:
    password = args.password_file.read_bytes().strip() if args.password_file else None
    try:
        key = PrivateKey.from_file(args.key, password)
        cert = Certificate.from_file(args.cert)
    except (CryptoError, OSError) as error:
        raise CommandError(str(error)) from None
    root = _parse(args.file, _read(args.file))
    if args.profile == "smev2":
        try:
            smev2.sign_envelope(root, key, cert)
        except ValueError as error:
            raise CommandError(str(error)) from None
    else:
        found = root.xpath("//*[@Id=$i]", i=args.id) if args.id else _FIRST_WITH_ID(root)
        if len(found) != 1:
            raise CommandError(f"no single element with Id {args.id!r}" if args.id
                               else "no element carries an Id to sign")
        smev3.sign_element(found[0], key, cert, _smev3_wrapper(found[0]))
    sys.stdout.buffer.write(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    return 0


def _smev2_lines(label: str, root: etree._Element, trust: TrustStore | None) -> list[tuple]:
    result = smev2.verify_envelope(root, trust=trust)
    if not result.blocks:
        return [(label, "smev2", "-", "-", "-", False, result.reason)]
    return [(label, f"smev2 actor={(b.actor or '').rsplit('/', 1)[-1]}",
             ",".join(b.element_ids) or "-", b.certificate.subject if b.certificate else "-",
             b.algorithm or "-", b.valid, b.reason) for b in result.blocks]


def _smev3_lines(label: str, root: etree._Element, trust: TrustStore | None) -> list[tuple]:
    lines = []
    for signature in _LOOSE_SIGNATURES(root):
        ref = signature.find(f"{{{DS}}}SignedInfo/{{{DS}}}Reference")
        ident = (ref.get("URI") or "")[1:] if ref is not None else "-"
        try:
            checked = smev3.verify_signature(signature, trust=trust)
            lines.append((label, "smev3", ident, checked.certificate.subject, checked.algorithm,
                          True, "ok"))
        except SignatureError as error:
            lines.append((label, "smev3", ident, "-", "-", False, error.reason))
    return lines


def _verify(args: argparse.Namespace) -> int:
    try:
        trust = TrustStore(args.trust, args.crl) if args.trust else None
    except (CryptoError, OSError) as error:
        raise CommandError(f"trust store: {error}") from None
    lines: list[tuple] = []
    for name in args.files:
        root = _parse(name, _read(name))
        documents = [(name, root)] + [
            (f"{name}#delivery", _parse(name, base64.b64decode("".join((e.text or "").split()))))
            for e in _DELIVERED(root)
        ]
        for label, document in documents:
            found = _smev3_lines(label, document, trust)
            if document.find(f".//{{{WSSE}}}Security") is not None or not found:
                found = _smev2_lines(label, document, trust) + found
            lines.extend(found)
    for label, profile, ids, subject, algorithm, valid, reason in lines:
        verdict = "VALID" if valid else f"INVALID {reason}"
        print(f"{label}\t{profile}\tids={ids}\tsigner={subject}\t{algorithm}\t{verdict}")
    return 0 if lines and all(line[5] for line in lines) else 1

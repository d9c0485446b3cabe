"""``smev-soap crypto selftest``, ``keys generate``, ``sign`` and ``verify``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from smev_soap.cli.errors import CommandError
from smev_soap.crypto import CryptoError, run_selftest
from smev_soap.keytool import KeyPair, file_stem, write_key_pair


def register(commands: argparse._SubParsersAction) -> None:
    crypto = commands.add_parser("crypto", help="GOST self-test").add_subparsers(
        dest="crypto_command", required=True, metavar="ACTION"
    )
    crypto.add_parser("selftest", help="known-answer tests of the GOST backend").set_defaults(
        handler=_selftest
    )

    keys = commands.add_parser("keys", help="keys and certificates").add_subparsers(
        dest="keys_command", required=True, metavar="ACTION"
    )
    generate = keys.add_parser("generate", help="a PKCS#8 key and its certificate")
    generate.add_argument("--cn", required=True, help="the certificate's common name")
    generate.add_argument("--out", required=True, type=Path, help="output folder")
    generate.add_argument("--name", help="file stem (default: derived from --cn)")
    generate.add_argument("--bits", type=int, choices=(256, 512), default=256)
    generate.add_argument("--org", help="organisation (O=)")
    generate.add_argument("--days", type=int, default=365)
    generate.add_argument("--ca", action="store_true", help="issue a CA certificate")
    generate.add_argument("--ca-key", type=Path, help="issuer's key (with --ca-cert)")
    generate.add_argument("--ca-cert", type=Path, help="issuer's certificate")
    generate.set_defaults(handler=_generate)


def _selftest(_args: argparse.Namespace) -> int:
    results = run_selftest()
    for result in results:
        print(f"{'PASS' if result.ok else 'FAIL'}  {result.name}  {result.detail}")
    failed = sum(not r.ok for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    return 1 if failed else 0


def _generate(args: argparse.Namespace) -> int:
    if bool(args.ca_key) != bool(args.ca_cert):
        raise CommandError("--ca-key and --ca-cert go together")
    issuer = KeyPair(args.ca_key, args.ca_cert) if args.ca_key else None
    subject = {"C": "RU", **({"O": args.org} if args.org else {}), "CN": args.cn}
    try:
        pair = write_key_pair(
            args.out, args.name or file_stem(args.cn), subject,
            bits=args.bits, ca=args.ca, days=args.days, issuer=issuer,
        )
    except (CryptoError, OSError) as error:
        raise CommandError(str(error)) from error
    print(f"key:         {pair.key_path}\ncertificate: {pair.cert_path}", file=sys.stdout)
    return 0

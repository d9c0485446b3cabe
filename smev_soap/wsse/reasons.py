"""Stable reason strings of signature verification, for the service layer's error codes (RSMEV-2xx).

Every verification outcome carries exactly one of these. Suggested mapping (smev_soap/errors.py):

=========================================  =========
reason                                     code
=========================================  =========
NO_SIGNATURE, NO_SENDER_SIGNATURE          RSMEV-200
BAD_SIGNATURE                              RSMEV-201
DIGEST_MISMATCH                            RSMEV-202
WRONG_TARGET, UNEXPECTED_REFERENCES        RSMEV-203
DUPLICATE_ID                               RSMEV-204
MISSING_TOKEN                              RSMEV-205
UNSUPPORTED_ALGORITHM, UNSUPPORTED_TRANSFORM,
ALGORITHM_MISMATCH                         RSMEV-206
CERTIFICATE_EXPIRED                        RSMEV-207
CERTIFICATE_NOT_YET_VALID                  RSMEV-208
CERTIFICATE_UNTRUSTED                      RSMEV-209
CERTIFICATE_REVOKED                        RSMEV-210
everything else                            RSMEV-212
=========================================  =========
"""

OK = "ok"
# envelope level
BAD_ENVELOPE = "bad_envelope"  # not a SOAP 1.1 Envelope with one Body and at most one Header
NO_SIGNATURE = "no_signature"  # no wsse:Security block at all
NO_SENDER_SIGNATURE = "no_sender_signature"  # blocks present, but none with actor smev
DUPLICATE_ACTOR = "duplicate_actor"  # two blocks with the same actor
UNKNOWN_ACTOR = "unknown_actor"  # a block whose actor is neither smev nor recipient
# structure of one signature
MALFORMED = "malformed_signature"  # missing/extra elements, bad base64, bad URI syntax
MISSING_TOKEN = "missing_token"  # no certificate token, or the token reference does not resolve
BAD_CERTIFICATE = "bad_certificate"  # the token does not decode to a certificate
UNSUPPORTED_ALGORITHM = "unsupported_algorithm"  # c14n, signature or digest URI unknown
UNSUPPORTED_TRANSFORM = "unsupported_transform"  # transform chain other than the profile's
ALGORITHM_MISMATCH = "algorithm_mismatch"  # URIs do not match the certificate's key family
# references
REFERENCE_NOT_FOUND = "reference_not_found"  # no element carries the referenced id
DUPLICATE_ID = "duplicate_id"  # more than one element carries the referenced id
WRONG_TARGET = "wrong_target"  # the id is on an element the profile does not allow (wrapping)
UNEXPECTED_REFERENCES = "unexpected_references"  # not exactly the profile's set of references
DIGEST_MISMATCH = "digest_mismatch"
BAD_SIGNATURE = "bad_signature"  # SignatureValue does not verify
# certificate validation (TrustStore), from CertificateRejected.reason
CERTIFICATE_EXPIRED = "certificate_expired"
CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
CERTIFICATE_UNTRUSTED = "certificate_untrusted"
CERTIFICATE_REVOKED = "certificate_revoked"
CERTIFICATE_INVALID = "certificate_invalid"

ALL = frozenset(v for k, v in dict(globals()).items() if k.isupper() and isinstance(v, str))


class SignatureError(Exception):
    """A signature failed; `.reason` is one of the constants above."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def certificate_reason(rejected_reason: str) -> str:
    """Map CertificateRejected.reason (expired, untrusted, …) to a reason string."""
    return "certificate_" + rejected_reason

"""The digital signatures a PDF letter carries, read and checked with pyHanko: who signed (the
certificate's name), when (the time the signer's software wrote), whether the signed bytes are
intact, and whether the file was changed after signing (an incremental update that is not a
timestamp or a form filled in).

Nothing is fetched: no revocation list, no OCSP, no timestamp server is asked (the portal sends
nothing anywhere), and the certificate is not checked against a certification authority's root,
which the portal does not hold; the report says so (`trusted` stays False).
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)
# pyHanko logs every certificate it cannot chain to a root, with its traceback, as an error:
# here that is every signature (the portal holds no root), and the report says so itself.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)


@dataclass
class SignatureReport:
    signer: str  # the certificate's common name, or its whole subject
    organization: str
    signed_at: str  # ISO 8601 as the signer's software wrote it, "" when absent
    intact: bool  # the signed bytes are unchanged and the signature is mathematically valid
    changed_after: bool  # the file was changed by an update after this signature
    whole_file: bool  # the signature covers the whole file as uploaded
    trusted: bool  # the certificate chains to a root the portal trusts (it holds none)
    problem: str = ""  # why the signature could not be checked at all

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> SignatureReport:
        return cls(**{name: data.get(name, "") for name in cls.__dataclass_fields__})

    @property
    def verdict(self) -> str:
        """In words, for the draft's page and the command line."""
        if self.problem:
            return f"không kiểm tra được ({self.problem})"
        if not self.intact:
            return "KHÔNG còn nguyên vẹn: nội dung đã bị sửa sau khi ký"
        if self.changed_after:
            return "chữ ký nguyên vẹn, nhưng tệp đã bị sửa thêm sau khi ký"
        return "nguyên vẹn, tệp không bị sửa sau khi ký"


def read_signatures(data: bytes) -> list[SignatureReport]:
    """Every signature of the PDF, in the order they were made; [] for an unsigned file or
    one pyHanko cannot open (reading the letter decides whether that file is refused)."""
    if b"/ByteRange" not in data:
        return []
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as error:  # noqa: BLE001 - pyHanko raises many kinds on a damaged file
        log.info("signatures not readable: %s", error)
        return []
    reports = []
    for signature in embedded:
        try:
            certificate = signature.signer_cert
            subject = certificate.subject.native
            name = subject.get("common_name") or certificate.subject.human_friendly
            organization = subject.get("organization_name") or ""
        except Exception:  # noqa: BLE001
            name, organization = "không rõ", ""
        try:
            context = ValidationContext(allow_fetching=False, trust_roots=[])
            status = validate_pdf_signature(signature, context)
        except Exception as error:  # noqa: BLE001
            reports.append(SignatureReport(
                signer=str(name), organization=str(organization), signed_at="",
                intact=False, changed_after=False, whole_file=False, trusted=False,
                problem=type(error).__name__))
            continue
        when = status.signer_reported_dt
        level = status.modification_level
        reports.append(SignatureReport(
            signer=str(name),
            organization=str(organization),
            signed_at=when.isoformat() if when else "",
            intact=bool(status.intact and status.valid),
            changed_after=level is not None and level not in (
                ModificationLevel.NONE, ModificationLevel.LTA_UPDATES),
            whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
            trusted=bool(status.trusted),
        ))
    return reports

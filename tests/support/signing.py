"""A PDF signed with pyHanko by a self-signed certificate made here (cryptography), as iDesk and
its peers sign a letter; and the same file altered after signing."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta


def certificate(name: str = "Nguyễn Văn Hôn", organization: str = "UBND thành phố Sa Đéc"):
    """A key and its self-signed certificate, as asn1crypto objects for pyHanko."""
    from asn1crypto import keys, x509
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, name),
                          cx509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                          cx509.NameAttribute(NameOID.COUNTRY_NAME, "VN")])
    now = datetime.now(UTC)
    cert = (cx509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(cx509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(cx509.KeyUsage(True, True, False, False, False, False, False, False,
                                          False), critical=True)
            .sign(key, hashes.SHA256()))
    der_key = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return (keys.PrivateKeyInfo.load(der_key),
            x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))


def signed_pdf(pdf: bytes, name: str = "Nguyễn Văn Hôn") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key, cert = certificate(name)
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key,
                                  cert_registry=SimpleCertificateStore.from_certs([cert]))
    out = io.BytesIO()
    signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)),
                     signers.PdfSignatureMetadata(field_name="ChuKySo"), signer=signer,
                     output=out)
    return out.getvalue()


def tampered(signed: bytes) -> bytes:
    """A byte of the signed content changed: the date in the letter's text layer."""
    at = signed.index(b"stream", len(signed) // 10) + 200
    return signed[:at] + bytes([signed[at] ^ 0x01]) + signed[at + 1:]


def updated_after_signing(signed: bytes) -> bytes:
    """An incremental update after the signature that changes what the document says."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.root["/Lang"] = generic.TextStringObject("en-US")
    writer.root["/PageLabels"] = generic.DictionaryObject()
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

"""PEM certificates for EMR in-transit encryption (``CertificateProviderType: PEM``).

An EMR security configuration with in-transit encryption and the PEM provider reads a zip from S3
that holds, at its root, ``privateKey.pem``, ``certificateChain.pem`` and (optionally)
``trustedCertificates.pem`` (EMR Management Guide, "Providing certificates for encrypting data in
transit with Amazon EMR encryption"). Every node uses the same key pair, so the certificate must
name all nodes: a wildcard ``*.<domain>`` over their private DNS names (``*.ec2.internal`` in
us-east-1, ``*.<region>.compute.internal`` elsewhere, or the VPC's DHCP-options domain).

This module generates such a zip (a private CA plus a leaf signed by it) and uploads it with
SSE-KMS. It needs no CDK and makes no AWS call except in :func:`upload_pem_zip`. ``cryptography`` and
``boto3`` come with the ``cli`` extra (``pip install 'emr-constructs[cli]'``) and are imported only by the
functions that use them, so the constants and checks here load with the core dependencies alone.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    _PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

PRIVATE_KEY = "privateKey.pem"
CERTIFICATE_CHAIN = "certificateChain.pem"
TRUSTED_CERTIFICATES = "trustedCertificates.pem"
ZIP_MEMBERS = (PRIVATE_KEY, CERTIFICATE_CHAIN, TRUSTED_CERTIFICATES)

MIN_DAYS = 1
MAX_DAYS = 825
"""Upper bound on validity: the CA/Browser Forum limit that Apple and others enforce for TLS server certificates."""

KeyType = Literal["rsa", "ec"]
KEY_TYPES: tuple[KeyType, ...] = ("rsa", "ec")

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# X.509 caps commonName at 64 characters (RFC 5280 ub-common-name); the CN is "*." + domain.
_MAX_DOMAIN = 62
# Start validity a little in the past so that nodes whose clocks lag slightly accept the certificate.
_BACKDATE = datetime.timedelta(minutes=5)


def domain_for_region(region: str) -> str:
    """The private DNS domain of EC2 instances in ``region`` with the default DHCP options.

    ``ec2.internal`` in us-east-1, ``<region>.compute.internal`` in every other region.
    """
    if not _REGION.fullmatch(region):
        raise ValueError(f"region {region!r} is not an AWS region name; expected e.g. us-east-1 or eu-west-1")
    return "ec2.internal" if region == "us-east-1" else f"{region}.compute.internal"


def normalize_domain(domain: str) -> str:
    """``domain`` lower-cased and checked as a DNS domain that a wildcard certificate can cover."""
    value = domain.strip().lower().rstrip(".")
    if value.startswith("*."):
        raise ValueError(f"domain {domain!r}: give the domain without '*.' (the wildcard is added), e.g. ec2.internal")
    labels = value.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise ValueError(
            f"domain {domain!r} is not a DNS domain with at least two labels, e.g. ec2.internal or "
            "eu-west-1.compute.internal"
        )
    if len(value) > _MAX_DOMAIN:
        raise ValueError(
            f"domain {domain!r} has {len(value)} characters; at most {_MAX_DOMAIN} fit in the certificate's common name"
        )
    return value


def _check_days(days: int) -> None:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise ValueError(f"days {days} is out of range; choose {MIN_DAYS}..{MAX_DAYS}")


def _new_key(key_type: str) -> _PrivateKey:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_type == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    raise ValueError(f"key type {key_type!r} is not supported; choose one of {', '.join(KEY_TYPES)}")


def generate_pem_zip(domain: str, days: int = 365, key_type: str = "rsa") -> bytes:
    """A zip for ``CertificateProviderType: PEM`` whose certificate covers ``*.<domain>``.

    A new self-signed CA signs a leaf certificate (CN ``*.<domain>``, SAN ``*.<domain>`` and
    ``<domain>``, serverAuth and clientAuth); both are valid for ``days`` days. The zip holds
    ``privateKey.pem`` (the leaf key, unencrypted PKCS#8, as EMR requires), ``certificateChain.pem``
    (leaf then CA) and ``trustedCertificates.pem`` (the CA). The CA key is discarded, so nobody can
    issue further certificates under this CA.

    :param domain: the cluster's private DNS domain, e.g. from ``domain_for_region`` (required).
    :param days: validity of both certificates, from ``MIN_DAYS`` to ``MAX_DAYS``.
        Default: ``365``.
    :param key_type: ``"rsa"`` (2048-bit) or ``"ec"`` (P-256), one of ``KEY_TYPES``.
        Default: ``"rsa"``.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    name = normalize_domain(domain)
    _check_days(days)
    ca_key = _new_key(key_type)
    leaf_key = _new_key(key_type)
    not_before = datetime.datetime.now(datetime.UTC).replace(microsecond=0) - _BACKDATE
    not_after = not_before + datetime.timedelta(days=days)

    ca_name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "emr-constructs"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, name),
            x509.NameAttribute(NameOID.COMMON_NAME, "emr-constructs in-transit CA"),
        ]
    )
    ca_ski = x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ca_ski, critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    wildcard = f"*.{name}"
    leaf_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, wildcard)]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=key_type == "rsa",
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(wildcard), x509.DNSName(name)]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(leaf_key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    key_pem = leaf_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    leaf_pem = leaf_cert.public_bytes(serialization.Encoding.PEM)
    ca_pem = ca_cert.public_bytes(serialization.Encoding.PEM)
    members = {PRIVATE_KEY: key_pem, CERTIFICATE_CHAIN: leaf_pem + ca_pem, TRUSTED_CERTIFICATES: ca_pem}

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member, content in members.items():
            info = zipfile.ZipInfo(member, date_time=not_before.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100600 << 16  # a regular file, owner read/write only, once unzipped
            archive.writestr(info, content)
    return buffer.getvalue()


def write_pem_zip(path: Path, data: bytes, *, force: bool = False) -> None:
    """Write ``data`` to ``path`` with mode 0600; refuse an existing file unless ``force``.

    Without ``force`` the file is created exclusively (no race with another writer); with ``force`` a
    0600 temporary file in the same directory replaces ``path`` atomically, so a previous file's wider
    mode never carries over. Raises ``FileExistsError`` or another ``OSError``.

    :param force: replace an existing file.
        Default: ``False``.
    """
    if not force:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
        return
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def parse_s3_uri(s3_uri: str) -> tuple[str, str]:
    """``(bucket, key)`` of ``s3://bucket/key``; ``ValueError`` naming the problem otherwise."""
    bucket, slash, key = s3_uri.removeprefix("s3://").partition("/")
    if not s3_uri.startswith("s3://") or not slash or not key or key.endswith("/"):
        raise ValueError(f"S3 URI {s3_uri!r} is not of the form s3://bucket/path/certs.zip")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise ValueError(f"S3 URI {s3_uri!r}: {bucket!r} is not a valid bucket name")
    return bucket, key


def upload_pem_zip(data: bytes, s3_uri: str, kms_key_id: str, client: Any = None) -> str:
    """Put ``data`` at ``s3_uri`` encrypted with SSE-KMS under ``kms_key_id``; return the S3 URI.

    botocore errors (``NoCredentialsError``, ``ClientError``, ...) propagate to the caller.

    :param client: the S3 client to use.
        Default: ``None``, ``boto3.client("s3")``.
    """
    bucket, key = parse_s3_uri(s3_uri)
    if not kms_key_id.strip():
        raise ValueError("a KMS key id is required: the zip holds a private key and is stored with SSE-KMS only")
    if client is None:
        import boto3

        client = boto3.client("s3")
    client.put_object(
        Bucket=bucket,
        Key=key,
        Body=data,
        ContentType="application/zip",
        ServerSideEncryption="aws:kms",
        SSEKMSKeyId=kms_key_id,
    )
    return f"s3://{bucket}/{key}"

"""``emr-constructs certs``: the PEM zip for EMR in-transit encryption. Offline: S3 and KMS are moto's."""

from __future__ import annotations

import datetime
import io
import re
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from cryptography.x509.verification import PolicyBuilder, Store, VerificationError
from moto import mock_aws

from emr_constructs.cli import main
from emr_constructs.security.certs import (
    CERTIFICATE_CHAIN,
    PRIVATE_KEY,
    TRUSTED_CERTIFICATES,
    domain_for_region,
    generate_pem_zip,
    upload_pem_zip,
)

# Built by concatenation so that no file in the repository contains a PEM private-key header.
KEY_HEADER = "-----BEGIN " + "PRIVATE KEY-----"
REGION = "eu-west-1"  # tests/conftest.py sets it as AWS_DEFAULT_REGION
BUCKET = "emr-certs-test"


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


@pytest.fixture(scope="module")
def rsa_zip() -> dict[str, bytes]:
    return _members(generate_pem_zip("ec2.internal", days=30))


def _leaf_and_ca(members: dict[str, bytes]) -> tuple[x509.Certificate, x509.Certificate]:
    chain = x509.load_pem_x509_certificates(members[CERTIFICATE_CHAIN])
    (ca,) = x509.load_pem_x509_certificates(members[TRUSTED_CERTIFICATES])
    assert len(chain) == 2 and chain[1] == ca, "certificateChain.pem is the leaf, then the CA"
    return chain[0], ca


@pytest.fixture
def s3() -> Iterator[object]:
    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture
def kms_key_id(s3: object) -> str:
    key_id: str = boto3.client("kms", region_name=REGION).create_key(Description="emr certs")["KeyMetadata"]["KeyId"]
    return key_id


# -- the zip and its certificates ------------------------------------------------------------------


def test_zip_holds_exactly_the_three_pem_files_at_its_root(rsa_zip: dict[str, bytes]) -> None:
    assert sorted(rsa_zip) == sorted([PRIVATE_KEY, CERTIFICATE_CHAIN, TRUSTED_CERTIFICATES])
    assert rsa_zip[PRIVATE_KEY].startswith(KEY_HEADER.encode()), "unencrypted PKCS#8, as EMR reads it"


def test_leaf_names_the_wildcard_in_cn_and_san_with_server_and_client_auth(rsa_zip: dict[str, bytes]) -> None:
    leaf, ca = _leaf_and_ca(rsa_zip)
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "*.ec2.internal"
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["*.ec2.internal", "ec2.internal"]
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert leaf.issuer == ca.subject == ca.issuer


def test_leaf_is_signed_by_the_trusted_ca(rsa_zip: dict[str, bytes]) -> None:
    leaf, ca = _leaf_and_ca(rsa_zip)
    ca_key = ca.public_key()
    assert isinstance(ca_key, rsa.RSAPublicKey) and leaf.signature_hash_algorithm is not None
    ca_key.verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(), leaf.signature_hash_algorithm)
    leaf.verify_directly_issued_by(ca)
    ca.verify_directly_issued_by(ca)


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_node_names_verify_against_the_trusted_ca_and_others_do_not(key_type: str) -> None:
    members = _members(generate_pem_zip("eu-west-1.compute.internal", days=10, key_type=key_type))
    leaf, ca = _leaf_and_ca(members)
    builder = PolicyBuilder().store(Store([ca]))
    for node in ("ip-10-0-1-17.eu-west-1.compute.internal", "i-0123456789abcdef0.eu-west-1.compute.internal"):
        chain = builder.build_server_verifier(x509.DNSName(node)).verify(leaf, [])
        assert chain[-1] == ca
    for other in ("ip-10-0-1-17.ec2.internal", "a.ip-10-0-1-17.eu-west-1.compute.internal"):
        with pytest.raises(VerificationError):
            builder.build_server_verifier(x509.DNSName(other)).verify(leaf, [])


@pytest.mark.parametrize("days", [1, 365, 825])
def test_validity_is_the_requested_number_of_days(days: int) -> None:
    leaf, ca = _leaf_and_ca(_members(generate_pem_zip("ec2.internal", days=days)))
    now = datetime.datetime.now(datetime.UTC)
    for cert in (leaf, ca):
        assert cert.not_valid_after_utc - cert.not_valid_before_utc == datetime.timedelta(days=days)
        assert cert.not_valid_before_utc <= now < cert.not_valid_after_utc


@pytest.mark.parametrize(("key_type", "key_class"), [("rsa", rsa.RSAPrivateKey), ("ec", ec.EllipticCurvePrivateKey)])
def test_private_key_matches_the_leaf_public_key(key_type: str, key_class: type) -> None:
    members = _members(generate_pem_zip("ec2.internal", key_type=key_type))
    key = serialization.load_pem_private_key(members[PRIVATE_KEY], password=None)
    leaf, _ = _leaf_and_ca(members)
    assert isinstance(key, key_class)
    if isinstance(key, rsa.RSAPrivateKey):
        assert key.key_size == 2048
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    assert key.public_key().public_bytes(serialization.Encoding.DER, spki) == leaf.public_key().public_bytes(
        serialization.Encoding.DER, spki
    )


@pytest.mark.parametrize(
    ("region", "domain"),
    [
        ("us-east-1", "ec2.internal"),
        ("us-east-2", "us-east-2.compute.internal"),
        ("eu-west-1", "eu-west-1.compute.internal"),
        ("us-gov-west-1", "us-gov-west-1.compute.internal"),
    ],
)
def test_domain_for_region(region: str, domain: str) -> None:
    assert domain_for_region(region) == domain


@pytest.mark.parametrize("region", ["", "us-east", "US-EAST-1", "us_east_1", "ec2.internal"])
def test_fails_domain_for_region_on_a_name_that_is_no_region(region: str) -> None:
    with pytest.raises(ValueError, match="is not an AWS region name"):
        domain_for_region(region)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"domain": "*.ec2.internal"}, "without '\\*.'"),
        ({"domain": "internal"}, "at least two labels"),
        ({"domain": "bad_label.internal"}, "is not a DNS domain"),
        ({"domain": "a" * 60 + ".internal"}, "at most 62 fit"),
        ({"domain": "ec2.internal", "days": 0}, "days 0 is out of range"),
        ({"domain": "ec2.internal", "days": 826}, "days 826 is out of range"),
        ({"domain": "ec2.internal", "key_type": "dsa"}, "key type 'dsa' is not supported"),
    ],
)
def test_fails_generate_pem_zip_on_bad_input(arguments: dict[str, object], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        generate_pem_zip(**arguments)  # type: ignore[arg-type]


# -- the command: --out ----------------------------------------------------------------------------


def test_out_writes_the_zip_with_mode_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "certs.zip"
    assert main(["certs", "--region", "us-east-1", "--out", str(out), "--days", "90"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    leaf, _ = _leaf_and_ca(_members(out.read_bytes()))
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value.get_values_for_type(
        x509.DNSName
    ) == ["*.ec2.internal", "ec2.internal"]
    captured = capsys.readouterr()
    assert f"wrote {out}" in captured.out and "*.ec2.internal, valid 90 days" in captured.out
    assert "PRIVATE KEY" not in captured.out + captured.err


def test_fails_out_refuses_to_overwrite_without_force(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "certs.zip"
    out.write_bytes(b"keep me")
    out.chmod(0o644)
    assert main(["certs", "--domain", "ec2.internal", "--out", str(out)]) == 1
    assert out.read_bytes() == b"keep me"
    assert f"error: {out} exists; pass --force to overwrite it" in capsys.readouterr().err

    assert main(["certs", "--domain", "ec2.internal", "--out", str(out), "--force"]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600, "--force must not keep the old file's wider mode"
    assert sorted(_members(out.read_bytes())) == sorted([PRIVATE_KEY, CERTIFICATE_CHAIN, TRUSTED_CERTIFICATES])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["certs.zip"], "no temporary file left behind"


def test_fails_out_in_a_missing_directory_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certs", "--domain", "ec2.internal", "--out", str(tmp_path / "missing" / "certs.zip")]) == 1
    err = capsys.readouterr().err
    assert "error: cannot write" in err and "Traceback" not in err


# -- the command: --upload -------------------------------------------------------------------------


def test_upload_puts_the_zip_with_sse_kms_and_keeps_it_off_disk(
    s3: object, kms_key_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    uri = f"s3://{BUCKET}/emr/in-transit/certs.zip"
    assert main(["certs", "--region", REGION, "--upload", uri, "--kms-key-id", kms_key_id]) == 0
    client = boto3.client("s3", region_name=REGION)
    head = client.head_object(Bucket=BUCKET, Key="emr/in-transit/certs.zip")
    assert head["ServerSideEncryption"] == "aws:kms"
    assert head["SSEKMSKeyId"].endswith(kms_key_id)
    body = client.get_object(Bucket=BUCKET, Key="emr/in-transit/certs.zip")["Body"].read()
    leaf, _ = _leaf_and_ca(_members(body))
    assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "*.eu-west-1.compute.internal"
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == f"security.in_transit.pem_s3_uri: {uri}"
    assert "PRIVATE KEY" not in out
    assert list(tmp_path.iterdir()) == [], "--upload without --out writes nothing to disk"


def test_upload_pem_zip_returns_the_uri_and_sends_the_kms_key(s3: object, kms_key_id: str) -> None:
    client = boto3.client("s3", region_name=REGION)
    data = generate_pem_zip("ec2.internal", days=5)
    assert upload_pem_zip(data, f"s3://{BUCKET}/certs.zip", kms_key_id, client=client) == f"s3://{BUCKET}/certs.zip"
    assert client.get_object(Bucket=BUCKET, Key="certs.zip")["Body"].read() == data


def test_out_and_upload_together(
    s3: object, kms_key_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "certs.zip"
    uri = f"s3://{BUCKET}/certs.zip"
    assert (
        main(["certs", "--domain", "corp.example", "--out", str(out), "--upload", uri, "--kms-key-id", kms_key_id]) == 0
    )
    uploaded = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key="certs.zip")["Body"].read()
    assert uploaded == out.read_bytes()
    assert f"security.in_transit.pem_s3_uri: {uri}" in capsys.readouterr().out


def test_fails_upload_to_a_missing_bucket_with_the_error_code(
    s3: object, kms_key_id: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert (
        main(
            ["certs", "--domain", "ec2.internal", "--upload", "s3://no-such-bucket-x/c.zip", "--kms-key-id", kms_key_id]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "error: uploading to s3://no-such-bucket-x/c.zip failed: NoSuchBucket:" in err
    assert "Traceback" not in err


def test_fails_upload_without_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # Should credentials turn up anyway, the request goes to a closed local port, never to AWS.
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)  # a session that earlier tests cached has credentials
    monkeypatch.chdir(tmp_path)
    code = main(["certs", "--domain", "ec2.internal", "--upload", "s3://bucket-x/c.zip", "--kms-key-id", "alias/emr"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert err.strip() == "error: no AWS credentials: run with credentials or drop --upload"
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# -- usage errors: exit 2 with argparse's usage, before any key is generated -----------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--domain", "ec2.internal", "--upload", "s3://bucket-x/c.zip"], "--upload needs --kms-key-id"),
        (["--domain", "ec2.internal", "--upload", "s3://bucket-x/c.zip", "--kms-key-id", ""], "--upload needs"),
        (["--domain", "ec2.internal", "--upload", "bucket-x/c.zip", "--kms-key-id", "k"], "is not of the form s3://"),
        (["--domain", "ec2.internal", "--upload", "s3://bucket-x", "--kms-key-id", "k"], "is not of the form s3://"),
        (["--domain", "ec2.internal", "--upload", "s3://Bad_Bucket/c.zip", "--kms-key-id", "k"], "not a valid bucket"),
        (["--domain", "ec2.internal", "--out", "x.zip", "--days", "0"], "--days 0 is out of range; choose 1..825"),
        (["--domain", "ec2.internal", "--out", "x.zip", "--days", "826"], "--days 826 is out of range"),
        (["--domain", "ec2.internal", "--out", "x.zip", "--days", "ten"], "invalid int value: 'ten'"),
        (["--out", "x.zip"], "give --domain"),
        (["--region", "mars-1", "--out", "x.zip"], "'mars-1' is not an AWS region name"),
        (["--domain", "*.ec2.internal", "--out", "x.zip"], "without '\\*.'"),
        (["--domain", "ec2.internal", "--out", "x.zip", "--key-type", "dsa"], "invalid choice: 'dsa'"),
        (["--domain", "ec2.internal"], "give --out PATH.zip, --upload"),
        (
            ["--domain", "ec2.internal", "--out", "x.zip", "--kms-key-id", "k"],
            "--kms-key-id applies only with --upload",
        ),
    ],
    ids=[
        "upload-without-kms-key",
        "upload-with-empty-kms-key",
        "bad-s3-uri-scheme",
        "bad-s3-uri-no-key",
        "bad-s3-uri-bucket",
        "bad-days-zero",
        "bad-days-826",
        "bad-days-not-a-number",
        "missing-domain-and-region",
        "bad-region",
        "wildcard-domain",
        "bad-key-type",
        "neither-out-nor-upload",
        "kms-key-without-upload",
    ],
)
def test_fails_usage(
    argv: list[str], message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["certs", *argv])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: emr-constructs certs")
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "a usage error writes nothing"

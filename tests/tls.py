"""Certificates for the tests' local HTTPS servers (trustme): one trusted authority, and
certificates that fail verification in each common way."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

# kind of bad certificate -> what the verification error says
BAD_CERTIFICATES = {
    "self-signed": "self.signed certificate",
    "unknown issuer": "unable to get local issuer certificate",
    "wrong host": "IP address mismatch, certificate is not valid for '127.0.0.1'",
    "expired": "certificate has expired",
}


def trusted_authority(folder: Path, monkeypatch: pytest.MonkeyPatch) -> trustme.CA:
    """A certificate authority the fetcher trusts, through REQUESTS_CA_BUNDLE as a user would."""
    authority = trustme.CA()
    bundle = folder / "trusted-ca.pem"
    authority.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    return authority


def server_context(trusted: trustme.CA, kind: str = "good") -> ssl.SSLContext:
    """A server's TLS context with a certificate for 127.0.0.1: good, or one of BAD_CERTIFICATES."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if kind == "self-signed":
        stranger = trustme.CA()
        with stranger.cert_pem.tempfile() as cert, stranger.private_key_pem.tempfile() as key:
            context.load_cert_chain(cert, key)
        return context
    issuer = trustme.CA() if kind == "unknown issuer" else trusted
    hosts = ("schedscrape.example",) if kind == "wrong host" else ("127.0.0.1", "localhost")
    now = datetime.now(UTC)
    expired = kind == "expired"
    certificate = issuer.issue_cert(
        *hosts,
        not_before=now - timedelta(days=30) if expired else None,
        not_after=now - timedelta(days=1) if expired else None,
    )
    certificate.configure_cert(context)
    return context

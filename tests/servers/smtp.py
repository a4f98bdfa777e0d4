"""A real SMTP server (aiosmtpd) on 127.0.0.1 that records what it receives.

    with running_smtp() as smtp:                                   # plain SMTP, no AUTH
        ...send to smtp.host, smtp.port...
        smtp.messages[0].mail_from, .rcpt_tos, .raw, .message()    # the envelope and the bytes as received

    with running_smtp(security="starttls", users={"bot@firm.test": "pw"}, certificate=cert) as smtp:
        # STARTTLS required before AUTH and MAIL; trust `cert.ca_file` (self-signed, made at test time)

    security="tls" is implicit TLS (port 465 style). `smtp.reject_next("451 4.3.0 Try again later")` makes the
    server answer the next DATA with that error, for retry tests.

aiosmtpd runs in its own thread and event loop (its Controller), so synchronous and asynchronous tests can use
it alike.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email
import email.message
import email.policy
import ipaddress
import socket
import ssl
import tempfile
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

Security = Literal["plain", "starttls", "tls"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Certificate:
    """A self-signed certificate for localhost and 127.0.0.1; clients trust it through `ca_file`."""

    cert_file: Path
    key_file: Path

    @property
    def ca_file(self) -> Path:
        return self.cert_file

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_file, self.key_file)
        return context

    def client_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=str(self.cert_file))


def make_certificate(directory: Path, common_name: str = "localhost") -> Certificate:
    """Generate an EC key and a self-signed certificate (valid for a day) into `directory`."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(common_name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    directory.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    key_file.chmod(0o600)
    return Certificate(cert_file, key_file)


@dataclass(frozen=True)
class ReceivedMail:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    login: str | None  # the AUTH identity, None without AUTH
    tls: bool

    def message(self) -> email.message.EmailMessage:
        """The message parsed, with the wire's CRLF line ends read as newlines."""
        parsed = email.message_from_bytes(self.raw.replace(b"\r\n", b"\n"), policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


@dataclass
class RecordingHandler:
    """aiosmtpd handler: keeps every accepted message; can be told to refuse the next ones."""

    messages: list[ReceivedMail] = field(default_factory=list)
    _rejections: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            if self._rejections:
                return self._rejections.pop(0)
            login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
            self.messages.append(
                ReceivedMail(
                    mail_from=envelope.mail_from or "",
                    rcpt_tos=tuple(envelope.rcpt_tos),
                    raw=_raw(envelope),
                    login=login,
                    tls=server.transport is not None
                    and server.transport.get_extra_info("ssl_object") is not None,
                )
            )
        return "250 Message accepted for delivery"

    def reject_next(self, reply: str, times: int = 1) -> None:
        with self._lock:
            self._rejections.extend([reply] * times)


def _raw(envelope: Envelope) -> bytes:
    """The DATA as received (aiosmtpd keeps it undecoded in original_content)."""
    content = envelope.original_content if envelope.original_content is not None else envelope.content
    if isinstance(content, str):
        return content.encode("utf-8", "surrogateescape")
    return bytes(content or b"")


class _Authenticator:
    def __init__(self, users: Mapping[str, str]) -> None:
        self.users = dict(users)

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login, password = auth_data.login.decode(), auth_data.password.decode()
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=auth_data)
        return AuthResult(success=False, handled=False)


@dataclass
class SmtpServer:
    host: str
    port: int
    security: Security
    handler: RecordingHandler
    users: dict[str, str]
    certificate: Certificate | None

    @property
    def messages(self) -> list[ReceivedMail]:
        return self.handler.messages

    @property
    def ca_file(self) -> str | None:
        return str(self.certificate.ca_file) if self.certificate else None

    def reject_next(self, reply: str = "451 4.3.0 Try again later", times: int = 1) -> None:
        self.handler.reject_next(reply, times)


@contextlib.contextmanager
def running_smtp(
    *,
    security: Security = "plain",
    users: Mapping[str, str] | None = None,
    certificate: Certificate | None = None,
) -> Iterator[SmtpServer]:
    """An aiosmtpd server on a free port of 127.0.0.1. With `users`, AUTH (PLAIN, LOGIN) checks them; over
    STARTTLS it is required, and allowed only after STARTTLS."""
    with contextlib.ExitStack() as stack:
        if security != "plain" and certificate is None:
            directory = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="kundebot-smtp-")))
            certificate = make_certificate(directory)
        handler = RecordingHandler()
        kwargs: dict[str, Any] = {}
        if users:
            # aiosmtpd counts only STARTTLS as TLS, and warns when AUTH is required without it; with implicit
            # TLS (or plain SMTP) AUTH is therefore offered and checked, but not required.
            starttls = security == "starttls"
            kwargs.update(
                authenticator=_Authenticator(users), auth_required=starttls, auth_require_tls=starttls
            )
        if security == "starttls":
            assert certificate is not None
            kwargs.update(tls_context=certificate.server_context(), require_starttls=True)
        elif security == "tls":
            assert certificate is not None
            kwargs.update(ssl_context=certificate.server_context())
        port = free_port()
        controller = Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            server_hostname="localhost",
            ready_timeout=10.0,
            **kwargs,
        )
        controller.start()
        stack.callback(controller.stop)
        yield SmtpServer("127.0.0.1", port, security, handler, dict(users or {}), certificate)

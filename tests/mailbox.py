"""A real SMTP server for the tests (aiosmtpd), keeping what it receives."""

import datetime
import email
import email.policy
import re
import ssl
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.servers import free_port

LINK = re.compile(r"(https?://\S+/account/(?:verify-email|reset-password)\?token=([\w-]+))")


class _Handler:
    def __init__(self, box: "Mailbox") -> None:
        self.box = box

    async def handle_DATA(self, server, session: Session, envelope: Envelope) -> str:
        if self.box.refuse:
            return "550 5.7.1 Refused by the test"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.box.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"


class Mailbox:
    """`tls`: None (plain SMTP), "starttls" or "smtps", with a self-signed certificate for
    localhost (its file is `cafile`) and a login (USER, SECRET) that must come after TLS."""

    USER, SECRET = "mailer", "mail-secret-of-the-tests"

    def __init__(self, tls: str | None = None, folder: Path | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse = False
        self.port = free_port()
        self.tls = tls
        options: dict = {}
        if tls:
            assert folder is not None
            self.cafile = str(folder / "smtp-cert.pem")
            context = _self_signed(folder)
            options = {"authenticator": self._authenticate}
            if tls == "starttls":
                options |= {"tls_context": context, "require_starttls": True}
            else:
                # TLS from the first byte: aiosmtpd only counts STARTTLS as TLS for AUTH.
                options |= {"ssl_context": context, "auth_require_tls": False}
        self.controller = Controller(
            _Handler(self),
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="localhost",
            **options,
        )

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        valid = (auth_data.login, auth_data.password) == (self.USER.encode(), self.SECRET.encode())
        return AuthResult(success=valid)

    @property
    def url(self) -> str:
        if self.tls == "starttls":
            return f"smtp+starttls://{self.USER}:{self.SECRET}@localhost:{self.port}"
        if self.tls == "smtps":
            return f"smtps://{self.USER}:{self.SECRET}@localhost:{self.port}"
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def __enter__(self) -> "Mailbox":
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "every message has a plain-text part"
    return part.get_content()


def token_in(message: EmailMessage) -> str:
    match = LINK.search(text_of(message))
    assert match, text_of(message)
    return match.group(2)


def _self_signed(folder: Path) -> ssl.SSLContext:
    """A server context with a new self-signed certificate for localhost."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=1))
        .not_valid_after(now + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context

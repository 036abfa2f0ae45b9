"""Sending a message: SMTP by MAIL_URL, or an `.eml` file in instance/outbox/.

MAIL_URL forms (credentials percent-encoded):
  smtp://host[:25]                      plain SMTP, for a relay on a trusted network
  smtp+starttls://user:password@host[:587]   SMTP upgraded with STARTTLS (RFC 3207)
  smtps://user:password@host[:465]      SMTP over TLS from the first byte (RFC 8314)
"""

import os
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


class MailError(Exception):
    """The message could not be handed over; `reason` says why, naming no address and
    quoting nothing of the message (it goes to the log)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _reason(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in error.recipients.values()})
        return f"SMTPRecipientsRefused: {', '.join(map(str, codes))}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{type(error).__name__}: {error.smtp_code}"
    return f"{type(error).__name__}: {error}"


@dataclass(frozen=True)
class SMTPTransport:
    host: str
    port: int
    scheme: str
    username: str | None
    password: str | None
    timeout: float  # seconds, for the connection and each command
    cafile: str | None = None  # a CA bundle to trust instead of the system's (a private CA)

    def _tls(self) -> ssl.SSLContext:
        # Certificate and host name are checked: a relay's login must not go to an impostor.
        return ssl.create_default_context(cafile=self.cafile)

    def send(self, message: EmailMessage) -> str:
        """Hand the message to the server; returns where it went."""
        try:
            if self.scheme == "smtps":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, self.port, timeout=self.timeout, context=self._tls()
                )
            else:
                smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with smtp:
                if self.scheme == "smtp+starttls":
                    smtp.starttls(context=self._tls())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as error:  # refused, down, TLS, auth
            raise MailError(_reason(error)) from error
        return f"{self.scheme}://{self.host}:{self.port}"


@dataclass(frozen=True)
class OutboxTransport:
    folder: Path

    def send(self, message: EmailMessage) -> str:
        """Write the message as an .eml file a mail client opens (mode 0600)."""
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.urandom(4).hex()}.eml"
        path = self.folder / name
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(message.as_bytes())
        except OSError as error:
            raise MailError(f"{type(error).__name__}: {error}") from error
        return str(path)


Transport = SMTPTransport | OutboxTransport


def transport_for(
    url: str | None, outbox: Path, timeout: float, cafile: str | None = None
) -> Transport:
    """The transport MAIL_URL names; ValueError (naming the form expected) for a bad one."""
    if not url:
        return OutboxTransport(outbox)
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES or not parts.hostname:
        raise ValueError(
            "MAIL_URL must be smtp://host:port, smtp+starttls://user:password@host:port "
            "or smtps://user:password@host:port"
        )
    try:
        port = parts.port or SCHEMES[parts.scheme]
    except ValueError as error:  # a port that is not a number, or out of range
        raise ValueError(f"MAIL_URL has a bad port: {error}") from error
    return SMTPTransport(
        host=parts.hostname,
        port=port,
        scheme=parts.scheme,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        timeout=timeout,
        cafile=cafile,
    )

"""The app's mailer: messages go out on a background thread, so that a slow or failing mail
server never delays or changes an answer (a reset request answers the same whether or not
a message is sent), and every failure is logged and counted."""

import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from email.message import EmailMessage
from pathlib import Path

from flask import Flask, current_app

from mail.transport import MailError, Transport, transport_for

log = logging.getLogger("mailer")


class Mailer:
    def __init__(self, transport: Transport, sender: str) -> None:
        self.transport = transport
        self.sender = sender
        self.sent = 0
        self.failed = 0
        self._lock = threading.Lock()
        self._pending: set[Future] = set()
        # One thread: messages leave in order, and a dead server costs one timeout at a time.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mail")

    def message(self, to: str, subject: str, text: str) -> EmailMessage:
        """A plain-text message from MAIL_FROM (every client can read it; no HTML to spoof)."""
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        return message

    def send_now(self, message: EmailMessage) -> str:
        """Send and wait; MailError when it could not be handed over."""
        try:
            where = self.transport.send(message)
        except MailError as error:
            with self._lock:
                self.failed += 1
            log.error("mail not sent (%s): %s", message["Subject"], error.reason)
            raise
        with self._lock:
            self.sent += 1
        log.info("mail sent (%s) to %s", message["Subject"], where)
        return where

    def send(self, message: EmailMessage) -> None:
        """Queue the message; the caller goes on at once."""
        future = self._executor.submit(self._send_quietly, message)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def later(self, app: Flask, job: Callable[[], None]) -> None:
        """Run `job` on the mail thread, in an app context: work whose duration must not
        show in an answer (what a message needs written first, then send_now)."""

        def run() -> None:
            with app.app_context():
                try:
                    job()
                except Exception:  # a dead thread would go unnoticed: log and go on
                    log.exception("mail job failed")

        future = self._executor.submit(run)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)

    def drain(self, timeout: float = 10.0) -> None:
        """Wait for every queued message to be sent or to fail (tests, shutdown)."""
        with self._lock:
            pending = set(self._pending)
        wait(pending, timeout=timeout)

    def _send_quietly(self, message: EmailMessage) -> None:
        with contextlib.suppress(MailError):  # logged and counted by send_now
            self.send_now(message)

    def _done(self, future: Future) -> None:
        with self._lock:
            self._pending.discard(future)


def init_app(app: Flask) -> None:
    transport = transport_for(
        app.config["MAIL_URL"],
        Path(app.instance_path) / "outbox",
        app.config["MAIL_TIMEOUT"],
        app.config["MAIL_TLS_CA_FILE"],
    )
    app.extensions["mailer"] = Mailer(transport, app.config["MAIL_FROM"])


def mailer() -> Mailer:
    instance: Mailer = current_app.extensions["mailer"]
    return instance

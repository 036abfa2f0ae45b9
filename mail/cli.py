"""`flask mail test ADDRESS`: send one message now and say what happened."""

import click
from flask import Flask
from flask.cli import AppGroup

from mail.mailer import mailer
from mail.transport import MailError

group = AppGroup("mail", help="Outgoing e-mail.")


@group.command("test")
@click.argument("address")
def send_test(address: str) -> None:
    """Send a test message to ADDRESS through MAIL_URL (or into instance/outbox/)."""
    message = mailer().message(
        address, "Test message", "This is a test message from the Flask JWT Auth API.\n"
    )
    try:
        where = mailer().send_now(message)
    except MailError as error:
        raise click.ClickException(f"not sent: {error}") from error
    click.echo(f"sent to {address} via {where}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)

"""`flask users ...` and `flask revocations purge`."""

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

import passwords
from blocklist import purge as purge_expired
from extensions import db
from models import User

users = AppGroup("users", help="Create users and grant or revoke admin rights.")
revocations = AppGroup("revocations", help="Maintain the revocation store.")


@users.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make the user an admin.")
def create_user(username: str, admin: bool) -> None:
    """Create a user; the password is read from a prompt, or standard input."""
    key = User.key_for(username)
    if db.session.scalar(select(User.id).where(User.username_key == key)) is not None:
        raise click.ClickException(f"user {username!r} already exists")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    errors = passwords.policy_errors(password, username)
    if errors:
        raise click.ClickException("password refused: " + " ".join(errors))
    user = User(
        username=username,
        username_key=key,
        password_hash=passwords.hash_password(password),
        is_admin=admin,
    )
    db.session.add(user)
    db.session.commit()
    click.echo(f"created user {username!r} with id {user.id}{' (admin)' if admin else ''}")


@users.command("set-admin")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Take admin rights away instead.")
def set_admin(username: str, revoke: bool) -> None:
    """Grant admin rights (or take them away with --revoke)."""
    user = db.session.scalar(select(User).where(User.username_key == User.key_for(username)))
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    user.is_admin = not revoke
    db.session.commit()
    click.echo(f"{username!r} is {'no longer ' if revoke else ''}an admin")


@revocations.command("purge")
def purge() -> None:
    """Delete revocations and sessions whose tokens have all expired."""
    click.echo(f"purged {purge_expired()} expired row(s)")


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(revocations)

"""`flask users ...`, `flask events tail` and `flask revocations purge`."""

import sys
from datetime import UTC, datetime
from typing import Any

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from auth import accounts, admin, events, factors, passwords
from auth.keys import KeyRing, keyring
from auth.revocation.database import purge as purge_expired
from extensions import db
from models import User


class Unavailable(click.ClickException):
    """Shown as the start shows an unreachable database: one line, `error: ...`."""

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


class Commands(AppGroup):
    """A group whose commands end with one line and a non-zero status, never a traceback,
    when the database stops answering: the start checks it only once. (None of them needs
    Redis: it holds only the throttling counters.)"""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except OperationalError as error:
            reason = _first_line(error.orig or error)
            raise Unavailable(f"DATABASE_URL: the database does not answer: {reason}") from None


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


users = Commands(
    "users",
    help="Create, lock and unlock users; grant or revoke admin rights; reset second factors.",
)
audit_events = Commands("events", help="The security activity record.")
revocations = Commands("revocations", help="Maintain the revocation store.")
keys = Commands("keys", help="Signing keys (RS256, ES256, EdDSA).")


@users.command("create")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Make the user an admin.")
def create_user(username: str, admin: bool) -> None:
    """Create a user; the password is read from a prompt, or standard input."""
    if accounts.find_by_username(username) is not None:
        raise click.ClickException(f"user {username!r} already exists")
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    errors = passwords.policy_errors(password, username)
    if errors:
        raise click.ClickException("password refused: " + " ".join(errors))
    try:
        user = accounts.create_user(username, password, is_admin=admin)
    except (accounts.UsernameError, accounts.UsernameTaken) as error:
        raise click.ClickException(f"user {username!r} refused: {error}") from error
    click.echo(f"created user {username!r} with id {user.id}{' (admin)' if admin else ''}")


@users.command("set-admin")
@click.argument("username")
@click.option("--revoke", is_flag=True, help="Take admin rights away instead.")
def set_admin(username: str, revoke: bool) -> None:
    """Grant admin rights (or take them away with --revoke)."""
    user = _user(username)
    try:
        admin.set_admin(user, not revoke, actor_id=None)
    except admin.AdminRuleError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{username!r} is {'no longer ' if revoke else ''}an admin")


@users.command("lock")
@click.argument("username")
@click.option("--reason", help="Why, for the record (at most 200 characters).")
def lock_user(username: str, reason: str | None) -> None:
    """Lock an account: every session ends now, and it cannot log in until unlocked."""
    user = _user(username)
    try:
        count = admin.lock(user, reason and reason.strip()[:200] or None, actor_id=None)
    except admin.AdminRuleError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"locked {username!r}; {count} session(s) ended")


@users.command("unlock")
@click.argument("username")
def unlock_user(username: str) -> None:
    """Unlock an account; it logs in again with its password."""
    admin.unlock(_user(username), actor_id=None)
    click.echo(f"unlocked {username!r}")


@audit_events.command("tail")
@click.option("--user", "username", help="Only this user's events.")
@click.option("-n", "--lines", default=20, show_default=True, type=click.IntRange(1, 10_000))
def tail_events(username: str | None, lines: int) -> None:
    """Print the newest security events, oldest of them first, one a line."""
    filters = {"user_id": _user(username).id} if username else {}
    rows = db.session.scalars(events.listing(filters).limit(lines)).all()
    for row in reversed(rows):
        details = " ".join(f"{key}={value}" for key, value in (row.details or {}).items())
        click.echo(
            f"{row.time.isoformat(timespec='seconds')}  {row.event}  user={row.user_id} "
            f"sid={row.sid} ip={row.ip} {details}".rstrip()
        )


def _user(username: str) -> User:
    user = accounts.find_by_username(username)
    if user is None:
        raise click.ClickException(f"no user {username!r}")
    return user


@users.command("mfa-reset")
@click.argument("username")
def mfa_reset(username: str) -> None:
    """Remove a user's second factors and end their sessions (for support: a lost phone
    and lost recovery codes). Check who is asking first: this undoes the second factor."""
    count = factors.reset(_user(username).id)
    click.echo(f"{username!r} has no second factor now; {count} session(s) ended")


@revocations.command("purge")
def purge() -> None:
    """Delete revocations and sessions whose tokens have all expired."""
    click.echo(f"purged {purge_expired()} expired row(s)")


@keys.command("rotate")
def rotate_keys() -> None:
    """Make a new signing key active; the previous ones verify until their tokens expire."""
    ring = _keyring()
    click.echo(f"new signing key {ring.rotate().kid} ({ring.algorithm})")


@keys.command("list")
def list_keys() -> None:
    """Show the keys that may verify a live token; the last one signs."""
    ring = _keyring()
    for key in ring.live():
        active = " (signing)" if key is ring.active() else ""
        created = datetime.fromtimestamp(key.created, UTC).isoformat(timespec="seconds")
        click.echo(f"{key.kid}  {ring.algorithm}  created {created}{active}")


def _keyring() -> KeyRing:
    ring = keyring()
    if ring is None:
        raise click.ClickException("JWT_ALGORITHM is HS256: there is one secret, no key ring")
    return ring


def init_app(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(audit_events)
    app.cli.add_command(revocations)
    app.cli.add_command(keys)

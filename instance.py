"""What lives in the instance folder: the generated JWT key and the default SQLite file."""

import os
import secrets
from pathlib import Path

from flask import Flask

MIN_SECRET_BYTES = 32  # RFC 7518 §3.2: an HS256 key at least as long as the hash


def database_url(app: Flask) -> str:
    url: str | None = app.config.get("SQLALCHEMY_DATABASE_URI")
    if not url:
        return f"sqlite:///{Path(app.instance_path) / 'app.db'}"
    if url.startswith("postgres://"):  # the spelling Heroku and others hand out
        url = "postgresql://" + url.removeprefix("postgres://")
    return url


def jwt_secret(app: Flask) -> str:
    """The configured key, or one generated once and shared by every worker.

    Refuses to start with a short key rather than sign tokens anyone can forge.
    """
    secret: str | None = app.config.get("JWT_SECRET_KEY")
    if secret:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise RuntimeError(
                f"JWT_SECRET_KEY is {len(secret.encode())} bytes; it must be at least "
                f"{MIN_SECRET_BYTES}. Generate one with: openssl rand -hex 32"
            )
        return secret
    return _generated_secret(Path(app.instance_path) / "jwt-secret.key")


def _generated_secret(path: Path) -> str:
    if not path.exists():
        # Written whole under a private name, then linked into place: workers starting
        # together see either no file or the complete winner, never a half-written one.
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another worker won; use its key
        finally:
            tmp.unlink()
    return path.read_text().strip()

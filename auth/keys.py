"""Signing keys: the HS256 secret (configured, or generated once into the instance folder),
and for RS256, ES256 and EdDSA a key ring in the instance folder (or one key from
JWT_PRIVATE_KEY_FILE), published as a JWKS and rotated by `flask keys rotate`.

A file per key, `<alg>-<created ns>.pem` (mode 0600): the newest signs; an older one keeps
verifying until every token it can have signed has expired (its successor's creation plus
the longest token lifetime), then leaves the JWKS and is deleted at the next rotation.
Every worker reads the same folder, and notices a rotation by the folder's mtime.
"""

import base64
import fcntl
import hashlib
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from flask import Flask, current_app
from jwt.algorithms import get_default_algorithms

ASYMMETRIC = ("RS256", "ES256", "EdDSA")
# RFC 7638: the members of each key type a thumbprint is computed over.
_THUMBPRINT_MEMBERS = {
    "RSA": ("e", "kty", "n"),
    "EC": ("crv", "kty", "x", "y"),
    "OKP": ("crv", "kty", "x"),
}


def generate(algorithm: str) -> Any:
    if algorithm == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if algorithm == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created: float  # seconds since the epoch
    private: Any
    public: Any
    jwk: dict[str, Any]


def load(pem: bytes, algorithm: str, created: float) -> SigningKey:
    private = serialization.load_pem_private_key(pem, password=None)
    public = private.public_key()
    jwk = json.loads(get_default_algorithms()[algorithm].to_jwk(public))
    members = {name: jwk[name] for name in _THUMBPRINT_MEMBERS[jwk["kty"]]}
    digest = hashlib.sha256(json.dumps(members, separators=(",", ":")).encode()).digest()
    kid = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return SigningKey(
        kid, created, private, public, {**jwk, "kid": kid, "alg": algorithm, "use": "sig"}
    )


class KeyRing:
    def __init__(self, folder: Path, algorithm: str, lifetime: float, key_file: str | None) -> None:
        self.folder = folder
        self.algorithm = algorithm
        self.lifetime = lifetime  # the longest a token lives: how long a retired key verifies
        self.key_file = Path(key_file) if key_file else None
        self._stamp: int | None = None
        self._keys: list[SigningKey] = []

    def live(self) -> list[SigningKey]:
        """Every key that may still verify a live token, oldest first; the last one signs."""
        if self.key_file:
            if not self._keys:
                self._keys = [load(self.key_file.read_bytes(), self.algorithm, 0)]
            return self._keys
        stamp = self.folder.stat().st_mtime_ns if self.folder.exists() else None
        if stamp is None or stamp != self._stamp:
            if not self._files():
                self._create()  # first start: one key, made once for all workers
            self._stamp = self.folder.stat().st_mtime_ns
            self._keys = [
                load(path.read_bytes(), self.algorithm, created) for created, path in self._files()
            ]
        now = time.time()
        return [
            key
            for key, successor in zip(self._keys, [*self._keys[1:], None], strict=True)
            if successor is None or successor.created + self.lifetime > now
        ]

    def active(self) -> SigningKey:
        return self.live()[-1]

    def find(self, kid: object) -> SigningKey | None:
        return next((key for key in self.live() if key.kid == kid), None)

    def rotate(self) -> SigningKey:
        if self.key_file:
            raise RuntimeError("JWT_PRIVATE_KEY_FILE is set: rotate by replacing that file")
        self._create(force=True)
        self._prune()
        return self.active()

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        return {"keys": [key.jwk for key in self.live()]}

    def _files(self) -> list[tuple[float, Path]]:
        found = []
        for path in self.folder.glob(f"{self.algorithm}-*.pem"):
            found.append((int(path.stem.split("-")[1]) / 1e9, path))
        return sorted(found)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # workers starting together make one key
            yield

    def _create(self, force: bool = False) -> None:
        with self._locked():
            if self._files() and not force:
                return
            pem = generate(self.algorithm).private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            path = self.folder / f"{self.algorithm}-{time.time_ns()}.pem"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as file:
                file.write(pem)

    def _prune(self) -> None:
        live = {key.created for key in self.live()}
        for created, path in self._files():
            if created not in live:
                path.unlink()


def make_keyring(app: Flask) -> None:
    """The app's signing material: a key ring for the asymmetric algorithms, else the
    HS256 secret (generated once when none is configured) and its key id."""
    algorithm = app.config["JWT_ALGORITHM"]
    if algorithm in ASYMMETRIC:
        lifetime = max(
            app.config["JWT_ACCESS_TOKEN_EXPIRES"], app.config["JWT_REFRESH_TOKEN_EXPIRES"]
        ).total_seconds()
        folder = Path(app.instance_path) / "keys"
        ring = KeyRing(folder, algorithm, lifetime, app.config.get("JWT_PRIVATE_KEY_FILE"))
        ring.active()  # made (once, for every worker) at start, not at the first login
        app.extensions["keyring"] = ring
        return
    if not app.config["JWT_SECRET_KEY"]:
        app.config["JWT_SECRET_KEY"] = _generated_secret(Path(app.instance_path) / "jwt-secret.key")
    secret = app.config["JWT_SECRET_KEY"].encode()
    # Names the key without revealing it: a one-way digest of a 256-bit secret.
    app.config["JWT_KID"] = hashlib.sha256(b"kid:" + secret).hexdigest()[:16]


def keyring() -> KeyRing | None:
    ring: KeyRing | None = current_app.extensions.get("keyring")
    return ring


def _generated_secret(path: Path) -> str:
    """A random key made once and shared by every worker (mode 0600)."""
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

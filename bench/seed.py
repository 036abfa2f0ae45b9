"""Fills a migrated benchmark database: a user, stores with tagged items, sessions whose
refresh tokens the refresh benchmark spends, and optionally a million revoked tokens."""

import sys
import uuid
from datetime import timedelta
from pathlib import Path

from app import create_app
from auth.accounts import create_user
from auth.tokens import issue
from extensions import db
from models import Item, LoginSession, RevokedToken, Store, Tag
from models.types import utcnow

PASSWORD = "correct horse battery staple"


def seed(out: Path, refresh_files: int, refresh_per_file: int, revoked: int) -> None:
    app = create_app()
    with app.app_context():
        user = create_user("alice", PASSWORD)
        for s in range(5):
            store = Store(name=f"store {s}")
            tags = [Tag(name=f"tag {s}-{t}", store=store) for t in range(3)]
            for i in range(20):
                db.session.add(Item(name=f"item {s}-{i}", price=i, store=store, tags=tags[: i % 4]))
        db.session.commit()

        expires = utcnow() + timedelta(days=30)
        for n in range(refresh_files):
            rows, lines = [], []
            for _ in range(refresh_per_file):
                sid, jti = str(uuid.uuid4()), str(uuid.uuid4())
                rows.append(
                    {"id": sid, "user_id": user.id, "expires_at": expires, "refresh_jti": jti}
                )
                lines.append(issue(user.id, False, sid, jti, fresh=False)["refresh_token"])
            db.session.execute(LoginSession.__table__.insert(), rows)
            (out / f"refresh-{n}.txt").write_text("\n".join(lines) + "\n")
        sid, jti = str(uuid.uuid4()), str(uuid.uuid4())
        db.session.add(LoginSession(id=sid, user_id=user.id, expires_at=expires, refresh_jti=jti))
        (out / "access.txt").write_text(issue(user.id, False, sid, jti, fresh=True)["access_token"])

        batch = 50_000
        for start in range(0, revoked, batch):
            db.session.execute(
                RevokedToken.__table__.insert(),
                [
                    {"jti": str(uuid.uuid4()), "expires_at": expires}
                    for _ in range(min(batch, revoked - start))
                ],
            )
        db.session.commit()


if __name__ == "__main__":
    seed(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))

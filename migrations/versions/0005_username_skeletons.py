"""users.username_skeleton: names that render alike (Unicode TS #39) are one account's

Existing rows are backfilled from their canonical key; where older rows already share a
skeleton, the first (lowest id) keeps it and the others get NULL, so that nobody loses
their account and no new look-alike can register.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 01:00:00

"""
from alembic import op
import sqlalchemy as sa

from auth.confusables import skeleton


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username_skeleton', sa.String(length=320), nullable=True))
    conn = op.get_bind()
    seen = set()
    for user_id, key in conn.execute(sa.text("SELECT id, username_key FROM users ORDER BY id")):
        look = skeleton(key)
        if look not in seen:
            seen.add(look)
            conn.execute(
                sa.text("UPDATE users SET username_skeleton = :look WHERE id = :id"),
                {"look": look, "id": user_id},
            )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_username_skeleton'), ['username_skeleton'])


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_username_skeleton'), type_='unique')
        batch_op.drop_column('username_skeleton')

"""stores.owner_id: a store belongs to the user who created it

Existing stores go to the first admin (the lowest id); without an admin they stay
without an owner, which leaves them to admins alone.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 00:55:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.add_column(sa.Column('owner_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_stores_owner_id'), ['owner_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_stores_owner_id_users'), 'users', ['owner_id'], ['id'], ondelete='SET NULL')
    op.execute(
        "UPDATE stores SET owner_id = (SELECT min(id) FROM users WHERE is_admin = true)"
    )


def downgrade():
    with op.batch_alter_table('stores', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_stores_owner_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_stores_owner_id'))
        batch_op.drop_column('owner_id')

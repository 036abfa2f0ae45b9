"""refresh reuse interval: the token a rotation replaced, and when

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 00:55:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_refresh_jti', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('rotated_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_column('rotated_at')
        batch_op.drop_column('previous_refresh_jti')

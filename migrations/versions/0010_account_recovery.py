"""account recovery

Revision ID: 0010
Revises: 0005
Create Date: 2026-12-01 00:28:33.055193

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_account_tokens_token_hash'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_key', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(timezone=True), nullable=True))

    # Existing addresses get their comparison key (the domain lower-cased, the local part as
    # given); where two accounts share one, the older keeps it and the other has none to
    # sign in or recover with until it sets one. None of them counts as verified.
    users = sa.table('users', sa.column('id', sa.Integer), sa.column('email', sa.String),
                     sa.column('email_key', sa.String))
    bind = op.get_bind()
    taken = set()
    rows = bind.execute(sa.select(users.c.id, users.c.email).where(users.c.email.is_not(None))
                        .order_by(users.c.id)).all()
    for user_id, email in rows:
        local, _, domain = email.rpartition('@')
        key = f"{local}@{domain.lower()}" if local else None
        if key and key not in taken:
            taken.add(key)
            bind.execute(users.update().where(users.c.id == user_id).values(email_key=key))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f('uq_users_email_key'), ['email_key'])



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_users_email_key'), type_='unique')
        batch_op.drop_column('email_verified_at')
        batch_op.drop_column('email_key')

    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_tokens_expires_at'))

    op.drop_table('account_tokens')

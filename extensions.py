"""The app's extension singletons, unbound until create_app() calls init_app().

flask-jwt-extended's manager lives in auth/tokens.py: its class is ours (the optional
verified-token cache, auth/token_cache.py), and this module imports nothing of the app.
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    # Stable constraint names, so that Alembic can alter them later on every backend.
    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def update(self, data: Mapping[str, Any]) -> None:
        for key, value in data.items():
            setattr(self, key, value)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()

if TYPE_CHECKING:  # mypy cannot subclass `db.Model` (python/mypy#8603)
    Model = Base
else:
    Model = db.Model

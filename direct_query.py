"""Core SELECTs for the hot path, run straight on the driver's cursor.

A protected request's revocation check is one primary-key lookup of about 10 µs, but
SQLAlchemy's Connection (autobegin, execution context, result wrapping) around it cost
three times that again. A DirectQuery is still written with Core, compiled once per
dialect, and its rows still pass through the columns' result processors; it only skips
the execution layer. Driver errors become SQLAlchemy's (so an unreachable database is a
503 like anywhere else), and a connection the driver reports as lost is invalidated
rather than returned to the pool.
"""

import contextlib
import weakref
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine, Select, exc
from sqlalchemy.engine import Dialect


class _Prepared:
    def __init__(self, stmt: Select, dialect: Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = str(compiled)
        self.compiled = compiled
        self.types = [column.type.dialect_impl(dialect) for column in stmt.selected_columns]
        self.dialect = dialect
        # (column index, processor) for the columns that have one; None until learned.
        self.processors: list[tuple[int, Callable[[Any], Any]]] | None = None

    def learn(self, description: Any) -> None:
        # A type's processor can depend on the driver's type code (psycopg's numerics).
        processors = [
            type_.result_processor(self.dialect, column[1])
            for type_, column in zip(self.types, description, strict=True)
        ]
        self.processors = [(i, process) for i, process in enumerate(processors) if process]

    def arguments(self, params: Mapping[str, Any]) -> Any:
        bound = self.compiled.construct_params(dict(params))
        if self.compiled.positional:
            return tuple(bound[name] for name in self.compiled.positiontup or ())
        return bound

    def process(self, row: tuple) -> tuple:
        assert self.processors is not None
        if not self.processors:
            return tuple(row)
        values = list(row)
        for i, process in self.processors:
            if values[i] is not None:
                values[i] = process(values[i])
        return tuple(values)


class DirectQuery:
    """A SELECT whose parameters are values the driver takes as they are (int, str)."""

    def __init__(self, stmt: Select) -> None:
        self.stmt = stmt
        self._prepared: weakref.WeakKeyDictionary[Dialect, _Prepared] = weakref.WeakKeyDictionary()

    def all(self, engine: Engine, params: Mapping[str, Any]) -> list[tuple]:
        prepared = self._prepared.get(engine.dialect)
        if prepared is None:
            prepared = self._prepared[engine.dialect] = _Prepared(self.stmt, engine.dialect)
        dbapi_error = engine.dialect.loaded_dbapi.Error
        arguments = prepared.arguments(params)
        try:
            connection = engine.raw_connection()
        except dbapi_error as error:
            raise _wrapped(prepared, arguments, error) from error
        cursor = None
        try:
            cursor = connection.cursor()
            cursor.execute(prepared.sql, arguments)
            rows = cursor.fetchall()
            if prepared.processors is None:
                prepared.learn(cursor.description)
        except dbapi_error as error:
            if engine.dialect.is_disconnect(error, connection.dbapi_connection, cursor):
                connection.invalidate(error)
            raise _wrapped(prepared, arguments, error) from error
        finally:
            if cursor is not None:
                with contextlib.suppress(dbapi_error):  # failed above, or the connection is gone
                    cursor.close()
            connection.close()  # back to the pool (rolled back), or discarded if invalid
        return [prepared.process(row) for row in rows]

    def first(self, engine: Engine, params: Mapping[str, Any]) -> tuple | None:
        rows = self.all(engine, params)
        return rows[0] if rows else None


def _wrapped(prepared: _Prepared, arguments: Any, error: Exception) -> exc.DBAPIError:
    # Tokens' ids are the parameters: kept out of messages and logs.
    wrapped = exc.DBAPIError.instance(
        prepared.sql, arguments, error, type(error), hide_parameters=True
    )
    assert isinstance(wrapped, exc.DBAPIError)
    return wrapped

"""The Flask class this app runs on."""

from collections.abc import Callable
from inspect import iscoroutinefunction
from types import MethodType
from typing import Any
from weakref import WeakKeyDictionary

from flask import Flask


class App(Flask):
    """Flask, remembering which functions are coroutine functions.

    Flask asks `inspect.iscoroutinefunction` of every hook and view on every request
    (`ensure_sync`, which its documentation offers for overriding): 17 times for a GET
    /me, which with the metrics' label lookups was about 4% of its instructions
    (callgrind). A function's kind does not change, so the answer is kept
    per function, weakly so that a discarded function takes its entry with it. Bound
    methods are made afresh on each access and are asked each time, as before.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._coroutine: WeakKeyDictionary[Callable[..., Any], bool] = WeakKeyDictionary()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if isinstance(func, MethodType):
            return super().ensure_sync(func)
        try:
            coroutine = self._coroutine.get(func)
        except TypeError:  # not weakly referenceable (a builtin): asked each time
            return super().ensure_sync(func)
        if coroutine is None:
            coroutine = self._coroutine[func] = iscoroutinefunction(func)
        return self.async_to_sync(func) if coroutine else func

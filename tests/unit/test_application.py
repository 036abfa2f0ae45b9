"""The Flask subclass's remembered ensure_sync verdicts."""

import gc

from web.application import App


def test_a_plain_function_is_returned_as_is_and_remembered_weakly():
    app = App(__name__)

    def view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view
    assert len(app._coroutine) == 1
    del view
    gc.collect()
    assert len(app._coroutine) == 0  # a per-request closure leaves nothing behind


def test_a_coroutine_function_is_still_handed_to_async_to_sync_every_time():
    app = App(__name__)
    wrapped = []
    app.async_to_sync = lambda func: wrapped.append(func) or func  # type: ignore[method-assign]

    async def view() -> str:
        return "ok"

    app.ensure_sync(view)
    app.ensure_sync(view)
    assert wrapped == [view, view]


def test_bound_methods_are_not_kept():
    app = App(__name__)

    class View:
        def get(self) -> str:
            return "ok"

    bound = View().get  # alive while asked, so an entry would show

    assert app.ensure_sync(bound)() == "ok"
    assert len(app._coroutine) == 0

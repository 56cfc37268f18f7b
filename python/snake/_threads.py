"""Thread control for the `_mt` kernels: one process-wide setting.

- ``snake.set_num_threads(n)`` / ``snake.get_num_threads()``;
- ``with snake.threads(n): ...`` sets it for a block and restores it;
- ``SNAKE_NUM_THREADS=n`` in the environment at import;
- threadpoolctl: ``threadpool_limits(1)`` limits snake too (it shows up in
  ``threadpool_info()`` with ``user_api="snake"``), when threadpoolctl is
  installed; snake does not depend on it.
"""
from __future__ import annotations

import contextlib
import os
import warnings

from . import _snake
from ._snake import get_num_threads, set_num_threads


@contextlib.contextmanager
def threads(n: int):
    """Use `n` threads in `_mt` kernels inside the block, then restore.

    The setting is process-wide, like ``threadpool_limits``: other Python
    threads see it while the block runs.

    >>> import snake
    >>> with snake.threads(1):
    ...     snake.get_num_threads()
    1
    """
    old = get_num_threads()
    set_num_threads(n)
    try:
        yield
    finally:
        set_num_threads(old)


def threads_from_env(environ=os.environ) -> None:
    """Apply SNAKE_NUM_THREADS, warning (not failing) on a bad value."""
    value = environ.get("SNAKE_NUM_THREADS", "").strip()
    if not value:
        return
    try:
        n = int(value)
        if n < 1:
            raise ValueError
    except ValueError:
        warnings.warn(f"SNAKE_NUM_THREADS={value!r} is not a positive integer; ignored",
                      RuntimeWarning, stacklevel=3)
        return
    set_num_threads(n)


def register_threadpoolctl(version: str) -> None:
    """Teach threadpoolctl (>= 3.5, if installed) about snake's pool."""
    try:
        import threadpoolctl
    except ImportError:
        return
    if not hasattr(threadpoolctl, "register"):
        return

    class SnakeController(threadpoolctl.LibController):
        user_api = "snake"
        internal_api = "snake"
        filename_prefixes = (os.path.basename(_snake.__file__).split(".")[0],)

        def get_num_threads(self):
            return get_num_threads()

        def set_num_threads(self, num_threads):
            set_num_threads(max(1, int(num_threads)))

        def get_version(self):
            return version

    threadpoolctl.register(SnakeController)

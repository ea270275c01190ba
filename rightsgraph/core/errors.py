"""The errors rightsgraph raises on purpose, under one base class.

Each says what failed and where (the file, paragraph, store, query or address) in its
message, and carries the exit code the command line ends with when it stops on it:

* ``0`` success;
* ``1`` something given could not be processed: a file, a document, a store, a download
  (:class:`RightsgraphError` and most subclasses);
* ``2`` the command could not run as asked: bad arguments, an unparsable or refused query, an
  RDF file that cannot be read (:class:`UsageError` and the errors marked so);
* ``3`` the server could not start: its address is in use or unknown, or its query workers
  did not start (:class:`ServeError`; uvicorn's own startup failures exit 3 too).

HTTP errors of the server (:class:`rightsgraph.api.protocol.RefusedError`,
:class:`rightsgraph.api.pool.QueryError`) are subclasses as well and carry an HTTP status.
"""
from __future__ import annotations

from typing import ClassVar

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SERVE = 3


class RightsgraphError(Exception):
    """An error rightsgraph reports to its user; the message names what and where."""

    exit_code: ClassVar[int] = EXIT_FAILED


class UsageError(RightsgraphError):
    """The command cannot run as asked (bad arguments, an unreadable query file)."""

    exit_code = EXIT_USAGE


class ServeError(RightsgraphError):
    """The server cannot start."""

    exit_code = EXIT_SERVE

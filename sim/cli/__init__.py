"""The ``mtasim`` command line."""

from ._app import build_parser, main

__all__ = ["build_parser", "main"]

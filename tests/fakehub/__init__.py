"""Loopback fake Hugging Face Hub for tests (see :mod:`tests.fakehub.server`)."""

from .server import FakeHub, FakeRepo

__all__ = ["FakeHub", "FakeRepo"]

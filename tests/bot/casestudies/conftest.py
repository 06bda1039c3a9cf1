"""Case studies are tested over the real, empty knowledge base of tests/conftest.py, not over the
recording one (with sample documents) that the adapter tests under tests/bot share."""

from tests.conftest import kb  # noqa: F401  (the fixture, for this folder)

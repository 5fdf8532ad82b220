"""The feedback tests' ``subject`` fixture (``tests.unit.feedback.world``)."""

from tests.unit.feedback.world import subject  # noqa: F401 - a fixture

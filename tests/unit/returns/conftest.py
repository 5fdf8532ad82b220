"""The returns tests' shared fixtures."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.unit.returns.test_return_training_workforce import _returns_of


@pytest.fixture
def october(contracted) -> SimpleNamespace:
    """The contracted provider's open returns (October's as ``ret``) and its submitter."""
    return SimpleNamespace(
        provider=contracted.provider,
        contract=contracted.contract,
        ret=contracted.ret,
        returns=_returns_of(contracted.contract),
        user=contracted.submitter,
        branch=contracted.branch,
    )

"""The one disclosure rule: at least 3 providers, none dominant (ONS), and what counts as a
wide enough range for a hidden figure."""

from portal.disclosure.rule import dominated, must_hide, protected, too_few


def test_a_figure_needs_three_providers():
    assert too_few([5, 2]) and must_hide([5, 2])
    assert not too_few([1, 1, 1]) and not must_hide([1, 1, 1])
    # Providers counted with nobody in the figure do not count.
    assert must_hide([4, 3, 0, 0])
    # A figure with nobody in it is a known zero, not hidden.
    assert not must_hide([]) and not must_hide([0, 0])


def test_no_provider_may_dominate_a_figure():
    # ONS: total minus the two largest must be at least 10% of the largest.
    assert dominated([20, 1, 1])  # 22 - 21 = 1 < 2
    assert not dominated([20, 1, 1, 1])  # 23 - 21 = 2 >= 2
    assert must_hide([40, 10, 3])  # 53 - 50 = 3 < 4, though 3 providers
    assert not must_hide([10, 10, 1])  # 21 - 20 = 1 >= 1


def test_a_hidden_figure_is_protected_only_by_a_wide_range():
    assert protected(5, 2, 8) and protected(1, 0, 4) and protected(0, 0, float("inf"))
    assert not protected(5, 3, 8)  # the lower bound is too close
    assert not protected(5, 2, 7)  # the upper bound is too close
    assert not protected(2, 2, 2)  # worked out exactly

"""Disclosure control for everything the provider forum sees (docs/disclosure.md).

``rule`` is the one rule for a figure (at least 3 providers, none dominant, and how wide a
hidden figure's range must be); ``suppression`` hides cells over linked tables jointly;
``auditor`` checks what was published, independently of the suppressor."""

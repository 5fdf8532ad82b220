"""The provider API: a provider's own systems send and read staff and training records
with an API key (``auth``), checked and imported by the same rules as the bulk upload
(``records``). ``keys`` is the page where provider managers make and revoke keys; ``v1``
the JSON endpoints. See docs/api.md."""

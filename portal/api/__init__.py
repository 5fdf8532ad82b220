"""The provider API: a provider's own systems send and read staff and training records
with an API key (``auth``), checked and imported by the same rules as the bulk upload
(``records``); ``v1`` the JSON endpoints. Provider managers make and revoke keys on
``portal.provider.api_keys``. See docs/api.md."""

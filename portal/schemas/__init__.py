"""**Domain**: marshmallow schemas, written once, for what comes in and goes out of the
portal: each section's answers (``sections``), staff and training rows keyed by the
ASC-WDS columns (``records``), the returns, versions, comments, KPI results, matrix cells
and receipts the API answers with (``resources``), and a feedback report's figures
(``feedback``). Answer and row schemas hand their values to the rule functions
(``kpis.parse_counts``, ``workforce_rules.parse_workforce``, ``staff_rules.validate_*``...),
and the web forms and the file uploads load through these schemas too, so a bad value gets
one message whichever way it came. The OpenAPI document (``portal.api.openapi``) is
generated from these schemas."""

"""**Domain**: marshmallow schemas, written once, for what comes in and goes out of the
portal: each section's answers (``sections``), and the returns, versions, comments, KPI
results and receipts the API answers with (``resources``). Answer schemas hand their
values to the sections' own rule functions (``kpis.parse_counts``,
``workforce_rules.parse_workforce``...), the same ones the web form and the section file
upload call, so a bad value gets one message whichever way it came. The OpenAPI document
(``portal.api.openapi``) is generated from these schemas."""

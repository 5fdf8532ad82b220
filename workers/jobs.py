"""Warming a worker process: import every job handler and the PDF and chart libraries once
before RQ forks a work-horse per job. The job-row machinery is ``portal.background.jobs``."""

from __future__ import annotations

HANDLER_MODULES = (
    "workers.feedback",
    "workers.imports",
    "workers.notifications",
    "workers.packs",
    "portal.uploads.importing",
)


def _load_handlers() -> None:
    """Import every handler module (handlers are found by dotted name; this only warms)."""
    import importlib

    for name in HANDLER_MODULES:
        importlib.import_module(name)


DOCUMENT_TEMPLATES = (
    "council/packs/documents/provider_pack.html",
    "council/packs/documents/framework_pack.html",
    "provider/feedback/report_pdf.html",
)


def preload(app=None) -> None:
    """Import every handler and the PDF and chart libraries once, in the worker process,
    so each forked job starts warm (about 0.8 s saved per pack). With the app, also
    compile the document templates and draw one chart and one PDF: fonts, Pango and the
    compiled templates are then inherited by every fork, not set up again by each job
    (about 0.15 s a pack)."""
    _load_handlers()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401
    import weasyprint

    if app is None:
        return
    from portal.pdf import line_chart

    for name in DOCUMENT_TEMPLATES:
        app.jinja_env.get_template(name)
    line_chart("Warm-up", ["a", "b"], {"warm-up": [1.0, 2.0]}, target=1.5, y_label="%")
    weasyprint.HTML(string="<table><tr><td>Warm-up</td></tr></table>").write_pdf()

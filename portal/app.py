"""Making the app: configuration, extensions, blueprints and the GOV.UK assets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

REPO_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides what the environment gives (tests use it)."""
    from govuk_frontend_wtf.main import WTFormsHelpers
    from htmx_flask import Htmx

    from portal import cli, display, errors, navigation, notifications, page_header, security
    from portal.auth import sessions
    from portal.background import outbox
    from portal.config import engine_options, from_environment
    from portal.extensions import csrf, db, login_manager, migrate
    from portal.feedback import cli as feedback_cli
    from portal.jinja_templates import PROCESS_BYTECODE_CACHE, PortalTemplate

    app = Flask(
        __name__,
        instance_path=str(REPO_ROOT / "instance"),
        static_folder="static",
        static_url_path="/static",
    )
    app.config.from_mapping(from_environment(app.instance_path))
    if config:
        app.config.update(config)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app.config)
    if not os.environ.get("BASE_URL") and not (config or {}).get("BASE_URL"):
        # Outside production BASE_URL may be left unset; say so at start, because every
        # link in every e-mail starts with it.
        app.logger.warning(
            "BASE_URL is not set: e-mail links will start %s", app.config["BASE_URL"]
        )

    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(REPO_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.template_class = PortalTemplate
    app.jinja_env.bytecode_cache = PROCESS_BYTECODE_CACHE
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    WTFormsHelpers(app)
    Htmx(app)

    db.init_app(app)
    outbox.init_app(app)
    migrate.init_app(app, db, directory=str(REPO_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    sessions.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    display.init_app(app)
    navigation.init_app(app)
    notifications.init_app(app)
    page_header.init_app(app)
    cli.init_app(app)
    feedback_cli.init_app(app)
    _register_blueprints(app)
    _register_assets(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from portal.account.home import bp as pages_bp
    from portal.account.notifications import bp as notifications_bp
    from portal.admin.audit import bp as admin_audit_bp
    from portal.admin.councils import bp as admin_councils_bp
    from portal.admin.cqc_directory import bp as admin_cqc_bp
    from portal.admin.overview import bp as admin_bp
    from portal.admin.users import bp as admin_users_bp
    from portal.api.conversation import bp as api_conversation_bp
    from portal.api.council import bp as api_council_bp
    from portal.api.openapi import bp as api_docs_bp
    from portal.api.returns import bp as api_returns_bp
    from portal.api.uploads import bp as api_uploads_bp
    from portal.api.v1 import bp as api_v1_bp
    from portal.auth.password_reset import bp as reset_bp
    from portal.auth.sign_in import bp as sign_in_bp
    from portal.council.api_keys import bp as council_api_keys_bp
    from portal.council.contract_register import bp as contract_register_bp
    from portal.council.contracts_setup import bp as council_contracts_bp
    from portal.council.council_users import bp as council_users_bp
    from portal.council.frameworks_setup import bp as council_frameworks_bp
    from portal.council.mandatory import bp as mandatory_bp
    from portal.council.overview import bp as council_overview_bp
    from portal.council.packs import bp as packs_bp
    from portal.council.provider_returns import bp as provider_returns_bp
    from portal.council.provider_returns import settings_bp
    from portal.council.provider_risk import bp as risk_bp
    from portal.council.quality import bp as quality_bp
    from portal.council.returns_overview import bp as returns_overview_bp
    from portal.council.review import bp as review_bp
    from portal.council.training_matrix import bp as training_matrix_bp
    from portal.council.your_providers import bp as council_bp
    from portal.forum.training_gaps import bp as forum_bp
    from portal.provider.api_keys import bp as api_keys_bp
    from portal.provider.branches import bp as provider_branches_bp
    from portal.provider.commentary import bp as commentary_bp
    from portal.provider.feedback import bp as feedback_bp
    from portal.provider.organisation_users import bp as users_bp
    from portal.provider.returns import bp as returns_bp
    from portal.provider.risk import bp as your_risk_bp
    from portal.provider.section_uploads import bp as section_uploads_bp
    from portal.provider.training_demand import bp as provider_training_demand_bp
    from portal.provider.uploads import bp as uploads_bp

    for bp in (
        pages_bp,
        sign_in_bp,
        reset_bp,
        returns_bp,
        provider_returns_bp,
        settings_bp,
        review_bp,
        users_bp,
        council_bp,
        risk_bp,
        quality_bp,
        your_risk_bp,
        returns_overview_bp,
        council_overview_bp,
        training_matrix_bp,
        packs_bp,
        commentary_bp,
        mandatory_bp,
        forum_bp,
        admin_bp,
        admin_councils_bp,
        admin_users_bp,
        admin_audit_bp,
        admin_cqc_bp,
        council_frameworks_bp,
        council_contracts_bp,
        contract_register_bp,
        council_users_bp,
        provider_branches_bp,
        notifications_bp,
        uploads_bp,
        api_keys_bp,
        api_v1_bp,
        api_returns_bp,
        api_council_bp,
        api_conversation_bp,
        api_uploads_bp,
        api_docs_bp,
        council_api_keys_bp,
        section_uploads_bp,
        feedback_bp,
        provider_training_demand_bp,
    ):
        app.register_blueprint(bp)


def _register_assets(app: Flask) -> None:
    """Serve GOV.UK Frontend's built assets at /assets (its CSS uses absolute URLs)."""
    from flask import send_from_directory

    from portal.access import public

    assets_dir = Path(app.static_folder or "") / "assets"

    @public
    def assets(filename: str):
        return send_from_directory(assets_dir, filename, max_age=3600)

    app.add_url_rule("/assets/<path:filename>", endpoint="assets", view_func=assets)
    app.view_functions["static"] = public(app.view_functions["static"])

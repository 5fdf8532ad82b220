"""The service navigation: what each role sees in the header menu."""

from __future__ import annotations

from flask import Flask, url_for

from portal.models import Membership, Role


def navigation_items(membership: Membership | None, endpoint: str | None) -> list[dict]:
    if membership is None:
        return []
    items: list[tuple[str, str, dict]] = []
    role = membership.role
    if role.at_provider:
        items.append(
            ("Your returns", "monthly_return.your_returns", {"provider_id": membership.provider_id})
        )
        items.append(
            ("Your risk rating", "your_risk.your_risk", {"provider_id": membership.provider_id})
        )
        items.append(
            ("Branches", "provider_branches.branches_list", {"provider_id": membership.provider_id})
        )
        if role is Role.PROVIDER_MANAGER:
            items.append(
                ("Users", "organisation_users.list_users", {"provider_id": membership.provider_id})
            )
    elif role is Role.COMMISSIONER:
        items.append(
            (
                "Your providers",
                "your_providers.your_providers",
                {"council_id": membership.council_id},
            )
        )
        items.append(
            ("Returns", "returns_overview.overview", {"council_id": membership.council_id})
        )
        items.append(
            ("Provider risk", "provider_risk.provider_risk", {"council_id": membership.council_id})
        )
        items.append(
            ("Council overview", "council_overview.overview", {"council_id": membership.council_id})
        )
        items.append(
            (
                "Training matrix",
                "training_matrix.training_matrix",
                {"council_id": membership.council_id},
            )
        )
        items.append(("Packs", "contract_packs.packs", {"council_id": membership.council_id}))
        items.append(
            (
                "Return deadlines",
                "return_settings.return_settings",
                {"council_id": membership.council_id},
            )
        )
        items.append(
            ("API keys", "council_api_keys.api_keys", {"council_id": membership.council_id})
        )
        if membership.council_admin:
            for text, target in (
                ("Frameworks", "council_frameworks.frameworks_list"),
                ("Contracts", "council_contracts.contracts_list"),
                ("Council users", "council_users.users"),
                ("Changes", "council_users.changes"),
            ):
                items.append((text, target, {"council_id": membership.council_id}))
    elif role is Role.QA_OFFICER:
        items.append(
            ("Provider risk", "provider_risk.provider_risk", {"council_id": membership.council_id})
        )
        items.append(
            ("Returns", "returns_overview.overview", {"council_id": membership.council_id})
        )
        items.append(
            ("Council overview", "council_overview.overview", {"council_id": membership.council_id})
        )
    elif role is Role.FORUM_MEMBER:
        items.append(
            ("Training gaps", "training_gaps.training_gaps", {"council_id": membership.council_id})
        )
    elif role is Role.ADMIN:
        items.append(("Councils and providers", "admin.overview", {}))
        items.append(("Users", "admin_users.users", {}))
        items.append(("Changes", "admin_audit.audit", {}))
        items.append(("CQC directory", "admin_cqc_directory.cqc_directory_upload", {}))
        items.append(("Background jobs", "admin.jobs", {}))
    current_blueprint = (endpoint or "").split(".")[0]
    return [
        {
            "text": text,
            "href": url_for(target, **values),
            "current": endpoint == target,
            "active": endpoint != target and current_blueprint == target.split(".")[0],
        }
        for text, target, values in items
    ]


def init_app(app: Flask) -> None:
    app.add_template_global(navigation_items)

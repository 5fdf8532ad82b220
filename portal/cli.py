"""Command-line tasks: ``flask --app wsgi seed-demo``, ``flask --app wsgi create-user`` and
``flask --app wsgi build-pack``."""

from __future__ import annotations

import os

import click
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Council, Membership, Provider, Role, User


def init_app(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_user)
    app.cli.add_command(build_pack)


@click.command("seed-demo")
@click.option(
    "--history/--no-history",
    default=True,
    help="Also load staff records and two months of submitted returns (made-up figures).",
)
def seed_demo(history: bool) -> None:
    """Load the demo councils, providers, contracts and one user per role. Safe to re-run."""
    from portal.clock import today
    from portal.demo.seed import DEMO_PASSWORD_ENV, load_demo

    summary = load_demo(today())
    click.echo(
        f"Demo data: {summary.councils} councils, {summary.providers} providers, "
        f"{summary.contracts} contracts ({summary.created} rows added this run)."
    )
    if history:
        from portal.demo.history import load_history

        added = load_history(today())
        click.echo(f"Demo history: staff records and submitted returns ({added} added this run).")
    click.echo(f"Demo sign-ins (password: {summary.password}, set {DEMO_PASSWORD_ENV} to change):")
    for email, role, organisation in summary.sign_ins:
        click.echo(f"  {email:<40} {role:<20} {organisation}")


@click.command("create-user")
@click.argument("email")
@click.option("--role", "role_value", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", default=None, help="Full name (default: the part of EMAIL before @).")
@click.option("--provider", "provider_name", default=None, help="Provider name (provider roles).")
@click.option("--council", "council_name", default=None, help="Council name (council roles).")
def create_user(
    email: str,
    role_value: str,
    name: str | None,
    provider_name: str | None,
    council_name: str | None,
) -> None:
    """Create a user with a role. The password comes from PORTAL_PASSWORD or a prompt."""
    from portal.auth.password_reset import banned_words
    from portal.auth.passwords import hash_password, password_problem

    role = Role(role_value)
    email = email.strip().lower()
    membership = Membership(role=role)
    if role.at_provider:
        if not provider_name:
            raise click.UsageError(f"--provider is needed for the role {role.value}")
        provider = db.session.scalar(select(Provider).where(Provider.name == provider_name))
        if provider is None:
            raise click.UsageError(f"There is no provider called {provider_name!r}")
        membership.provider = provider
    elif role.at_council:
        if not council_name:
            raise click.UsageError(f"--council is needed for the role {role.value}")
        council = db.session.scalar(select(Council).where(Council.name == council_name))
        if council is None:
            raise click.UsageError(f"There is no council called {council_name!r}")
        membership.council = council
    if db.session.scalar(select(User).where(User.email == email)) is not None:
        raise click.UsageError(f"A user with the email address {email} already exists")
    password = os.environ.get("PORTAL_PASSWORD") or click.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    problem = password_problem(password, banned_words())
    if problem:
        raise click.UsageError(problem)
    user = User(
        email=email, name=name or email.split("@")[0], password_hash=hash_password(password)
    )
    user.memberships.append(membership)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {email} as {role.label} at {membership.organisation_name}.")


def _one_named(model, name: str, what: str, *where):
    """The row whose name is ``name`` (any case), else the only one whose name contains it.
    Refuses, saying which names there are, when none or several match."""
    rows = list(db.session.scalars(select(model).where(*where).order_by(model.name)))
    wanted = name.strip().casefold()
    exact = [r for r in rows if r.name.casefold() == wanted]
    found = exact or [r for r in rows if wanted and wanted in r.name.casefold()]
    if len(found) == 1:
        return found[0]
    if found:
        names = ", ".join(r.name for r in found)
        raise click.ClickException(f"More than one {what} matches {name!r}: {names}")
    raise click.ClickException(f"There is no {what} called {name!r}")


@click.command("build-pack")
@click.option("--council", "council_name", required=True, help="Council name (or a unique part).")
@click.option("--provider", "provider_name", help="Provider name (or a unique part).")
@click.option("--framework", "framework_name", help="Framework name: builds its summary pack.")
@click.option("--quarter", required=True, help="Calendar quarter, for example 2026-Q3.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, writable=True),
    help="Folder to write the PDF and XLSX to (made if need be).",
)
def build_pack(
    council_name: str,
    provider_name: str | None,
    framework_name: str | None,
    quarter: str,
    out_dir: str,
) -> None:
    """Write a quarterly contract meeting pack (PDF and XLSX) for a provider, or with
    --framework a framework summary pack, without the web pages or a worker."""
    from portal.models import Framework
    from portal.packs.build import build_framework_pack
    from portal.packs.build import build_pack as build_provider_pack
    from portal.packs.months import PackError
    from portal.returns.calendar import parse_quarter

    if (provider_name is None) == (framework_name is None):
        raise click.UsageError("Give either --provider or --framework")
    if parse_quarter(quarter) is None:
        raise click.BadParameter(
            f"{quarter!r} is not a quarter: use a year and quarter number, like 2026-Q3",
            param_hint="--quarter",
        )
    council = _one_named(Council, council_name, "council")
    try:
        if provider_name is not None:
            provider = _one_named(Provider, provider_name, "provider")
            pdf, xlsx, stem = build_provider_pack(council.id, provider.id, quarter)
        else:
            framework = _one_named(
                Framework, framework_name, f"framework at {council.name}",
                Framework.council_id == council.id,
            )  # fmt: skip
            pdf, xlsx, stem = build_framework_pack(council.id, framework.id, quarter)
    except PackError as error:
        raise click.ClickException(str(error)) from error
    os.makedirs(out_dir, exist_ok=True)
    for extension, content in (("pdf", pdf), ("xlsx", xlsx)):
        path = os.path.join(out_dir, f"{stem}.{extension}")
        with open(path, "wb") as handle:
            handle.write(content)
        click.echo(f"Wrote {path} ({len(content):,} bytes)")

"""Command-line tasks: ``flask --app wsgi seed-demo`` and ``flask --app wsgi create-user``."""

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


@click.command("seed-demo")
@click.option(
    "--history/--no-history",
    default=True,
    help="Also load staff records and two months of submitted returns (made-up figures).",
)
def seed_demo(history: bool) -> None:
    """Load the demo councils, providers, contracts and one user per role. Safe to re-run."""
    from portal.demo_seed import DEMO_PASSWORD_ENV, load_demo

    summary = load_demo()
    click.echo(
        f"Demo data: {summary.councils} councils, {summary.providers} providers, "
        f"{summary.contracts} contracts ({summary.created} rows added this run)."
    )
    if history:
        from portal.demo_history import load_history
        from portal.returns.service import today

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

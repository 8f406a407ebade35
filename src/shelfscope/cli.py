"""The `shelfscope` command: serve, worker, db, users, images, models, trainers, vectors, version."""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from shelfscope import __version__
from shelfscope.config import Settings

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="Shelfscope: self-hosted retail shelf vision."
)
db_app = typer.Typer(no_args_is_help=True, help="Database migrations.")
users_app = typer.Typer(no_args_is_help=True, help="Accounts.")
images_app = typer.Typer(no_args_is_help=True, help="Image library maintenance.")
models_app = typer.Typer(
    no_args_is_help=True, help="AI model weights: list, fetch from the hub, import a folder."
)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(images_app, name="images")
app.add_typer(models_app, name="models")
trainers_app = typer.Typer(
    no_args_is_help=True, help="Detector trainer families and their environments (YOLO-NAS runs in its own)."
)
app.add_typer(trainers_app, name="trainers")
vectors_app = typer.Typer(
    no_args_is_help=True, help="The vector index: list its collections, rebuild them from the database."
)
app.add_typer(vectors_app, name="vectors")


def _settings(**overrides: object) -> Settings:
    settings = Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return settings


def _migrate(settings: Settings) -> None:
    from shelfscope.db.migrate import upgrade

    upgrade(settings.resolved_database_url)


version_app = typer.Typer(help="Print this program's version; `version create` makes a dataset version.")
app.add_typer(version_app, name="version")


@version_app.callback(invoke_without_command=True)
def version(ctx: typer.Context) -> None:
    """Print the version (`shelfscope version create ...` makes a dataset version on a server)."""
    if ctx.invoked_subcommand is None:
        typer.echo(f"shelfscope {__version__}")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Local job worker processes.")] = None,
) -> None:
    """Apply migrations, start the job workers and serve the API and web app."""
    import uvicorn

    from shelfscope.app import create_app
    from shelfscope.auth.service import first_admin_link
    from shelfscope.context import AppContext

    settings = _settings(host=host, port=port, local_workers=workers)
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    _migrate(settings)
    ctx = AppContext.from_settings(settings)
    with ctx.db.writer() as session:
        link = first_admin_link(session, settings)
    typer.echo(
        f"Shelfscope {__version__} at {settings.resolved_public_url} "
        f"(database: {'SQLite' if settings.is_sqlite else 'PostgreSQL'}, "
        f"storage: {settings.storage_backend}, runner: {settings.runner})"
    )
    if link:
        typer.echo("No users yet. Open this one-time link to become the first admin:")
        typer.echo(f"  {link}")
    sys.stdout.flush()
    try:
        uvicorn.run(
            create_app(ctx),
            host=settings.host,
            port=settings.port,
            log_level=settings.log_level,
            proxy_headers=False,
        )
    finally:
        ctx.close()


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Parallel jobs in this worker.")] = None,
    queue: Annotated[
        list[str] | None,
        typer.Option(
            help="Job queues to consume: default, ml, interactive (repeat or comma-separate; all when "
            "omitted). A GPU machine runs `--queue ml,interactive`."
        ),
    ] = None,
) -> None:
    """Run a Celery worker that executes jobs (needs SHELFSCOPE_RUNNER=celery)."""
    settings = _settings()
    if settings.runner != "celery":
        typer.echo(
            "`shelfscope worker` serves the celery runner; set SHELFSCOPE_RUNNER=celery. "
            "With the local runner, `shelfscope serve` runs the workers itself.",
            err=True,
        )
        raise typer.Exit(2)
    from shelfscope.jobs.runners.celery import parse_queues, run_celery_worker

    try:
        parse_queues(settings, queue)
    except ValueError as exc:
        typer.echo(f"--queue: {exc}", err=True)
        raise typer.Exit(2) from None
    _migrate(settings)
    run_celery_worker(settings, concurrency, queue)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations."""
    settings = _settings()
    _migrate(settings)
    typer.echo("database is up to date")


@db_app.command("current")
def db_current() -> None:
    """Print the database's migration revision."""
    from shelfscope.db import Database
    from shelfscope.db.migrate import current_revision, head_revision

    db = Database.from_settings(_settings())
    typer.echo(f"current: {current_revision(db.engine)}  head: {head_revision()}")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="admin, annotator or viewer.")] = "annotator",
    display_name: Annotated[str, typer.Option(help="Name shown in the app.")] = "",
) -> None:
    """Create a user and print their one-time link to set a password."""
    from shelfscope.db import Database
    from shelfscope.errors import ShelfscopeError
    from shelfscope.users.schemas import UserCreateIn
    from shelfscope.users.service import create_user

    settings = _settings()
    _migrate(settings)
    try:
        body = UserCreateIn.model_validate({"username": username, "role": role, "display_name": display_name})
    except ValueError as exc:
        typer.echo(f"invalid user: {exc}", err=True)
        raise typer.Exit(2) from None
    db = Database.from_settings(settings)
    try:
        with db.writer() as session:
            user, link = create_user(session, settings, body.username, body.role, body.display_name)
    except ShelfscopeError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"created {user.username} ({user.role}). One-time link to set the password:")
    typer.echo(f"  {link.url}")


@users_app.command("link")
def users_link(username: str) -> None:
    """Print a new one-time link to set a user's password (a lost invite, or a forgotten password)."""
    from sqlalchemy import select

    from shelfscope.auth.models import User
    from shelfscope.auth.service import normalize_username
    from shelfscope.db import Database
    from shelfscope.errors import ShelfscopeError
    from shelfscope.users.service import issue_setup_link

    settings = _settings()
    _migrate(settings)
    db = Database.from_settings(settings)
    try:
        with db.writer() as session:
            user_id = session.scalar(select(User.id).where(User.username == normalize_username(username)))
            if user_id is None:
                typer.echo(f"no user named {username!r}", err=True)
                raise typer.Exit(1)
            user, link = issue_setup_link(session, settings, user_id)
    except ShelfscopeError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from None
    typer.echo(f"One-time link for {user.username} to set a new password (earlier links stop working):")
    typer.echo(f"  {link.url}")


@users_app.command("token")
def users_token(
    username: str,
    name: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
) -> None:
    """Create an API token for a user and print it (shown once)."""
    from sqlalchemy import select

    from shelfscope.auth.models import User
    from shelfscope.auth.service import create_api_token, normalize_username
    from shelfscope.db import Database

    settings = _settings()
    db = Database.from_settings(settings)
    with db.writer() as session:
        user = session.scalars(
            select(User).where(User.username == normalize_username(username))
        ).one_or_none()
        if user is None:
            typer.echo(f"no user named {username!r}", err=True)
            raise typer.Exit(1)
        _, secret = create_api_token(session, user, name, None)
    typer.echo(secret)


@images_app.command("import")
def images_import(folder: Path) -> None:
    """Add every image file under a folder on this machine to the library."""
    from shelfscope.db import Database
    from shelfscope.od.images.ingest import ingest_folder
    from shelfscope.storage import open_storage

    if not folder.is_dir():
        typer.echo(f"{folder} is not a folder", err=True)
        raise typer.Exit(2)
    settings = _settings()
    _migrate(settings)
    db = Database.from_settings(settings)
    with db.writer() as session:
        counts = ingest_folder(session, open_storage(settings), settings, folder)
    typer.echo(f"stored {counts['stored']}, duplicates {counts['duplicate']}, rejected {counts['rejected']}")


def _size(size: int) -> str:
    return f"{size / 1e9:.2f} GB" if size >= 1e9 else f"{size / 1e6:.1f} MB"


@models_app.command("list")
def models_list() -> None:
    """Every catalogue model: task, whether its weights are here, size and licence."""
    from shelfscope.ml.catalogue import CATALOGUE
    from shelfscope.ml.weights import is_present, model_dir, size_on_disk

    settings = _settings()
    rows = [("KEY", "TASK", "STATUS", "SIZE", "LICENCE")]
    for spec in CATALOGUE:
        folder = model_dir(settings, spec.key)
        present = is_present(folder)
        size = _size(size_on_disk(folder)) if present else f"~{_size(spec.size_mb * 10**6)}"
        rows.append((spec.key, spec.task, "present" if present else "missing", size, spec.licence))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    typer.echo(f"models folder: {settings.resolved_models_dir}")


@models_app.command("fetch")
def models_fetch(key: str) -> None:
    """Download a model's weights from the hub into the models folder, with a progress line."""
    from shelfscope.errors import ShelfscopeError
    from shelfscope.ml.catalogue import get_spec
    from shelfscope.weights.console import ConsoleReporter, stop_on_interrupt
    from shelfscope.weights.download import download_model

    settings = _settings()
    reporter = ConsoleReporter()
    try:
        spec = get_spec(key)
        with stop_on_interrupt(reporter):
            result = download_model(settings, spec, reporter)
    except ShelfscopeError as exc:
        reporter.end_line()
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2 if exc.status_code == 404 else 1) from None
    except KeyboardInterrupt:
        reporter.end_line()
        typer.echo(f"stopped; nothing was installed for {key}", err=True)
        raise typer.Exit(130) from None
    reporter.end_line()
    typer.echo(f"installed {key}: {result.files} files, {_size(result.size_on_disk)} in {result.folder}")


@models_app.command("import")
def models_import(
    key: str,
    folder: Path,
    replace: Annotated[bool, typer.Option(help="Overwrite the model if it is already installed.")] = False,
) -> None:
    """Copy a save_pretrained folder (config.json and weights) into place as model KEY (offline use)."""
    from shelfscope.errors import ShelfscopeError
    from shelfscope.weights.service import import_model

    try:
        result = import_model(_settings(), key, folder, replace=replace)
    except ShelfscopeError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2 if exc.status_code == 422 else 1) from None
    typer.echo(f"imported {key}: {result.files} files, {_size(result.size_on_disk)} in {result.folder}")


@vectors_app.command("list")
def vectors_list() -> None:
    """Each embedding collection: size, rows in the database, points in the index, and whether they agree."""
    from shelfscope.db import Database
    from shelfscope.vectors import open_vectors
    from shelfscope.vectors.rebuild import statuses

    settings = _settings()
    _migrate(settings)
    index = open_vectors(settings)
    try:
        with Database.from_settings(settings).read() as session:
            found = statuses(session, index)
    finally:
        index.close()
    rows = [("NAME", "DIM", "ROWS", "POINTS", "STATE")]
    for s in found:
        rows.append((s.name, str(s.dim), "-" if s.rows is None else str(s.rows), _opt(s.points), s.state))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if settings.vectors_backend == "embedded":
        where = str(settings.resolved_vectors_dir)
    else:
        where = settings.qdrant_url or str(settings.qdrant_path or settings.data_dir / "qdrant")
    typer.echo(f"vectors: {settings.vectors_backend} ({where})")


def _opt(value: int | None) -> str:
    return "-" if value is None else str(value)


@vectors_app.command("rebuild")
def vectors_rebuild(
    collection: Annotated[
        str | None, typer.Option(help="Only this collection (default: every collection in the database).")
    ] = None,
) -> None:
    """Drop and refill the index's collections from the embeddings stored in the database."""
    from shelfscope.db import Database
    from shelfscope.errors import ShelfscopeError
    from shelfscope.vectors import VectorIndexError, open_vectors
    from shelfscope.vectors.rebuild import rebuild

    settings = _settings()
    _migrate(settings)
    index = open_vectors(settings)
    try:
        with Database.from_settings(settings).read() as session:
            written = rebuild(session, index, collection)
    except ShelfscopeError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2 if exc.status_code in (404, 422) else 1) from None
    except VectorIndexError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None
    finally:
        index.close()
    if not written:
        typer.echo("no embedding collections in the database; nothing to rebuild")
    for name, points in written.items():
        typer.echo(f"rebuilt {name}: {points} points")


def main() -> None:
    app()


def _register_remote_commands() -> None:
    from shelfscope.client.commands import register

    register(app, version_app)


_register_remote_commands()


@trainers_app.command("list")
def trainers_list() -> None:
    """Every trainer family: whether it can train here, and what is missing."""
    from shelfscope.od.trainers.service import describe, family_names

    settings = _settings()
    for family in family_names():
        info = describe(settings, family)
        status = "installed" if info.installed else f"missing: {info.missing}"
        where = f"  ({info.env_folder})" if info.env_folder else ""
        typer.echo(f"{family:<10} {status}{where}")


@trainers_app.command("install")
def trainers_install(
    family: str,
    env_dir: Annotated[
        Path | None, typer.Option(help="Install here instead of DATA_DIR/envs/<family> (tests, CI caches).")
    ] = None,
) -> None:
    """Create the family's own environment (idempotent: an up-to-date one is left as it is)."""
    from shelfscope.errors import ShelfscopeError
    from shelfscope.ml.trainers import yolo_nas
    from shelfscope.od.trainers.service import INSTALLABLE, check_family

    try:
        check_family(family)
    except ShelfscopeError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(2) from None
    if family not in INSTALLABLE:
        typer.echo(f"{family} trains in the main environment; nothing to install.")
        return
    folder = env_dir.resolve() if env_dir is not None else yolo_nas.env_dir(_settings())
    try:
        yolo_nas.install_env(folder, typer.echo)
    except RuntimeError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from None

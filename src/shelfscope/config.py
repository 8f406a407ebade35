"""Settings: the one reader of the environment (prefix SHELFSCOPE_)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_REPO_WEB_DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
_PACKAGED_WEB_DIST = Path(__file__).resolve().parent / "web_dist"


class Settings(BaseSettings):
    """Every knob Shelfscope has. Defaults are the embedded shape: SQLite, local folder, local workers."""

    model_config = SettingsConfigDict(env_prefix="SHELFSCOPE_", env_file=None, extra="ignore")

    # Where the embedded shape keeps everything (database, stored files, job scratch space).
    data_dir: Path = Field(default=Path("shelfscope-data"))
    # SQLAlchemy URL; empty means a SQLite file in data_dir. PostgreSQL: postgresql+psycopg://user@host/db
    database_url: str = ""
    database_echo: bool = False
    # How long a write waits for another transaction's lock (SQLite's one write lock, a PostgreSQL row
    # lock) before it gives up; the API then answers 503 Busy with Retry-After.
    database_busy_timeout_s: float = Field(default=30.0, gt=0)

    host: str = "127.0.0.1"
    port: int = 8000
    # Address people use to reach the server; used in printed links. Empty: http://host:port.
    public_url: str = ""
    # Built web app folder; empty: the one inside the package, else web/dist of a source checkout.
    web_dir: Path | None = None
    log_level: str = "info"

    storage_backend: Literal["local", "s3"] = "local"
    # Folder for the local backend; empty means data_dir/storage.
    storage_dir: Path | None = None
    s3_endpoint_url: str = ""
    s3_bucket: str = "shelfscope"
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_prefix: str = ""
    s3_create_bucket: bool = False

    runner: Literal["local", "celery"] = "local"
    # Worker processes the local runner keeps alive under `shelfscope serve`, one pool per job queue:
    # `default` (imports, exports, versions), `ml` (training, batch inference, model downloads) and
    # `interactive` (a SAM click, detection on one image). 0 for ml or interactive: that queue's jobs
    # run in the default pool instead (no longer kept apart from imports).
    local_workers: int = Field(default=2, ge=1, le=64)
    local_ml_workers: int = Field(default=1, ge=0, le=64)
    local_interactive_workers: int = Field(default=1, ge=0, le=64)
    # How long a request waits for its interactive job (jobs.interactive.call) before it gives up.
    interactive_timeout_s: float = Field(default=60.0, gt=0)
    # Ended interactive jobs (one per SAM click) are deleted this long after they finished; the Jobs
    # page hides them unless asked. 0 keeps them.
    interactive_job_retention_h: float = Field(default=24.0, ge=0)
    broker_url: str = "redis://127.0.0.1:6379/0"
    # Celery queue of default jobs; ml and interactive jobs go to "<celery_queue>.ml" and
    # "<celery_queue>.interactive".
    celery_queue: str = "shelfscope"
    job_heartbeat_s: float = Field(default=2.0, gt=0)
    # A running job with no heartbeat for this long is treated as interrupted.
    job_stale_after_s: float = Field(default=30.0, gt=0)
    # How long a cancelled job may take to stop by itself before its process is killed.
    job_cancel_grace_s: float = Field(default=5.0, ge=0)
    # How often idle local workers look for queued jobs (they are also woken on submit).
    job_poll_s: float = Field(default=1.0, gt=0)
    # Extra modules that register job handlers, imported by the server and every worker
    # (comma-separated in the environment: SHELFSCOPE_JOB_MODULES=acme.jobs,tests.support.job_handlers).
    job_modules: Annotated[list[str], NoDecode] = Field(default_factory=list)

    session_ttl_hours: float = Field(default=24 * 14, gt=0)
    setup_link_ttl_hours: float = Field(default=24, gt=0)
    secure_cookies: bool = False
    login_attempts_per_minute: int = Field(default=10, ge=1)

    # Request bodies are limited before they are read (413): JSON bodies to max_json_body_bytes, the
    # editor save and bulk routes (up to 10,000 boxes or 100,000 ids) to max_bulk_json_body_bytes, a
    # multipart image upload request (many files) to max_upload_request_bytes, and a dataset archive
    # to max_import_upload_bytes.
    max_json_body_bytes: int = Field(default=1024 * 1024, gt=0)
    max_bulk_json_body_bytes: int = Field(default=16 * 1024 * 1024, gt=0)
    max_upload_request_bytes: int = Field(default=2 * 1024**3, gt=0)
    # Largest accepted image file (each file of an upload, a URL import, a synced image).
    max_upload_bytes: int = Field(default=200 * 1024 * 1024, gt=0)
    # Width x height an image may have. 64 MP (8000 x 8000) covers phone and camera photos; decoded,
    # such an image takes 256 MB (Pillow keeps 4 bytes per RGB pixel), the decode budget below.
    max_image_pixels: int = Field(default=64_000_000, gt=0)
    # Memory the image decodes of one process (server or worker) may take together, in MiB. Each
    # decode reserves its estimate (width x height x bytes per pixel, after JPEG draft scaling) before
    # it starts: larger decodes wait for each other, and one that needs more than this is refused.
    decode_memory_mb: int = Field(default=256, ge=16)
    thumbnail_size: int = Field(default=384, ge=32, le=2048)
    # Outbound fetches (URL import, sync) refuse loopback, private, link-local and metadata addresses.
    # Hosts listed here ("host" or "host:port", comma-separated in the environment) are let through
    # anyway: an image server on the local network, or a test server on 127.0.0.1.
    url_fetch_allow_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # One URL's whole fetch (connects, redirects, headers and body), however slowly the server sends.
    url_fetch_timeout_s: float = Field(default=120.0, gt=0)
    # The image source `POST /api/v1/od/images/sync/buybuddy` pulls from (docs/sync-connector.md).
    sync_base_url: str = ""
    sync_token: str = ""

    # ---- dataset import and export (od/imports, od/exports; docs/formats.md) ----
    # Server folders an import may read ({"path": ...} requests); empty: folder imports are refused.
    # Separated by commas or the OS path separator in the environment.
    import_roots: Annotated[list[Path], NoDecode] = Field(default_factory=list)
    # What an import does with an invalid entry (bad box, unknown class, missing image) when the
    # request does not say: "fail" the whole import, or "skip" the entry and report it.
    import_on_invalid: Literal["fail", "skip"] = "fail"
    # Annotations an import writes per transaction (images and memberships: a tenth of this). Other
    # writers wait at most one such transaction; a failed import removes what it had written. An
    # import smaller than this commits in one transaction.
    import_batch_rows: int = Field(default=10_000, ge=1)
    # Largest dataset archive an import accepts as an upload.
    max_import_upload_bytes: int = Field(default=20 * 1024**3, gt=0)
    # Zip bomb limits: expansion ratio of a member over 1 MiB (and of the whole archive), total
    # expanded size, and number of members.
    max_zip_ratio: float = Field(default=100.0, gt=1)
    max_zip_total_bytes: int = Field(default=64 * 1024**3, gt=0)
    max_zip_members: int = Field(default=2_000_000, gt=0)

    # ---- product recognition: product videos (pr/videos) ----
    # Largest product video accepted (MP4, MOV or WebM); larger uploads are answered 413.
    max_video_bytes: int = Field(default=2 * 1024**3, gt=0)
    # Keep a product video's file once its frames are taken (false: the file is removed and only the
    # frames, stored as product images, remain).
    pr_keep_videos: bool = True

    # --- Vector search (product matching) ---
    # "embedded": an approximate-nearest-neighbour index in vectors_dir (faiss HNSW, one folder a
    # collection); "qdrant": a Qdrant server at qdrant_url (or qdrant-client's local mode at qdrant_path).
    vectors_backend: Literal["embedded", "qdrant"] = "embedded"
    # Folder of the embedded index; empty means data_dir/vectors.
    vectors_dir: Path | None = None
    qdrant_url: str = ""
    qdrant_api_key: SecretStr = SecretStr("")
    # qdrant-client's local mode (no server) in this folder; used when qdrant_url is empty.
    qdrant_path: Path | None = None
    # Prefix of every collection name in Qdrant, so several installations can share one server.
    qdrant_prefix: str = "shelfscope_"
    # Products proposed for each cutout.
    pr_matching_top_k: int = Field(default=5, ge=1, le=50)

    # --- ML (workers only; the server never imports torch) ---
    # Where model weights live: one save_pretrained folder per catalogue key. Empty: data_dir/models.
    models_dir: Path | None = None
    # "auto" picks CUDA, then Apple MPS, then the CPU.
    ml_device: Literal["auto", "cuda", "mps", "cpu"] = "auto"
    # Loaded models a worker keeps in memory, by their parameter and buffer bytes; the least recently
    # used is dropped when a new one would pass the budget.
    ml_model_cache_mb: int = Field(default=4096, ge=64)
    # Refuse hub downloads: a missing model is an error naming its folder instead of a fetch.
    ml_offline: bool = False
    # The model hub fetches download from. Empty: huggingface_hub's own default (HF_ENDPOINT, else
    # https://huggingface.co); a mirror or a local stand-in can be named here.
    ml_hub_endpoint: str = ""
    # A hub access token for gated weights (DINOv3); sent only with fetches of gated models.
    ml_hub_token: SecretStr = SecretStr("")
    # Where the YOLO-NAS training environment lives (`shelfscope trainers install yolo-nas`); empty:
    # DATA_DIR/envs/yolo-nas. It is a separate Python environment (super-gradients' pins clash with ours).
    yolo_nas_env: Path | None = None
    # Threads torch uses in each worker process for one model call. 0: the machine's cores shared out
    # among the local ML and interactive workers (1 each on a 2-core machine; a SAM click takes every
    # core while no other job runs), or torch's own default under Celery. Fewer threads than cores is
    # faster when processes compete for the cores: torch's threads wait for each other at every
    # operator, and one descheduled thread stalls them all.
    ml_torch_threads: int = Field(default=0, ge=0, le=256)
    # Model keys (e.g. sam2.1-hiera-tiny) the interactive workers load when they start, so the first
    # click does not wait for the load; a missing or unknown one is logged and skipped.
    ml_preload: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # A training run needs at least this many train images in its version.
    training_min_images: int = Field(default=4, ge=1)
    # Product-recognition training refuses smaller data (counted after the domain, frame and minimum
    # filters), naming both counts.
    pr_training_min_products: int = Field(default=10, ge=2)
    pr_training_min_images: int = Field(default=100, ge=2)

    @field_validator("job_modules", "url_fetch_allow_hosts", "ml_preload", mode="before")
    @classmethod
    def _split_modules(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("import_roots", mode="before")
    @classmethod
    def _split_roots(cls, value: Any) -> Any:
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            parts = value.replace(os.pathsep, ",").split(",")
            return [part.strip() for part in parts if part.strip()]
        return value

    @model_validator(mode="after")
    def _resolve_paths(self) -> Settings:
        self.data_dir = self.data_dir.expanduser().resolve()
        if self.storage_dir is None:
            self.storage_dir = self.data_dir / "storage"
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'shelfscope.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def decode_memory_bytes(self) -> int:
        return self.decode_memory_mb * 1024 * 1024

    @property
    def resolved_public_url(self) -> str:
        if self.public_url:
            return self.public_url.rstrip("/")
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"

    @property
    def resolved_web_dir(self) -> Path | None:
        # A folder named in the settings is the only one used: no silent fallback to another build.
        candidates = (self.web_dir,) if self.web_dir is not None else (_PACKAGED_WEB_DIST, _REPO_WEB_DIST)
        for candidate in candidates:
            if candidate is not None and (candidate / "index.html").is_file():
                return candidate
        return None

    @property
    def resolved_models_dir(self) -> Path:
        folder = self.models_dir if self.models_dir is not None else self.data_dir / "models"
        return folder.expanduser().resolve()

    @property
    def resolved_vectors_dir(self) -> Path:
        folder = self.vectors_dir if self.vectors_dir is not None else self.data_dir / "vectors"
        return folder.expanduser().resolve()

    @property
    def local_storage_dir(self) -> Path:
        assert self.storage_dir is not None
        return self.storage_dir.expanduser().resolve()

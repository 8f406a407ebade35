"""Product recognition: products and their images, searching a crop against the catalogue."""

from __future__ import annotations

import builtins
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Any

from shelfscope.client._transport import Transport
from shelfscope.client.errors import NotFound, ValidationFailed
from shelfscope.client.jobs import Jobs
from shelfscope.client.progress import count_bar
from shelfscope.client.types import Model, iterate_pages

PR_PATH = "/api/v1/pr"
SEARCH_PATH = f"{PR_PATH}/matching/search"
COLLECTIONS_PATH = f"{PR_PATH}/embeddings/collections"
DOMAINS = ("synthetic", "real", "augmented", "cutout")
# Files per upload request: small enough that a retried request resends little.
UPLOAD_BATCH = 16

PathLike = str | os.PathLike[str]


class ProductImage(Model):
    id: int
    product_id: int
    domain: str  # synthetic, real, augmented, cutout
    source: str = "upload"
    filename: str
    width: int
    height: int
    format: str = ""
    size_bytes: int = 0
    file_url: str = ""
    created_at: datetime | None = None


class DomainCounts(Model):
    synthetic: int = 0
    real: int = 0
    augmented: int = 0
    cutout: int = 0


class Product(Model):
    id: int
    sku: str
    name: str
    barcode: str | None = None
    brand: str | None = None
    category: str | None = None
    attributes: dict[str, Any] = {}
    status: str = "active"
    image_count: int = 0
    domain_counts: DomainCounts = DomainCounts()
    created_at: datetime | None = None
    updated_at: datetime | None = None


class ImageUpload(Model):
    """One file of an upload: stored, duplicate (`product_id` has those bytes) or error (the error
    shape naming the file)."""

    path: str
    status: str  # stored, duplicate, error
    image: ProductImage | None = None
    product_id: int | None = None
    error: dict[str, Any] | None = None


class ImagesUploaded(Model):
    stored: int
    duplicates: int
    errors: int
    items: list[ImageUpload]


class ProductRef(Model):
    id: int
    sku: str
    name: str
    brand: str | None = None
    category: str | None = None


class SearchHit(Model):
    """A catalogue product the crop may show; rank 1 is the closest (cosine similarity to the product's
    closest gallery image)."""

    rank: int
    similarity: float
    product: ProductRef
    packshot_url: str | None = None


class Collection(Model):
    """Product-image embeddings of one model: what `search` compares a crop with."""

    id: int
    name: str
    model_kind: str
    model_name: str = ""
    backbone: str = ""
    dim: int = 0
    vector_count: int = 0


class Products:
    """The product catalogue (`client.products`): products, their gallery images, and crop search."""

    def __init__(self, transport: Transport, jobs: Jobs, progress: bool) -> None:
        self._t = transport
        self._jobs = jobs
        self._progress = progress

    def create(self, sku: str, name: str, **fields: Any) -> Product:
        """A new product; `fields`: barcode, brand, category, attributes, status. Conflict naming the
        field when the SKU or barcode belongs to another product."""
        body = {"sku": sku, "name": name, **fields}
        return Product.model_validate(self._t.json("POST", f"{PR_PATH}/products", json_body=body))

    def get(self, product_id: int) -> Product:
        return Product.model_validate(self._t.json("GET", f"{PR_PATH}/products/{product_id}"))

    def get_by_sku(self, sku: str) -> Product:
        """The product with exactly this SKU (case-insensitive); NotFound naming `sku`."""
        wanted = sku.strip().casefold()
        for product in self.list(q=sku.strip()):
            if product.sku.casefold() == wanted:
                return product
        raise NotFound(
            404,
            {"error": "NotFound", "detail": f"No product has SKU {sku!r}.", "field": "sku"},
            "GET",
            f"{PR_PATH}/products",
        )

    def list(
        self,
        *,
        q: str | None = None,
        brand: str | None = None,
        category: str | None = None,
        status: str | None = None,
        has_domain: str | None = None,
        missing_domain: str | None = None,
        sort: str | None = None,
        order: str | None = None,
        limit: int | None = None,
    ) -> Iterator[Product]:
        """Products matching the filters (`q`: part of the SKU, name, barcode or brand), a page at a time."""
        params = {
            "q": q,
            "brand": brand,
            "category": category,
            "status": status,
            "has_domain": has_domain,
            "missing_domain": missing_domain,
            "sort": sort,
            "order": order,
        }
        return iterate_pages(self._t, f"{PR_PATH}/products", Product, params, limit=limit)

    def update(self, product_id: int, **fields: Any) -> Product:
        return Product.model_validate(
            self._t.json("PATCH", f"{PR_PATH}/products/{product_id}", json_body=fields)
        )

    def delete(self, product_id: int, *, force: bool = False) -> None:
        """Delete the product with its images (`force`: also out of frozen PR dataset versions)."""
        self._t.request("DELETE", f"{PR_PATH}/products/{product_id}", params={"force": force or None})

    def images(
        self, product_id: int, *, domain: str | None = None, limit: int | None = None
    ) -> Iterator[ProductImage]:
        """The product's gallery in the order the images were added, one domain or all."""
        return iterate_pages(
            self._t, f"{PR_PATH}/products/{product_id}/images", ProductImage, {"domain": domain}, limit=limit
        )

    def upload_images(
        self, product_id: int, paths: PathLike | Iterable[PathLike], *, kind: str = "real"
    ) -> ImagesUploaded:
        """Add image files to the product's gallery as `kind` (synthetic, real, augmented or cutout).
        Each file is stored, a duplicate (those bytes are in the catalogue already) or an error naming
        it; an error does not stop the rest. Files are streamed, a few per request."""
        files = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
        if kind not in DOMAINS:
            raise ValueError(f"kind must be one of {', '.join(DOMAINS)}, not {kind!r}")
        missing = [str(p) for p in files if not p.is_file()]
        if missing:
            raise FileNotFoundError(f"no such file: {', '.join(missing)}")
        items: list[ImageUpload] = []
        url = f"{PR_PATH}/products/{product_id}/images"
        with count_bar(f"product {product_id}", len(files), enabled=self._progress) as advance:
            for start in range(0, len(files), UPLOAD_BATCH):
                batch = files[start : start + UPLOAD_BATCH]
                with ExitStack() as stack:

                    def parts(batch: list[Path] = batch) -> builtins.list[tuple[str, Any]]:
                        return [
                            ("files", (p.name, stack.enter_context(p.open("rb")), "application/octet-stream"))
                            for p in batch
                        ]

                    # The server deduplicates by content: a resent batch stores nothing twice.
                    raw = self._t.json("POST", url, files=parts, data={"domain": kind}, idempotent=True)
                for path, item in zip(batch, raw["items"], strict=True):
                    items.append(ImageUpload.model_validate({**item, "path": str(path)}))
                advance(len(batch))
        return ImagesUploaded(
            stored=sum(i.status == "stored" for i in items),
            duplicates=sum(i.status == "duplicate" for i in items),
            errors=sum(i.status == "error" for i in items),
            items=items,
        )

    def collections(self) -> builtins.list[Collection]:
        """Embedding collections (one per model that embedded the catalogue)."""
        return [Collection.model_validate(c) for c in self._t.json("GET", COLLECTIONS_PATH)["items"]]

    def search(
        self, crop_path: PathLike, *, top_k: int = 5, collection: int | str | None = None
    ) -> builtins.list[SearchHit]:
        """The catalogue products closest to a crop (a local image file), best first. `collection`: an
        id or name; None takes the only collection there is (ValidationFailed naming `collection_id`
        when there are none or several)."""
        path = Path(crop_path)
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such image file")
        collection_id = self._collection_id(collection)

        def files() -> dict[str, Any]:
            return {"file": (path.name, path.open("rb"), "application/octet-stream")}

        raw = self._t.json(
            "POST",
            SEARCH_PATH,
            files=files,
            data={"collection_id": str(collection_id), "k": str(top_k)},
            idempotent=True,
        )
        return [SearchHit.model_validate(hit) for hit in raw["results"]]

    def _collection_id(self, collection: int | str | None) -> int:
        if isinstance(collection, int):
            return collection
        found = self.collections()
        if collection is not None:
            for c in found:
                if c.name.casefold() == collection.strip().casefold():
                    return c.id
            problem = f"no collection is named {collection!r}"
        elif len(found) == 1:
            return found[0].id
        else:
            names = ", ".join(c.name for c in found) or "none yet: extract embeddings first"
            problem = f"name the collection to search ({names})"
        raise ValidationFailed(
            422,
            {
                "error": "ValidationFailed",
                "detail": f"collection_id: {problem}.",
                "fields": [{"field": "collection_id", "message": problem}],
            },
            "POST",
            SEARCH_PATH,
        )

"""HTTP routes of product recognition's products (mounted under /api/v1/pr): the catalogue, each
product's gallery, and the bytes of its images.

/products/facets comes before /products/{product_id} so it is never taken for an id."""

from __future__ import annotations

from typing import Annotated, Any

import pydantic
from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from shelfscope.auth.deps import CurrentUser, WriterUser
from shelfscope.deps import Ctx, DbSession
from shelfscope.errors import ValidationFailed
from shelfscope.http.files import original_response, thumbnail_response
from shelfscope.http.uploads import form_files, form_value, read_form
from shelfscope.http.validation import validation_failed
from shelfscope.ids import Id
from shelfscope.od.images.decode import CONTENT_TYPES
from shelfscope.pagination import Page, PageLimit
from shelfscope.pr.products import listing, service
from shelfscope.pr.products.images import check_domain
from shelfscope.pr.products.schemas import (
    Domain,
    ImagePatch,
    ProductCreate,
    ProductFacets,
    ProductFilters,
    ProductImageOut,
    ProductOut,
    ProductPatch,
    ProductStatus,
    SortField,
    SortOrder,
    UploadResult,
)

router = APIRouter()


# ---- products ----------------------------------------------------------------------------------------


def _filters(**given: Any) -> ProductFilters:
    try:
        return ProductFilters.model_validate(given)
    except pydantic.ValidationError as exc:
        raise validation_failed(exc.errors()) from None


@router.get("/products", response_model=Page[ProductOut])
def list_products(
    session: DbSession,
    user: CurrentUser,
    q: Annotated[
        str | None, Query(description="case-insensitive part of the SKU, name, barcode or brand")
    ] = None,
    brand: str | None = None,
    category: str | None = None,
    status: ProductStatus | None = None,
    has_domain: Annotated[Domain | None, Query(description="products with images of this domain")] = None,
    missing_domain: Annotated[
        Domain | None, Query(description="products without images of this domain")
    ] = None,
    min_images_below: Annotated[
        int | None, Query(ge=1, le=1_000_000, description="products with fewer images than this")
    ] = None,
    sort: SortField = "created_at",
    order: SortOrder = "desc",
    limit: PageLimit = 50,
    cursor: str | None = None,
) -> Page[ProductOut]:
    """Products by keyset pagination (`next_cursor`), newest first by default, with `total`."""
    filters = _filters(
        q=q,
        brand=brand,
        category=category,
        status=status,
        has_domain=has_domain,
        missing_domain=missing_domain,
        min_images_below=min_images_below,
    )
    return listing.list_products(session, filters, sort=sort, order=order, limit=limit, cursor=cursor)


@router.get("/products/facets", response_model=ProductFacets)
def product_facets(session: DbSession, user: CurrentUser) -> ProductFacets:
    """Brands and categories in use with their product counts (the 200 most used of each)."""
    return listing.facets(session)


@router.post("/products", status_code=201, response_model=ProductOut)
def create_product(body: ProductCreate, session: DbSession, user: WriterUser) -> ProductOut:
    """A new product; 409 naming the field when its SKU or barcode belongs to another product."""
    return service.create_product(session, body, user.id)


@router.get("/products/{product_id}", response_model=ProductOut)
def get_product(product_id: Id, session: DbSession, user: CurrentUser) -> ProductOut:
    return service.product_detail(session, product_id)


@router.patch("/products/{product_id}", response_model=ProductOut)
def update_product(product_id: Id, body: ProductPatch, session: DbSession, user: WriterUser) -> ProductOut:
    """Change any field; fields left out stay as they are."""
    return service.update_product(session, product_id, body)


@router.delete("/products/{product_id}", status_code=204, response_class=Response)
def delete_product(
    product_id: Id,
    ctx: Ctx,
    session: DbSession,
    user: WriterUser,
    force: Annotated[
        bool, Query(description="also take its images out of frozen PR dataset versions")
    ] = False,
) -> Response:
    """Delete the product with its images and videos (their files go after the commit). 409 naming the
    versions when a frozen PR dataset version holds its images, unless force."""
    service.delete_product(session, ctx.storage, product_id, force=force)
    return Response(status_code=204)


# ---- the gallery -------------------------------------------------------------------------------------


@router.get("/products/{product_id}/images", response_model=Page[ProductImageOut])
def list_product_images(
    product_id: Id,
    session: DbSession,
    user: CurrentUser,
    domain: Domain | None = None,
    limit: PageLimit = 50,
    cursor: str | None = None,
) -> Page[ProductImageOut]:
    """The product's images in the order they were added, one domain or all."""
    return service.list_images(session, product_id, domain=domain, limit=limit, cursor=cursor)


_UPLOAD_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["files", "domain"],
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "domain": {"type": "string", "enum": ["synthetic", "real", "augmented", "cutout"]},
                    },
                }
            }
        },
    }
}


@router.post("/products/{product_id}/images", response_model=UploadResult, openapi_extra=_UPLOAD_DOC)
async def upload_product_images(
    product_id: Id, request: Request, ctx: Ctx, session: DbSession, user: WriterUser
) -> UploadResult:
    """Upload one or many images (multipart `files`, repeatable) of one `domain` to the product's
    gallery: each is stored, a duplicate (naming the product that has those bytes), or an error naming
    the file; each commits on its own."""
    # End the transaction the auth lookup began before the body streams in (SQLite's write lock).
    await run_in_threadpool(session.commit)
    form = await read_form(request, ctx.settings.max_upload_bytes + 1)
    try:
        domain = form_value(form, "domain", check_domain)
        if domain is None:
            raise ValidationFailed.field("domain", "is required: synthetic, real, augmented or cutout")
        files = [(name, upload.file) for name, upload in form_files(form)]
        return await run_in_threadpool(
            service.upload_images,
            session,
            ctx.storage,
            ctx.settings,
            product_id,
            files,
            domain=domain,
            user_id=user.id,
        )
    finally:
        await form.close()


@router.get("/images/{image_id}", response_model=ProductImageOut)
def get_image(image_id: Id, session: DbSession, user: CurrentUser) -> ProductImageOut:
    return service.image_detail(session, image_id)


@router.patch("/images/{image_id}", response_model=ProductImageOut)
def update_image(image_id: Id, body: ImagePatch, session: DbSession, user: WriterUser) -> ProductImageOut:
    """Move the image to another product (`product_id`) and/or change its `domain`."""
    return service.update_image(session, image_id, body)


@router.delete("/images/{image_id}", status_code=204, response_class=Response)
def delete_image(
    image_id: Id,
    ctx: Ctx,
    session: DbSession,
    user: WriterUser,
    force: Annotated[bool, Query(description="also take it out of frozen PR dataset versions")] = False,
) -> Response:
    """Delete the image (its files go after the commit); 409 naming the versions when frozen, unless force."""
    service.delete_image(session, ctx.storage, image_id, force=force)
    return Response(status_code=204)


@router.get("/images/{image_id}/file", response_class=Response)
def image_file(image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser) -> Response:
    """The original bytes, as uploaded (single byte ranges, ETag, immutable cache)."""
    image = service.get_image(session, image_id)
    return original_response(
        request,
        content_hash=image.content_hash,
        size=image.size_bytes,
        filename=image.filename,
        media_type=CONTENT_TYPES.get(image.format, "application/octet-stream"),
        chunks=lambda byte_range: service.file_chunks(ctx.storage, image, byte_range),
    )


@router.get("/images/{image_id}/thumbnail", response_class=Response)
def image_thumbnail(
    image_id: Id, request: Request, ctx: Ctx, session: DbSession, user: CurrentUser
) -> Response:
    """A JPEG at most thumbnail_size pixels on its long side, upright per EXIF."""
    image = service.get_image(session, image_id)
    return thumbnail_response(
        request,
        content_hash=image.content_hash,
        thumbnail_size=ctx.settings.thumbnail_size,
        render=lambda: service.thumbnail_bytes(ctx.storage, ctx.settings, image),
    )

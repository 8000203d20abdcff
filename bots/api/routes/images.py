"""Images by URL: designs, uploaded photos and product photos from the image store.

Only images of StyleGenie's own store are served (never a fetch of an arbitrary URL).
Image names are random ids, so the route needs no key: a browser's ``<img>`` can load it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from stylegenie.adapters.image_store import check_name
from stylegenie.core.ports import ImageStore

from ..problems import Problem

PREFIX = "/api/v1/images/"
MEDIA_TYPES = {
    ".webp": "image/webp",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}

router = APIRouter(tags=["images"])


def image_url(ref: str | None, images: ImageStore) -> str | None:
    """Where a client loads a stored image: the store's own URL (a CDN's, or presigned now
    for S3), or this API's images route for a file of the local store."""
    if not ref:
        return None
    return images.url(ref) or PREFIX + Path(ref).name


@router.get(PREFIX + "{name}", summary="An image of the store", response_class=Response)
async def image(name: str, request: Request) -> Response:
    """The bytes of a stored image (a design, an uploaded photo, a product photo)."""
    media_type = MEDIA_TYPES.get(Path(name).suffix.lower())
    try:
        check_name(name)
    except ValueError:
        media_type = None
    if media_type is None:
        raise Problem(404, "No such image.")
    services = request.app.state.services
    ref = str(services.app.settings.image_dir.resolve() / name)
    try:
        data = await run_in_threadpool(services.images.open, ref)
    except (OSError, ValueError):
        raise Problem(404, "No such image.") from None
    return Response(data, media_type=media_type, headers={"Cache-Control": "max-age=86400"})

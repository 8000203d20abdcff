"""An ImageStore on an S3-compatible bucket (AWS S3, MinIO, R2…) through boto3.

A reference is the object's key. A presigned URL dies after at most 7 days (SigV4), and
designs, thumbnails and leads are kept far longer, so the URL is made when a reply is
sent (``url``): under ``public_base_url`` when the bucket is served publicly (or through
a CDN), presigned from that moment otherwise. References stored as URLs before (presigned
or public, of this bucket) are read back as their key.
"""

from __future__ import annotations

import mimetypes
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from pydantic import SecretStr

from stylegenie.config.settings import ImageStoreSettings

from .image_store import check_name, is_web_address


class S3ImageStore:
    """Writes images as objects of one bucket, named like the local store's files."""

    def __init__(self, settings: ImageStoreSettings) -> None:
        import boto3
        from botocore.config import Config

        if not settings.s3_bucket:
            raise ValueError("the s3 image store needs STYLEGENIE_IMAGES__S3_BUCKET")
        self._settings = settings
        self._bucket = settings.s3_bucket
        self._public = settings.public_base_url.rstrip("/") if settings.public_base_url else None
        self._client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=_secret(settings.s3_access_key),
            aws_secret_access_key=_secret(settings.s3_secret_key),
            # botocore presigns with SigV2 unless told; SigV4 is what every region and
            # S3-compatible store (R2, MinIO) accepts, for at most 7 days.
            config=Config(signature_version="s3v4"),
        )

    def put(self, name: str, data: bytes) -> str:
        """Upload the image; its reference is its key (``url`` makes the link to send)."""
        check_name(name)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._client.put_object(Bucket=self._bucket, Key=name, Body=data, ContentType=content_type)
        return name

    def open(self, ref: str) -> bytes:
        """The bytes of an image of this bucket, by key (or an older URL of it)."""
        key = self.key_of(ref)
        if key is None:
            raise ValueError(f"not an image of this store: {ref!r}")
        response = self._client.get_object(Bucket=self._bucket, Key=key)
        return bytes(response["Body"].read())

    def url(self, ref: str) -> str:
        """A URL a chat platform or browser can fetch from now on: public, or presigned for
        ``url_expiry_s`` from now; another site's URL as it is."""
        key = self.key_of(ref)
        if key is None:
            return ref
        if self._public:
            return f"{self._public}/{key}"
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": key},
                ExpiresIn=self._settings.url_expiry_s,
            )
        )

    def key_of(self, ref: str) -> str | None:
        """The object key of a reference: the key itself (or a file path's name, the same
        in both stores), or the key inside an older URL of this bucket (public, or presigned
        path-style or virtual-hosted); None for another site's URL.

        Raises ValueError for a name that is no plain file name.
        """
        if not is_web_address(ref):
            name = PurePosixPath(ref.replace("\\", "/")).name
        elif self._public and ref.startswith(self._public + "/"):
            name = ref[len(self._public) + 1 :].split("?", 1)[0]
        else:
            parts = urlsplit(ref)
            path = parts.path.lstrip("/").split("/")
            if path[:-1] == [self._bucket] or (
                len(path) == 1 and (parts.hostname or "").startswith(self._bucket + ".")
            ):
                name = path[-1]
            else:
                return None
        check_name(name)
        return name


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None

"""An ImageStore on an S3-compatible bucket (AWS S3, MinIO, R2…) through boto3.

A reference is a URL the bots can send as is: under ``public_base_url`` when the
bucket is served publicly (or through a CDN), a presigned GET URL otherwise.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import urlparse

from pydantic import SecretStr

from stylegenie.config.settings import ImageStoreSettings

from .image_store import check_name


class S3ImageStore:
    """Writes images as objects of one bucket, named like the local store's files."""

    def __init__(self, settings: ImageStoreSettings) -> None:
        import boto3

        if not settings.s3_bucket:
            raise ValueError("the s3 image store needs STYLEGENIE_IMAGES__S3_BUCKET")
        self._settings = settings
        self._bucket = settings.s3_bucket
        self._client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            aws_access_key_id=_secret(settings.s3_access_key),
            aws_secret_access_key=_secret(settings.s3_secret_key),
        )

    def put(self, name: str, data: bytes) -> str:
        """Upload the image and return a URL a chat platform can fetch."""
        check_name(name)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        self._client.put_object(Bucket=self._bucket, Key=name, Body=data, ContentType=content_type)
        if self._settings.public_base_url:
            return f"{self._settings.public_base_url.rstrip('/')}/{name}"
        return str(
            self._client.generate_presigned_url(
                "get_object",
                Params={"Bucket": self._bucket, "Key": name},
                ExpiresIn=self._settings.url_expiry_s,
            )
        )

    def open(self, ref: str) -> bytes:
        """The bytes of an image this store returned a URL for."""
        name = urlparse(ref).path.rsplit("/", 1)[-1]
        check_name(name)
        response = self._client.get_object(Bucket=self._bucket, Key=name)
        return bytes(response["Body"].read())


def _secret(value: SecretStr | None) -> str | None:
    return value.get_secret_value() if value is not None else None

"""Images in an S3 bucket (moto's server on 127.0.0.1): keys are stored, URLs made when sent.

A presigned URL lives at most 7 days; designs, thumbnails and leads live far longer. The
clock of the signer is moved to show a reference still giving a working URL 8 days on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import discord
import pytest
from pydantic import ValidationError

from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.s3_image_store import S3ImageStore
from stylegenie.bots.api.routes.images import image_url
from stylegenie.bots.discord.sending import Prepared, ReplySender
from stylegenie.bots.telegram.files import photo_input
from stylegenie.config import Settings
from stylegenie.config.settings import PRESIGNED_URL_MAX_S, ImageStoreSettings
from stylegenie.core.reply import ProductCard, Reply
from tests.fakes.threaded import free_port

EIGHT_DAYS = dt.timedelta(days=8)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """moto's S3 server, for the tests of this module."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def settings(endpoint: str) -> ImageStoreSettings:
    """An S3 image store on a fresh bucket."""
    bucket = f"designs-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)
    return ImageStoreSettings(
        backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=endpoint,
        s3_access_key="test",
        s3_secret_key="test",
    )


@pytest.fixture
def store(settings: ImageStoreSettings) -> S3ImageStore:
    return S3ImageStore(settings)


def later_by(monkeypatch: pytest.MonkeyPatch, delta: dt.timedelta) -> dt.datetime:
    """Move the signer's clock ``delta`` ahead; the moment it now reads (UTC, naive)."""
    import botocore.auth

    moment = dt.datetime.now(dt.UTC).replace(tzinfo=None) + delta
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *_, **__: moment)
    return moment


def valid_at(url: str, moment: dt.datetime) -> bool:
    """Whether S3 takes a SigV4 presigned URL at ``moment`` (signed at or before it, and
    its ``X-Amz-Expires`` not yet passed)."""
    query = parse_qs(urlsplit(url).query)
    signed = dt.datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    lives = dt.timedelta(seconds=int(query["X-Amz-Expires"][0]))
    return signed <= moment < signed + lives


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return bytes(response.read())


def test_a_stored_reference_still_gives_a_working_url_eight_days_on(
    store: S3ImageStore, endpoint: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = store.put("d-1.webp", b"webp bytes")
    assert ref == "d-1.webp", "the key is stored, not a URL that dies"
    assert store.open(ref) == b"webp bytes"
    made_now = store.url(ref)
    assert made_now.startswith(endpoint) and "X-Amz-Signature=" in made_now
    assert fetch(made_now) == b"webp bytes"

    eight_days_on = later_by(monkeypatch, EIGHT_DAYS)
    assert not valid_at(made_now, eight_days_on), "a URL kept for 8 days is dead"
    sent_then = store.url(ref)
    assert valid_at(sent_then, eight_days_on), "the URL sent then is fresh"
    assert parse_qs(urlsplit(sent_then).query)["X-Amz-Expires"] == [str(PRESIGNED_URL_MAX_S)]
    assert fetch(sent_then) == b"webp bytes"


def test_references_stored_as_urls_are_read_back_as_their_key(
    store: S3ImageStore, settings: ImageStoreSettings
) -> None:
    store.put("d-2.webp", b"old design")
    bucket = settings.s3_bucket
    old_presigned = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "d-2.webp"})
    virtual_hosted = f"https://{bucket}.s3.amazonaws.com/d-2.webp?X-Amz-Signature=dead"
    for old in (old_presigned, virtual_hosted, "/srv/stylegenie/images/d-2.webp"):
        assert store.key_of(old) == "d-2.webp", old
        assert store.open(old) == b"old design"
        assert fetch(store.url(old)) == b"old design"

    public = S3ImageStore(
        settings.model_copy(update={"public_base_url": "https://cdn.example/designs/"})
    )
    assert public.put("d-3.webp", b"x") == "d-3.webp"
    assert public.url("d-3.webp") == "https://cdn.example/designs/d-3.webp"
    assert public.key_of("https://cdn.example/designs/d-3.webp") == "d-3.webp"

    elsewhere = "https://img.example/p1.jpg"
    assert store.url(elsewhere) == elsewhere, "another site's URL is sent as it is"
    with pytest.raises(ValueError, match="not an image of this store"):
        store.open(elsewhere)
    with pytest.raises(ValueError, match="unsafe"):
        store.put("../d-4.webp", b"x")


def test_an_expiry_over_the_sigv4_maximum_is_refused() -> None:
    assert ImageStoreSettings().url_expiry_s == PRESIGNED_URL_MAX_S == 604_800
    with pytest.raises(ValidationError, match="604800"):
        ImageStoreSettings(url_expiry_s=8 * 24 * 3600)
    with pytest.raises(ValidationError, match="url_expiry_s"):
        Settings(_env_file=None, images={"url_expiry_s": PRESIGNED_URL_MAX_S + 1})  # type: ignore[call-arg,arg-type]


class Posted:
    """A Discord destination that keeps what it was sent."""

    filesize_limit = 8 * 1024 * 1024

    def __init__(self) -> None:
        self.messages: list[Prepared] = []

    async def post(self, message: Prepared) -> discord.Message:
        self.messages.append(message)
        return discord.Object(len(self.messages))  # type: ignore[return-value]


def test_each_front_end_sends_a_url_made_at_send_time(
    store: S3ImageStore, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ref = store.put("p-1.webp", b"thumbnail")
    eight_days_on = later_by(monkeypatch, EIGHT_DAYS)

    telegram = asyncio.run(photo_input(store, ref))
    assert telegram is not None and isinstance(telegram.media, str)
    assert valid_at(telegram.media, eight_days_on)

    card = ProductCard(product_id="p-1", name="Linen dress", price=80, currency="EUR")
    destination = Posted()
    reply = Reply(text="Products", products=[card.model_copy(update={"image_ref": ref})])

    async def send() -> None:
        await ReplySender(store).send(destination, reply, owner_id=1)

    asyncio.run(send())
    shown = destination.messages[-1].embeds[0].image.url
    assert shown and valid_at(shown, eight_days_on), "Discord shows the product by a fresh URL"
    assert not destination.messages[-1].uploads

    api = image_url(ref, store)
    assert api and valid_at(api, eight_days_on)
    local = LocalImageStore(tmp_path / "images")
    assert image_url(local.put("d-9.webp", b"x"), local) == "/api/v1/images/d-9.webp"

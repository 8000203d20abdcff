"""Photos a feed names are read only inside the images folder, and only if they are photo files.

Each hostile path is reproduced for real (a FIFO with no writer, /dev/zero, /etc/passwd, a
private JPEG outside the folder, links out): the product loads without the photo, the row
says why, and no thumbnail of anything outside the folder is stored. A FIFO that were
opened would block for ever: these tests carry a short timeout.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from stylegenie.adapters.feeds import FeedOptions, ProductFeed
from stylegenie.adapters.image_store import LocalImageStore
from stylegenie.adapters.thumbnails import PhotoRefused, PillowPhotos, photo_inside
from stylegenie.core.ingest import CatalogIngestor
from tests.fakes.ports import FixedEmbedder, MemoryCatalog, MemoryIndex

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """An images folder with one good photo (p1.jpg), a FIFO (pipe.jpg), links out, and
    beside it, outside, a private JPEG."""
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(folder / "p1.jpg")
    Image.new("RGB", (64, 48), (0, 0, 0)).save(tmp_path / "private.jpg")
    os.mkfifo(folder / "pipe.jpg")
    os.mkfifo(folder / "p8.jpg")
    (folder / "out.jpg").symlink_to(tmp_path / "private.jpg")
    (folder / "zero.jpg").symlink_to("/dev/zero")
    return folder


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("/etc/passwd", "an absolute path: name a file inside the images folder"),
        ("../../etc/passwd", "'..' leads outside the images folder"),
        ("sub/../../private.jpg", "'..' leads outside the images folder"),
        ("out.jpg", "a link that leads outside the images folder"),
        ("zero.jpg", "a link that leads outside the images folder"),
        ("nul\x00.jpg", "not a usable path"),
    ],
)
def test_paths_out_of_the_images_folder_are_refused(photos: Path, name: str, reason: str) -> None:
    with pytest.raises(PhotoRefused, match=reason):
        photo_inside(photos, name)


def test_a_path_inside_the_images_folder_is_resolved(photos: Path) -> None:
    assert photo_inside(photos, "sub/../p1.jpg") == (photos / "p1.jpg").resolve()


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("pipe.jpg", "a FIFO, not a photo file"),
        ("/dev/zero", "a device, not a photo file"),
        (".", "a folder, not a photo file"),
        ("out.jpg", "a link, not a photo file"),
    ],
)
def test_the_reader_opens_nothing_but_a_regular_file(
    photos: Path, location: str, reason: str
) -> None:
    with pytest.raises(PhotoRefused, match=reason):
        PillowPhotos(32).read(str(photos / location))


def test_a_photo_over_the_size_limit_is_refused_before_it_is_read(photos: Path) -> None:
    size = (photos / "p1.jpg").stat().st_size
    with pytest.raises(PhotoRefused, match=f"{size:,} bytes, over the 100-byte limit"):
        PillowPhotos(32, max_bytes=100).read(str(photos / "p1.jpg"))
    assert PillowPhotos(32, max_bytes=size).read(str(photos / "p1.jpg"))[:2] == b"\xff\xd8"


def test_hostile_photo_paths_load_their_products_without_a_photo(
    tmp_path: Path, photos: Path
) -> None:
    rows = [
        "p1,Good,5,",  # <id>.jpg: the one real photo
        "p2,Passwd,5,/etc/passwd",
        "p3,Climber,5,../../../../etc/passwd",
        "p4,Private,5,../private.jpg",
        "p5,Linked,5,out.jpg",
        "p6,Pipe,5,pipe.jpg",
        "p7,Zero,5,/dev/zero",
        "p8,Pipe by id,5,",  # <id>.jpg is a FIFO
        "p9,Zero link,5,zero.jpg",
    ]
    feed_file = tmp_path / "feed.csv"
    feed_file.write_text("id,name,price,image\n" + "\n".join(rows) + "\n")
    feed = ProductFeed(feed_file, FeedOptions(images=photos))
    store, catalog = LocalImageStore(tmp_path / "store"), MemoryCatalog()
    ingestor = CatalogIngestor(
        FixedEmbedder(), MemoryIndex(), catalog, photos=PillowPhotos(32), images=store
    )
    report = ingestor.ingest_items(feed)

    assert (report.loaded, report.photos) == (9, 1)
    assert [p.id for p in catalog.products.values() if p.image_ref] == ["p1"]
    assert sorted(path.name for path in (tmp_path / "store").iterdir()) == ["thumb-p1.jpg"]
    problems = sorted([*feed.problems, *report.problems], key=lambda problem: problem.line)
    assert not any(problem.skipped for problem in problems)
    folder = photos.resolve()
    assert [str(problem) for problem in problems] == [
        "line 3: photo /etc/passwd not used: an absolute path: name a file inside the images "
        "folder (row loaded)",
        f"line 4: photo ../../../../etc/passwd not used: '..' leads outside the images folder "
        f"{folder} (row loaded)",
        f"line 5: photo ../private.jpg not used: '..' leads outside the images folder {folder} "
        "(row loaded)",
        f"line 6: photo out.jpg not used: a link that leads outside the images folder {folder} "
        "(row loaded)",
        f"line 7: photo {folder / 'pipe.jpg'} not used: a FIFO, not a photo file (row loaded)",
        "line 8: photo /dev/zero not used: an absolute path: name a file inside the images "
        "folder (row loaded)",
        f"line 9: photo {folder / 'p8.jpg'} not used: a FIFO, not a photo file (row loaded)",
        f"line 10: photo zero.jpg not used: a link that leads outside the images folder "
        f"{folder} (row loaded)",
    ]

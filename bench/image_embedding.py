"""CLIP image-embedding throughput: the bare model call vs StyleGenie's encoder on JPEG bytes.

    .venv/bin/python bench/image_embedding.py [--model ViT-B-32] [--count 64] [--batch 16]

Both sides use the same architecture with random weights (``pretrained=None``: the same
cost as real weights, nothing downloaded), in fp32 on the CPU, for each torch thread count:

- **bare model**: ``model.encode_image`` on batches of already preprocessed tensors;
- **encoder**: ``OpenClipEncoder.embed_images`` on the photos' JPEG bytes, i.e. what
  catalogue ingestion calls: decoding, preprocessing, the model, normalising and the
  conversion to Python lists.

The target is the encoder at >= 90% of the bare model's images per second. Photos come from
``../shared/data/kagl/images`` (224x224 JPEG); the benchmark stops with a message without it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_IMAGES = ROOT.parent / "shared" / "data" / "kagl" / "images"


class Rates(NamedTuple):
    """Images per wall-clock second and per CPU-second."""

    wall: float
    cpu: float


def read_photos(folder: Path, count: int) -> list[bytes]:
    """The first ``count`` JPEG files of the folder, as bytes."""
    paths = sorted(folder.glob("*.jpg"))[:count]
    if len(paths) < count:
        sys.exit(f"need {count} JPEG photos in {folder}, found {len(paths)}")
    return [path.read_bytes() for path in paths]


def measure(runs: dict[str, Callable[[], None]], images: int, rounds: int) -> dict[str, Rates]:
    """Best wall-clock and CPU rates of each run, alternating runs round by round.

    Alternating and keeping the best round makes the comparison fair on a shared machine;
    the CPU rate (images per CPU-second of this process) is steadier under contention.
    """
    best = {name: Rates(0.0, 0.0) for name in runs}
    for run in runs.values():
        run()  # warm-up
    for _ in range(rounds):
        for name, run in runs.items():
            wall, cpu = time.perf_counter(), time.process_time()
            run()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            best[name] = Rates(
                max(best[name].wall, images / wall), max(best[name].cpu, images / cpu)
            )
    return best


def main() -> None:
    """Print the rates of the bare model and of the encoder, and their ratios, per thread count."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="ViT-B-32")
    parser.add_argument("--images", type=Path, default=DEFAULT_IMAGES)
    parser.add_argument("--count", type=int, default=64)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import open_clip
    import torch

    from stylegenie.adapters.clip_encoder import OpenClipEncoder, decode_images
    from stylegenie.config.settings import ImageEncoderSettings

    photos = read_photos(args.images, args.count)
    settings = ImageEncoderSettings(model=args.model, device="cpu", batch_size=args.batch)
    encoder = OpenClipEncoder(settings)
    encoder.load()
    bare_model, _, preprocess = open_clip.create_model_and_transforms(args.model, pretrained=None)
    bare_model.eval()
    tensors = torch.stack([preprocess(p) for p in decode_images(photos) if p is not None])
    batches = list(torch.split(tensors, args.batch))

    def bare() -> None:
        with torch.inference_mode():
            for batch in batches:
                bare_model.encode_image(batch)

    def pipeline() -> None:
        encoder.embed_images(photos)

    print(f"{args.model}, random weights, fp32 CPU, batch {args.batch}, {len(photos)} JPEG photos")
    print("| torch threads | bare model img/s | encoder img/s | encoder / bare "
          "| bare img/CPU-s | encoder img/CPU-s | encoder / bare (CPU) |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for threads in (int(t) for t in args.threads.split(",")):
        torch.set_num_threads(threads)
        rates = measure({"bare": bare, "encoder": pipeline}, len(photos), args.rounds)
        base, ours = rates["bare"], rates["encoder"]
        print(
            f"| {threads} | {base.wall:.1f} | {ours.wall:.1f} | {ours.wall / base.wall:.0%} "
            f"| {base.cpu:.1f} | {ours.cpu:.1f} | {ours.cpu / base.cpu:.0%} |"
        )


if __name__ == "__main__":
    main()

"""Render latency: what a worker adds to a pipeline call (CPU), and model latency (GPU).

    .venv/bin/python bench/render.py [--runs 20]                 # CPU, tiny pipeline
    .venv/bin/python bench/render.py --gpu [--sdxl DIR] [--flux DIR] [--runs 5]
    .venv/bin/python bench/render.py --gpu --dry-run              # the GPU code, tiny, on a CPU

CPU: a tiny random-weight pipeline (64 px, 2 steps, 1 torch thread), 1 and 4 designs a task,
interleaved: the bare pipeline call, ``DiffusersRenderer.render`` (+ WebP), and
``CeleryWorkers.render_designs`` through a real ``stylegenie worker --queues gpu --pool solo``
(Redis, a fresh PostgreSQL database: queueing, moderation, WebP, storage). Overhead per task
= worker − renderer; target <= 50 ms. GPU: end to end (prompts → WebP) for 4 × 512 px and
1 × 1024 px, SDXL-Turbo (1 step, fp16) and FLUX.1-schnell (4 steps, bf16), and peak memory;
target 4 × 512 px under 1 s on an H100. Weights load from local folders only; without them a
random-weight pipeline of the same architecture (published configs below, same FLOPs) is
built on the GPU and labelled so. FLUX has no T5 tokenizer offline: its own text encoders
then run on random token ids. ``--dry-run``: the same code, tiny, on a CPU.
"""

from __future__ import annotations

import argparse
import gc
import inspect
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
from common import scratch_database

for _key, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"),
                     ("LITELLM_LOCAL_MODEL_COST_MAP", "True")):
    os.environ.setdefault(_key, _value)

REDIS = "redis://127.0.0.1:6379/0"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGET_OVERHEAD_MS = 50.0
MODEL_DTYPES = {"sdxl": "float16", "flux": "bfloat16"}  # as the renderer loads them on CUDA

# Published configs (stabilityai/sdxl-turbo, black-forest-labs/FLUX.1-schnell); defaults omitted.
CLIP_L = dict(hidden_size=768, intermediate_size=3072, num_hidden_layers=12,
              num_attention_heads=12, hidden_act="quick_gelu", projection_dim=768,
              max_position_embeddings=77, vocab_size=49408)
CLIP_BIG_G = dict(CLIP_L, hidden_size=1280, intermediate_size=5120, num_hidden_layers=32,
                  num_attention_heads=20, hidden_act="gelu", projection_dim=1280)
SDXL_UNET = dict(sample_size=128, in_channels=4, out_channels=4, layers_per_block=2,
                 block_out_channels=[320, 640, 1280], attention_head_dim=[5, 10, 20],
                 transformer_layers_per_block=[1, 2, 10], cross_attention_dim=2048,
                 down_block_types=["DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"],
                 up_block_types=["CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"],
                 use_linear_projection=True, addition_embed_type="text_time",
                 addition_time_embed_dim=256, projection_class_embeddings_input_dim=2816)
SDXL_VAE = dict(block_out_channels=[128, 256, 512, 512], layers_per_block=2, latent_channels=4,
                down_block_types=["DownEncoderBlock2D"] * 4,
                up_block_types=["UpDecoderBlock2D"] * 4, sample_size=1024,
                scaling_factor=0.13025, force_upcast=True)
SDXL_SCHEDULER = dict(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                      steps_offset=1, timestep_spacing="trailing")  # EulerAncestralDiscrete
FLUX_TRANSFORMER = dict(patch_size=1, in_channels=64, num_layers=19, num_single_layers=38,
                        attention_head_dim=128, num_attention_heads=24, joint_attention_dim=4096,
                        pooled_projection_dim=768, guidance_embeds=False,
                        axes_dims_rope=[16, 56, 56])
T5_XXL = dict(d_model=4096, d_ff=10240, d_kv=64, num_heads=64, num_layers=24, vocab_size=32128,
              feed_forward_proj="gated-gelu", layer_norm_epsilon=1e-6)
FLUX_VAE = dict(SDXL_VAE, latent_channels=16, scaling_factor=0.3611, shift_factor=0.1159,
                use_quant_conv=False, use_post_quant_conv=False)
FLUX_SCHEDULER = dict(num_train_timesteps=1000, shift=1.0, use_dynamic_shifting=False)
T5_TOKENS = 512  # FluxPipeline's default max_sequence_length, which the renderer keeps
TINY = {  # --dry-run: the same module types, a few channels each
    "clip": dict(hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                 num_attention_heads=4, projection_dim=32),
    "unet": dict(block_out_channels=[32, 64, 64], attention_head_dim=[2, 4, 4], sample_size=8,
                 transformer_layers_per_block=[1, 1, 1], layers_per_block=1,
                 cross_attention_dim=64, addition_time_embed_dim=8,
                 projection_class_embeddings_input_dim=6 * 8 + 32),
    "vae": dict(block_out_channels=[32] * 4, layers_per_block=1),
    "flux": dict(num_layers=1, num_single_layers=1, attention_head_dim=16, num_attention_heads=2,
                 joint_attention_dim=32, pooled_projection_dim=32, axes_dims_rope=[4, 6, 6]),
    "t5": dict(d_model=32, d_ff=37, d_kv=8, num_heads=4, num_layers=2),
}
PUBLISHED_PARAMS = {"sdxl unet": 2.567e9, "sdxl vae": 83.65e6, "sdxl text_encoder": 123.1e6,
                    "sdxl text_encoder_2": 694.7e6, "flux transformer": 11.90e9,
                    "flux vae": 83.82e6, "flux text_encoder": 123.1e6,
                    "flux text_encoder_2": 4.762e9}


def sized(config: dict[str, Any], part: str, tiny: bool) -> dict[str, Any]:
    """The published config, shrunk to a few channels for a dry run."""
    return {**config, **TINY[part]} if tiny else dict(config)


@contextmanager
def building(device: str, dtype: Any) -> Iterator[None]:
    """New modules get their weights on ``device`` in ``dtype`` at once (no fp32 CPU copy)."""
    import torch

    previous = torch.get_default_dtype()
    torch.set_default_dtype(dtype)
    try:
        with torch.device(device):
            yield
    finally:
        torch.set_default_dtype(previous)


def sdxl_modules(tiny: bool) -> dict[str, Any]:
    """SDXL-Turbo's UNet, VAE and two CLIP text encoders with random weights."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTextModelWithProjection

    return {
        "unet": UNet2DConditionModel(**sized(SDXL_UNET, "unet", tiny)),
        "vae": AutoencoderKL(**sized(SDXL_VAE, "vae", tiny)),
        "text_encoder": CLIPTextModel(CLIPTextConfig(**sized(CLIP_L, "clip", tiny))),
        "text_encoder_2": CLIPTextModelWithProjection(
            CLIPTextConfig(**sized(CLIP_BIG_G, "clip", tiny))),
    }


def flux_modules(tiny: bool) -> dict[str, Any]:
    """FLUX.1-schnell's transformer, VAE, CLIP-L and T5-XXL encoders with random weights."""
    from diffusers import AutoencoderKL, FluxTransformer2DModel
    from transformers import CLIPTextConfig, CLIPTextModel, T5Config, T5EncoderModel

    return {
        "transformer": FluxTransformer2DModel(**sized(FLUX_TRANSFORMER, "flux", tiny)),
        "vae": AutoencoderKL(**sized(FLUX_VAE, "vae", tiny)),
        "text_encoder": CLIPTextModel(CLIPTextConfig(**sized(CLIP_L, "clip", tiny))),
        "text_encoder_2": T5EncoderModel(T5Config(**sized(T5_XXL, "t5", tiny))),
    }


def random_pipeline(model: str, device: str, dtype: Any, tiny: bool, folder: Path) -> Any:
    """A same-architecture pipeline with random weights, built in place on ``device``."""
    import diffusers

    from stylegenie.adapters.random_pipelines import clip_tokenizer

    tokenizer = clip_tokenizer(folder / "clip-tokenizer")
    with building(device, dtype):
        modules = sdxl_modules(tiny) if model == "sdxl" else flux_modules(tiny)
    for module in modules.values():
        module.eval()
    if model == "sdxl":
        return diffusers.StableDiffusionXLPipeline(
            **modules, tokenizer=tokenizer, tokenizer_2=tokenizer,
            scheduler=diffusers.EulerAncestralDiscreteScheduler(**SDXL_SCHEDULER))
    return diffusers.FluxPipeline(
        **modules, tokenizer=tokenizer, tokenizer_2=None,
        scheduler=diffusers.FlowMatchEulerDiscreteScheduler(**FLUX_SCHEDULER))


def random_prompt_embeds(pipe: Any, count: int) -> dict[str, Any]:
    """FLUX prompt embeddings from its own CLIP and T5 encoders fed random token ids."""
    import torch

    device, dtype = pipe.transformer.device, pipe.transformer.dtype
    clip_ids = torch.randint(0, pipe.text_encoder.config.vocab_size - 2, (count, 77), device=device)
    t5_ids = torch.randint(0, pipe.text_encoder_2.config.vocab_size, (count, T5_TOKENS),
                           device=device)
    pooled = pipe.text_encoder(clip_ids).pooler_output
    embeds = pipe.text_encoder_2(t5_ids)[0]
    return {"prompt_embeds": embeds.to(dtype), "pooled_prompt_embeds": pooled.to(dtype)}


def draw(pipe: Any, designs: Sequence[Any], plan: Any, device: str, *, encode: bool = True,
         random_prompts: bool = False) -> list[Any]:
    """One batch with the renderer's arguments (a seeded generator per image), WebP-encoded."""
    import torch

    from stylegenie.adapters.image_encoding import encode_image

    arguments: dict[str, Any] = {
        "num_inference_steps": plan.steps, "guidance_scale": plan.guidance,
        "height": plan.size, "width": plan.size,
        "generator": [torch.Generator(device).manual_seed(d.seed) for d in designs],
    }
    with torch.inference_mode():
        if random_prompts:
            arguments.update(random_prompt_embeds(pipe, len(designs)))
        else:
            arguments["prompt"] = [d.prompt for d in designs]
            if "negative_prompt" in inspect.signature(pipe.__call__).parameters:
                arguments["negative_prompt"] = [d.negative_prompt for d in designs]
        images = pipe(**arguments).images
    return [encode_image(i, "webp", 90, max_side=plan.size) for i in images] if encode else images


def sample_designs(count: int) -> list[Any]:
    """``count`` designs of one brief, with fixed seeds."""
    from stylegenie.core.domain import DesignBrief
    from stylegenie.core.prompting import designs_for_brief

    brief = DesignBrief(garment="dress", colours=["Sage"], fabric="linen")
    return designs_for_brief(brief, count, "pending", random.Random(count))


def timed(call: Callable[[], Any]) -> float:
    """Milliseconds one call takes."""
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def p50_p95(values: Sequence[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    return float(np.percentile(values, 50)), float(np.percentile(values, 95))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """A Markdown table."""
    print("| " + " | ".join(headers) + " |\n|" + "---|" * len(headers))
    for row in rows:
        print("| " + " | ".join(f"{c:.1f}" if isinstance(c, float) else str(c) for c in row) + " |")


# ---------------------------------------------------------------- CPU: what a worker adds


def flat_env(values: dict[str, Any], prefix: str = "STYLEGENIE_") -> dict[str, str]:
    """Nested settings as ``STYLEGENIE_SECTION__KEY`` environment variables."""
    env: dict[str, str] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            env.update(flat_env(value, f"{prefix}{key.upper()}__"))
        else:
            env[f"{prefix}{key.upper()}"] = str(value)
    return env


@contextmanager
def scratch_space() -> Iterator[tuple[str, str]]:
    """A new PostgreSQL database and a unique Redis key prefix, both removed afterwards."""
    import redis

    prefix = f"sgbench:{uuid.uuid4().hex[:10]}:"
    try:
        with scratch_database(PG_ADMIN) as url:
            yield url, prefix
    finally:
        client = redis.Redis.from_url(REDIS)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


@contextmanager
def worker_process(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``stylegenie worker --queues gpu --pool solo``, once ready; stopped (TERM, then KILL)."""
    command = [sys.executable, "-m", "stylegenie.bots.cli", "worker", "--queues", "gpu",
               "--pool", "solo", "--hostname", f"bench-{uuid.uuid4().hex[:6]}@%h"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   cwd=log.parent, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while " ready." not in log.read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the worker did not start:\n" + log.read_text()[-2000:])
            time.sleep(0.2)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def peak_rss_mib(pid: int) -> float | None:
    """A process's peak resident memory (VmHWM), when /proc tells it."""
    status = Path(f"/proc/{pid}/status")
    lines = status.read_text().splitlines() if status.exists() else []
    return next((int(line.split()[1]) / 1024 for line in lines if line.startswith("VmHWM:")), None)


def cpu_bench(runs: int) -> None:
    """Pipeline vs renderer vs a real worker, 1 and 4 designs per task, interleaved."""
    import torch
    from diffusers import AutoPipelineForText2Image

    from stylegenie.adapters.diffusers_renderer import DiffusersRenderer
    from stylegenie.adapters.random_pipelines import save_tiny_pipeline
    from stylegenie.bots.wiring import configure_celery
    from stylegenie.config import Settings
    from stylegenie.config.settings import RenderSettings
    from stylegenie.gpu_workers.client import CeleryWorkers

    torch.set_num_threads(1)
    load_before = os.getloadavg()[0]
    with (tempfile.TemporaryDirectory(prefix="sg-render-bench-") as tmp,
          scratch_space() as (db_url, prefix)):
        folder = str(save_tiny_pipeline(Path(tmp) / "tiny"))
        values: dict[str, Any] = {
            "data_dir": Path(tmp) / "data", "database": {"url": db_url},
            "redis": {"key_prefix": prefix},
            "workers": {"mode": "celery", "broker_url": REDIS, "result_backend": REDIS},
            "render": {"backend": "diffusers", "model": folder, "preset": "custom",
                       "steps": 2, "guidance": 0.0, "image_size": 64, "device": "cpu"},
        }
        render = RenderSettings(**values["render"])
        pipe = AutoPipelineForText2Image.from_pretrained(folder, local_files_only=True)
        pipe.set_progress_bar_config(disable=True)
        configure_celery(Settings(_env_file=None, **values))  # type: ignore[call-arg]
        calls = {
            "pipeline": lambda ds: draw(pipe, ds, render.plan(), "cpu", encode=False),
            "renderer": DiffusersRenderer(render, lambda ref: Path(ref).read_bytes()).render,
            "worker": CeleryWorkers(timeout_s=120).render_designs,
        }
        env = {**os.environ, **flat_env(values), "OMP_NUM_THREADS": "1"}
        times: dict[tuple[str, int], list[float]] = {(c, n): [] for c in calls for n in (1, 4)}
        with worker_process(env, Path(tmp) / "worker.log") as worker:
            for n in (1, 4):
                designs = sample_designs(n)
                for call in calls.values():
                    call(designs)  # warm-up: loads models; the worker builds its runtime
                for _ in range(runs):
                    for name, call in calls.items():
                        times[name, n].append(timed(partial(call, designs)))
            rss = peak_rss_mib(worker.pid)
    report_cpu(times, runs, rss, (load_before, os.getloadavg()[0]))


def report_cpu(times: dict[tuple[str, int], list[float]], runs: int, rss: float | None,
               load: tuple[float, float]) -> None:
    """The latency and overhead table, and whether the target is met."""
    rows: list[list[Any]] = []
    overheads = []
    for n in (1, 4):
        stats = {name: p50_p95(times[name, n]) for name in ("pipeline", "renderer", "worker")}
        overhead = [w - r for w, r in zip(stats["worker"], stats["renderer"], strict=True)]
        paired = p50_p95([w - r for w, r in zip(times["worker", n], times["renderer", n],
                                                strict=True)])
        overheads.append(overhead[0])
        rows += [[n, "pipeline call (no encoding)", *stats["pipeline"]],
                 [n, "DiffusersRenderer.render (pipeline + WebP)", *stats["renderer"]],
                 [n, "worker, end to end", *stats["worker"]],
                 [n, "**overhead = worker − renderer**", *overhead],
                 [n, "overhead, paired run by run", *paired],
                 [n, "overhead = worker − pipeline",
                  *(w - p for w, p in zip(stats["worker"], stats["pipeline"], strict=True))]]
    print(f"\nCPU, tiny random-weight pipeline (64 px, 2 steps, 1 torch thread), {runs} runs, "
          f"load average {load[0]:.1f} → {load[1]:.1f} on {os.cpu_count()} cores\n")
    print_table(["designs per task", "measurement", "p50 ms", "p95 ms"], rows)
    verdict = "met" if max(overheads) <= TARGET_OVERHEAD_MS else "NOT met"
    print(f"\nTarget <= {TARGET_OVERHEAD_MS:.0f} ms overhead per task (p50, worker − renderer): "
          f"{verdict} ({' / '.join(f'{o:.1f}' for o in overheads)} ms for 1 / 4 designs).")
    if rss is not None:
        print(f"Worker peak RSS: {rss:.0f} MiB.")


# ---------------------------------------------------------------- GPU: model latency


def gpu_pipeline(model: str, path: Path | None, device: str, dry_run: bool,
                 tmp: Path) -> tuple[Any, str, bool]:
    """(pipeline, weights label, random prompts?) from a local folder, else random weights."""
    import torch

    dtype = getattr(torch, "float32" if device == "cpu" else MODEL_DTYPES[model])
    if path is not None and path.is_dir():
        from diffusers import AutoPipelineForText2Image

        pipe = AutoPipelineForText2Image.from_pretrained(path, dtype=dtype,
                                                         local_files_only=True).to(device)
        pipe.set_progress_bar_config(disable=True)
        return pipe, f"local weights ({path.name})", False
    why = f"--{model} not given" if path is None else f"{path} is not a folder"
    print(f"{model}: {why}: NO REAL WEIGHTS, timing a random-weight pipeline of the same "
          "architecture instead (published config, same FLOPs; images are noise).",
          file=sys.stderr)
    pipe = random_pipeline(model, device, dtype, dry_run, tmp)
    pipe.set_progress_bar_config(disable=True)
    return pipe, "random weights, same architecture (same FLOPs)", model == "flux"


def gpu_bench(args: argparse.Namespace) -> None:
    """p50/p95 end to end and peak GPU memory for each model and case."""
    import torch

    from stylegenie.config.settings import RENDER_PRESETS

    device = "cpu" if args.dry_run else "cuda"
    if device == "cuda" and not torch.cuda.is_available():
        sys.exit("--gpu needs a CUDA device (or --dry-run to check the code on a CPU)")
    cases = [(4, 64), (1, 128)] if args.dry_run else [(4, 512), (1, 1024)]
    runs = 2 if args.dry_run else args.runs or 5
    if args.dry_run:
        torch.set_num_threads(1)
    rows: list[list[Any]] = []
    with tempfile.TemporaryDirectory(prefix="sg-gpu-bench-") as tmp:
        sdxl = args.sdxl
        if args.dry_run and sdxl is None:  # the dry run checks the local-folder path too
            sdxl = Path(tmp) / "tiny-sdxl"
            random_pipeline("sdxl", "cpu", torch.float32, True, Path(tmp)).save_pretrained(sdxl)
        for model, path, preset in (("sdxl", sdxl, "sdxl-turbo"),
                                    ("flux", args.flux, "flux-schnell")):
            pipe, label, random_prompts = gpu_pipeline(model, path, device, args.dry_run, Path(tmp))
            for count, size in cases:
                plan = RENDER_PRESETS[preset]._replace(size=size)
                if device == "cuda":
                    torch.cuda.reset_peak_memory_stats()
                call = partial(draw, pipe, sample_designs(count), plan, device,
                               random_prompts=random_prompts)
                times = [timed(call) for _ in range(runs + 1)][1:]  # the first warms up
                peak = torch.cuda.max_memory_allocated() / 2**30 if device == "cuda" else "n/a"
                rows.append([preset, label, f"{count} × {size} px", plan.steps, runs,
                             *p50_p95(times), peak])
            del pipe, call
            gc.collect()
            if device == "cuda":
                torch.cuda.empty_cache()
    where = torch.cuda.get_device_name(0) if device == "cuda" else "CPU dry run, tiny sizes"
    print(f"\nEnd to end (prompts → pipeline → WebP), {where}\n")
    print_table(["model", "weights", "images", "steps", "runs", "p50 ms", "p95 ms",
                 "peak GPU GiB"], rows)
    if args.dry_run:
        count_parameters()


def quiet_libraries() -> None:
    """Hide per-call notes (SDXL's VAE upcast, deprecations, NaN casts of random weights)."""
    import warnings

    from diffusers.utils import logging as diffusers_logging
    from transformers.utils import logging as transformers_logging

    for logs in (diffusers_logging, transformers_logging):
        logs.set_verbosity_error()
        logs.disable_progress_bar()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message="invalid value encountered in cast")


def count_parameters() -> None:
    """Full-size modules on the meta device (no memory): parameters vs the published counts."""
    import torch

    rows = []
    with building("meta", torch.bfloat16):
        for model, modules in (("sdxl", sdxl_modules(False)), ("flux", flux_modules(False))):
            for part, module in modules.items():
                count = sum(p.numel() for p in module.parameters())
                published = PUBLISHED_PARAMS[f"{model} {part}"]
                ok = "ok" if abs(count - published) / published < 0.01 else "DIFFERS"
                rows.append([model, part, type(module).__name__, f"{count / 1e6:,.1f} M",
                             f"{published / 1e6:,.1f} M", ok])
    print("\nFull-size modules from the configs above (meta device)\n")
    print_table(["model", "part", "class", "parameters", "published", "check"], rows)


def main() -> None:
    """The CPU overhead benchmark, or the GPU latency benchmark with --gpu."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gpu", action="store_true", help="SDXL-Turbo and FLUX.1-schnell")
    parser.add_argument("--sdxl", type=Path, help="local SDXL-Turbo folder (diffusers layout)")
    parser.add_argument("--flux", type=Path, help="local FLUX.1-schnell folder")
    parser.add_argument("--dry-run", action="store_true", help="GPU code, tiny sizes, on a CPU")
    parser.add_argument("--runs", type=int, help="timed runs per case (CPU 20, GPU 5)")
    args = parser.parse_args()
    quiet_libraries()
    if args.gpu or args.dry_run:
        gpu_bench(args)
    else:
        cpu_bench(args.runs or 20)


if __name__ == "__main__":
    main()

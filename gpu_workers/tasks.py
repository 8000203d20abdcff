"""The heavy tasks: render designs and search products. Arguments and results are JSON."""

from __future__ import annotations

from typing import Any

from stylegenie.core.domain import Design
from stylegenie.core.ports import SearchQuery

from . import runtime
from .celery_app import app


@app.task(name="stylegenie.render_designs", bind=True)
def render_designs(self: Any, designs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Draw each design, store its image, and return the designs with their image references."""
    worker = runtime.current()
    rendered = []
    for number, raw in enumerate(designs, start=1):
        design = Design.model_validate(raw)
        if not self.request.called_directly and not app.conf.task_always_eager:
            self.update_state(state="PROGRESS", meta={"done": number - 1, "total": len(designs)})
        data = worker.renderer.render(design)
        ref = worker.images.put(f"{design.id}.png", data)
        rendered.append(
            design.model_copy(update={"image_ref": ref, "model": worker.renderer.model_name})
        )
    return [design.model_dump(mode="json") for design in rendered]


@app.task(name="stylegenie.search_products")
def search_products(query: dict[str, Any]) -> list[dict[str, Any]]:
    """Search and rank products for a query; hits as JSON."""
    hits = runtime.current().searcher.search(SearchQuery.model_validate(query))
    return [hit.model_dump(mode="json") for hit in hits]

"""`wirestream schemas export`: JSON Schema of every wire message, of the sources file, and the index
template, into schemas/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.index.template import index_template
from pipeline.messages import MODELS
from pipeline.scrape.sources import SourcesFile

#: Relative to the working directory: run from a checkout's root, it is the committed schemas/.
DEFAULT_DIR = Path("schemas")
DEFAULT_ALIAS = "news-stories"


def rendered() -> dict[str, str]:
    """File name -> exact file content, as committed in schemas/."""
    files: dict[str, Any] = {
        f"{name}.schema.json": model.model_json_schema() for name, model in MODELS.items()
    }
    files["sources.schema.json"] = SourcesFile.model_json_schema()
    files["index-template.json"] = index_template(DEFAULT_ALIAS)
    return {
        name: json.dumps(doc, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
        for name, doc in files.items()
    }


def export(directory: Path = DEFAULT_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in rendered().items():
        path = directory / name
        path.write_text(content)
        written.append(path)
    return written

"""The README's list of cloud video models, made from the providers' tables
(foundry_desktop/generation/cloud/catalog/model_tables.py), so that it cannot go stale:
tests/test_readme_cloud_models.py fails when the README differs from what this prints.

    python bench/readme_cloud_models.py          # print the section
    python bench/readme_cloud_models.py --write  # put it into README.md between its markers
"""

from __future__ import annotations

import sys
from pathlib import Path

from foundry_desktop.app.generation.cloud_models import price_words
from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES

README = Path(__file__).resolve().parent.parent / "README.md"
BEGIN = "<!-- cloud models: made by bench/readme_cloud_models.py from the providers' tables -->"
END = "<!-- end of cloud models -->"


def cloud_models_markdown() -> str:
    """The lines between the markers: one table per provider, each model with what it accepts,
    its price and the date those facts were checked against the provider's schema."""
    lines = [BEGIN, ""]
    if not VIDEO_MODEL_TABLES:
        lines += ["No provider lists its models yet.", ""]
    for provider, table in VIDEO_MODEL_TABLES.items():
        lines += [f"**{provider}** (`--backend {provider}`, `foundry key set {provider}`)", "",
                  "| Model | Accepts | Price | Checked |", "|---|---|---|---|"]
        lines += [f"| {model.label} (`{model.id}`) | {model.accepts_words()} | {price_words(model.price)} | "
                  f"{model.checked} |" for model in table.values()]
        lines.append("")
    return "\n".join([*lines, END])


def readme_section(text: str) -> str | None:
    """The section as the README has it now (None: its markers are missing)."""
    start, end = text.find(BEGIN), text.find(END)
    return text[start:end + len(END)] if start >= 0 and end > start else None


def main() -> int:
    section = cloud_models_markdown()
    if "--write" not in sys.argv[1:]:
        print(section)
        return 0
    text = README.read_text(encoding="utf-8")
    current = readme_section(text)
    if current is None:
        print(f"README.md has no {BEGIN!r} ... {END!r} markers", file=sys.stderr)
        return 1
    README.write_text(text.replace(current, section), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

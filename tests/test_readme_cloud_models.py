"""The README's list of cloud video models is the providers' tables, with the dates they were
checked: a table changed without the README (or the other way round) fails here."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _maker():
    spec = importlib.util.spec_from_file_location("readme_cloud_models", ROOT / "bench" / "readme_cloud_models.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_lists_every_providers_models_as_the_tables_say():
    maker = _maker()
    section = maker.readme_section((ROOT / "README.md").read_text(encoding="utf-8"))
    assert section is not None, "README.md lost its cloud models markers"
    assert section == maker.cloud_models_markdown(), (
        "README.md's cloud models differ from the tables: run `python bench/readme_cloud_models.py --write`")


def test_the_section_names_each_model_with_its_price_and_date(monkeypatch):
    from listed_models import runway_listed

    runway_listed(monkeypatch)
    from foundry_desktop.generation.cloud.catalog.model_tables import VIDEO_MODEL_TABLES

    section = _maker().cloud_models_markdown()
    for model in VIDEO_MODEL_TABLES["runway"].values():
        (row,) = [line for line in section.splitlines() if line.startswith(f"| {model.label} (`{model.id}`) |")]
        price = "per second" if model.price is not None else "price not known beforehand"
        assert model.accepts_words() in row and row.endswith(f"| {model.checked} |") and price in row

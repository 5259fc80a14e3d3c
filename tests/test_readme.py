"""The README's configuration table lists every setting, with its current default."""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.config import Settings

README = Path(__file__).resolve().parents[1] / "README.md"


def test_every_setting_is_in_the_configuration_table() -> None:
    rows = dict(re.findall(r"^\| `WIRESTREAM_([A-Z0-9_]+)` \|([^|]*)\|", README.read_text(), re.MULTILINE))
    assert set(rows) == {name.upper() for name in Settings.model_fields}
    for name, field in Settings.model_fields.items():
        default = field.default
        if isinstance(default, (int, float, str)) and not isinstance(default, bool) and default != "":
            assert rows[name.upper()].strip() == f"`{default}`", name

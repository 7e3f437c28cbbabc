"""Where an entity's data lives: raw objects (DESIGN.md boundary 5) and its Delta table with state beside it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    entity: str
    raw_root: str
    lake_root: str

    raw_prefix = property(lambda self: f"{self.raw_root.rstrip('/')}/raw/entity={self.entity}/")
    table = property(lambda self: f"{self.lake_root.rstrip('/')}/{self.entity}")
    state = property(lambda self: f"{self.lake_root.rstrip('/')}/_cdc_state/{self.entity}")
    # Where tombstones were kept before they lived in the table (see merge.fold_legacy_tombstones).
    legacy_tombstones = property(lambda self: f"{self.state}/tombstones")
    processed_log = property(lambda self: f"{self.state}/processed_files")
    checkpoint = property(lambda self: f"{self.state}/stream_checkpoint")

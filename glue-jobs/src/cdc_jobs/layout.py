"""Where an entity's data lives: raw objects (DESIGN.md boundary 5) and its Delta table with state beside it."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    entity: str
    raw_root: str
    lake_root: str

    @property
    def raw_prefix(self) -> str:
        return f"{self.raw_root.rstrip('/')}/raw/entity={self.entity}/"

    @property
    def table(self) -> str:
        return f"{self.lake_root.rstrip('/')}/{self.entity}"

    @property
    def state(self) -> str:
        return f"{self.lake_root.rstrip('/')}/_cdc_state/{self.entity}"

    @property
    def legacy_tombstones(self) -> str:
        """Where tombstones were kept before they lived in the table (see merge.fold_legacy_tombstones)."""
        return f"{self.state}/tombstones"

    @property
    def processed_log(self) -> str:
        return f"{self.state}/processed_files"

    @property
    def checkpoint(self) -> str:
        return f"{self.state}/stream_checkpoint"

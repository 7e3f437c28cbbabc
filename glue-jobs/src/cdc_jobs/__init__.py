"""cdc-pipeline's Spark jobs: merge the raw change events into one Delta table per entity."""

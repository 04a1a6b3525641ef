"""Read paths of the progress app (the query shape lives here), one module per area."""

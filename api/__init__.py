"""The HTTP edge: routes, dependencies and the mapping of errors to HTTP. Nothing else."""

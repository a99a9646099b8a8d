"""digilead benchmarks (`make bench`): run time, file-to-mart latency under `dagster dev`, memory peak."""

"""Great Expectations suites from `expectations/`, run on a file's validation frame in chunks."""

from pipelines.validation.runner import (
    FailedCheck,
    ValidationOutcome,
    prepare_in_background,
    validate_batches,
    validate_files,
)
from pipelines.validation.suites import expectations_dir, load_suite_spec

__all__ = [
    "FailedCheck",
    "ValidationOutcome",
    "expectations_dir",
    "load_suite_spec",
    "prepare_in_background",
    "validate_batches",
    "validate_files",
]

"""Learner references as HR compares them (both forms carry e-mails)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa

from pipelines.sources.readers import STRING, clean_text


def email_refs(series: pd.Series) -> pd.Series:
    """E-mail references as HR compares them: `mailto:` (any case) and surrounding spaces removed."""
    return per_distinct(series, lambda email: re.sub(r"(?i)^\s*mailto:", "", email).strip() or None)


def per_distinct(series: pd.Series, convert) -> pd.Series:
    """STRING: `convert` applied once per distinct non-empty value (few distinct values, many rows)."""
    codes, distinct = pd.factorize(clean_text(series))
    converted = pa.array([*(convert(value) for value in distinct.tolist()), None], pa.string())
    return pd.Series(converted.take(np.where(codes < 0, len(distinct), codes)), index=series.index, dtype=STRING)

"""Row numbers of chunk ids in an index whose rows are stored in chunk id order."""
from __future__ import annotations

import numpy as np


def rows_for(sorted_chunk_ids: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Rows (positions in sorted_chunk_ids) of the wanted chunk ids that are present."""
    wanted = np.asarray(wanted, dtype=np.int64)
    if len(sorted_chunk_ids) == 0 or len(wanted) == 0:
        return np.zeros(0, dtype=np.int64)
    pos = np.minimum(np.searchsorted(sorted_chunk_ids, wanted), len(sorted_chunk_ids) - 1)
    return pos[sorted_chunk_ids[pos] == wanted].astype(np.int64)

# Copyright (c) mmjotr contributors. All rights reserved.
import pytest

from mmjotr.body_models.standin.mesh import solve_ring_counts
from mmjotr.body_models.standin.skeleton import part_specs


def test_ring_solver_hits_smpl_vertex_count():
    specs = part_specs()
    counts = solve_ring_counts(specs)
    assert sum(r * s.segments + 2 for r, s in zip(counts, specs)) == 6890
    with pytest.raises(ValueError, match='exactly 7'):
        solve_ring_counts(specs, total=7)

# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
from benchmark_smpl import benchmark_smpl


def test_benchmark_reports_both_models(standin_body_model_dir):
    result = benchmark_smpl(
        standin_body_model_dir, batch_size=2, iters=2, warmup=1)
    assert result['batch_size'] == 2
    assert result['mmjotr_ms_per_sample'] > 0
    assert result['smplx_ms_per_sample'] > 0
    assert result['ratio'] == pytest.approx(result['mmjotr_ms_per_sample'] /
                                            result['smplx_ms_per_sample'])

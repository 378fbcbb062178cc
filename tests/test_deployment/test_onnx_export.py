# Copyright (c) mmjotr contributors. All rights reserved.
import pytest
import torch

from mmjotr.deployment import (INPUT_NAMES, OUTPUT_NAMES, JOTRTensorModel,
                               OnnxRuntimeJOTR, export_onnx,
                               max_abs_differences)
from mmjotr.structures import MeshTargets
from mmjotr.testing import synthetic_batch

onnx = pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')


@pytest.fixture(scope='module')
def exported(tiny_jotr, tmp_path_factory):
    model = tiny_jotr.eval()
    path = str(tmp_path_factory.mktemp('onnx') / 'tiny.onnx')
    export_onnx(model, path, batch_size=2)
    return model, path


def test_graph_has_no_5d_grid_sample(exported):
    _, path = exported
    graph = onnx.load(path).graph
    assert [i.name for i in graph.input] == list(INPUT_NAMES)
    assert [o.name for o in graph.output] == list(OUTPUT_NAMES)
    ops = {node.op_type for node in graph.node}
    assert 'GridSample' not in ops and 'GatherElements' in ops


def test_onnxruntime_matches_pytorch_fp32(exported):
    model, path = exported
    runner = OnnxRuntimeJOTR(path, model.data_preprocessor, num_threads=1)
    # batch 3: the traced batch was 2, the batch axis is dynamic
    diffs = max_abs_differences(model, runner.forward_tensors, 3)
    assert diffs['vertices'] <= 1e-4, diffs  # metres
    assert diffs['joints_3d'] <= 1e-4, diffs
    assert diffs['joints_crop'] <= 1e-2, diffs  # crop pixels
    assert diffs['smpl_pose'] <= 1e-3, diffs


def test_onnxruntime_predictions_equal_pytorch(exported):
    model, path = exported
    runner = OnnxRuntimeJOTR(path, model.data_preprocessor, num_threads=1)
    expected = model.test_step(synthetic_batch(2, seed=5))
    got = runner.test_step(synthetic_batch(2, seed=5))
    for want, have in zip(expected, got):
        want, have = want.pred_instances, have.pred_instances
        assert set(want.keys()) == set(have.keys())
        for key in ('vertices', 'keypoints_3d', 'cam_t', 'smpl_betas'):
            torch.testing.assert_close(
                have.get(key), want.get(key), atol=1e-4, rtol=0)
        torch.testing.assert_close(
            have.keypoints, want.keypoints, atol=1e-2, rtol=0)
        torch.testing.assert_close(have.bboxes, want.bboxes)


def test_tensor_wrapper_is_the_tensor_mode(tiny_jotr):
    model = tiny_jotr.eval()
    data = model.data_preprocessor(synthetic_batch(2, seed=6))
    keypoints, mask = MeshTargets.input_pose(data['data_samples'],
                                             torch.device('cpu'))
    with torch.no_grad():
        outputs = JOTRTensorModel(model)(data['inputs'], keypoints, mask)
        ref = model(**data, mode='tensor')
    for name, value in zip(OUTPUT_NAMES, outputs):
        assert torch.equal(value, getattr(ref, name)), name


def test_errors(exported, tmp_path):
    model, path = exported
    model._conv_bn_fused = True
    try:
        with pytest.raises(ValueError, match='BN folded'):
            export_onnx(model, str(tmp_path / 'x.onnx'))
    finally:
        del model._conv_bn_fused
    # a graph with other inputs / outputs is refused by name
    other = tmp_path / 'other.onnx'
    torch.onnx.export(
        torch.nn.Linear(2, 2), (torch.zeros(1, 2), ),
        str(other),
        input_names=['x'],
        dynamo=False)
    with pytest.raises(ValueError, match='expected inputs'):
        OnnxRuntimeJOTR(str(other))


def test_default_providers_prefer_cuda(exported):
    from mmjotr.deployment import default_providers
    assert default_providers(['CPUExecutionProvider'
                              ]) == ['CPUExecutionProvider']
    assert default_providers([
        'TensorrtExecutionProvider', 'CUDAExecutionProvider',
        'CPUExecutionProvider'
    ]) == ['CUDAExecutionProvider', 'CPUExecutionProvider']
    # this machine's build: the session runs on what is available
    import onnxruntime as ort
    _, path = exported
    runner = OnnxRuntimeJOTR(path, num_threads=1)
    assert runner.session.get_providers() == default_providers(
        ort.get_available_providers())

# Copyright (c) mmjotr contributors. All rights reserved.
"""tools/deployment/pytorch2onnx.py on the tiny config."""
import os
import os.path as osp
import re
import subprocess
import sys

import pytest

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))

pytest.importorskip('onnx')
pytest.importorskip('onnxruntime')


def test_pytorch2onnx_exports_and_verifies(tmp_path, standin_body_model_dir):
    output = tmp_path / 'tiny.onnx'
    env = dict(
        os.environ,
        OMP_NUM_THREADS='1',
        PYTHONPATH=os.pathsep.join([ROOT,
                                    os.environ.get('PYTHONPATH', '')]))
    result = subprocess.run([
        sys.executable,
        osp.join(ROOT, 'tools', 'deployment', 'pytorch2onnx.py'),
        osp.join(ROOT, 'configs', 'jotr',
                 'jotr_tiny_1xb4_standin-256x256.py'), '--output-file',
        str(output), '--verify', '--cfg-options',
        f'model.head.body_model_dir={standin_body_model_dir}'
    ],
                            env=env,
                            capture_output=True,
                            text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    assert output.is_file()
    log = result.stdout + result.stderr
    diffs = dict(
        re.findall(r'max \|onnxruntime - pytorch\| (\w+): (\S+)', log))
    assert set(diffs) >= {'vertices', 'joints_3d', 'smpl_pose'}, log[-2000:]
    assert float(diffs['vertices']) <= 1e-4

# Copyright (c) mmjotr contributors. All rights reserved.
import subprocess
import sys
import textwrap


def _run(script: str) -> str:
    out = subprocess.run([sys.executable, '-c',
                          textwrap.dedent(script)],
                         capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_loads_runner_checkpoint_in_a_fresh_process(tmp_path):
    """A checkpoint a Runner wrote (its message hub holds HistoryBuffer
    objects, pickled under CheckpointCompatHook's rule) loads for
    inference in a fresh process where no Runner hook ran:
    ``load_model_checkpoint`` installs the weights_only allowlist itself."""
    path = str(tmp_path / 'iter_1.pth')
    _run(f"""
        import torch
        from mmengine.logging import HistoryBuffer
        from torch import nn
        from mmjotr.utils import enable_safe_checkpoint_resume

        enable_safe_checkpoint_resume()  # what the Runner's hook does
        torch.manual_seed(0)
        buf = HistoryBuffer()
        buf.update(1.5)
        torch.save(dict(state_dict=nn.Linear(3, 2).state_dict(),
                        message_hub=dict(log_scalars=dict(loss=buf))),
                   {path!r})
        """)
    out = _run(f"""
        import torch
        from torch import nn
        try:  # torch >= 2.6: weights_only refuses the HistoryBuffer
            torch.load({path!r})
            print('plain torch.load loaded it')
        except Exception:
            print('plain torch.load refused it')
        from mmjotr.utils.checkpoint_io import load_model_checkpoint
        torch.manual_seed(0)
        expected = nn.Linear(3, 2)
        model = nn.Linear(3, 2)
        load_model_checkpoint(model, {path!r})
        assert torch.equal(model.weight, expected.weight)
        print('loaded')
        """)
    assert 'plain torch.load refused it' in out
    assert out.strip().endswith('loaded')

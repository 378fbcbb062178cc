# Copyright (c) mmjotr contributors. All rights reserved.
"""The curated list of realistic single-line bugs for ``mutation_check.py``.

Each mutant replaces one exact snippet (which must occur exactly once in
its file, so a refactor that moves the code makes the check fail loudly
instead of silently testing nothing) and names the test files expected to
catch it. Add mutants with every new module: a swapped argument, a dropped
mask, a sign flip, a wrong axis order, a widened allow-list, an off-by-one.
"""
from typing import NamedTuple, Tuple


class Mutant(NamedTuple):
    """One planted bug.

    Attributes:
        name (str): short identifier (``--only`` takes it).
        path (str): file, relative to the repository root.
        find (str): exact snippet; must occur once in the file.
        replace (str): what it becomes.
        tests (tuple of str): test files (or node ids) run against it.
        what (str): the bug in words.
    """
    name: str
    path: str
    find: str
    replace: str
    tests: Tuple[str, ...]
    what: str


LOSSES = 'tests/test_models/test_losses/'
UNTRUSTED = ('tests/test_utils/test_allowlist_unpickler.py',
             'tests/test_reliability/test_untrusted_files.py')

MUTANTS = (
    # --- the four bugs no test caught before issue 23
    Mutant('lambda-not-detached',
           'mmjotr/models/losses/base_joint_contrastive_loss.py',
           'warp = None if self.release_quirks else depth_exponent.detach()',
           'warp = None if self.release_quirks else depth_exponent',
           (LOSSES + 'test_joint_contrastive_losses.py', ),
           "the contrastive losses train the neck's depth exponent"),
    Mutant(
        'unpickler-any-builtin', 'mmjotr/utils/allowlist_unpickler.py',
        'target = self._allowed.get((module, name))',
        'target = self._allowed.get((module, name)) or (getattr('
        "__import__('builtins'), name, None) if module == 'builtins' "
        'else None)', UNTRUSTED,
        'the allow-list unpickler resolves any builtins name'),
    Mutant(
        'smpl-allows-getattr', 'mmjotr/body_models/smpl_pickle.py',
        "    ('builtins', 'frozenset'):\n",
        "    ('builtins', 'getattr'): getattr,\n"
        "    ('builtins', 'frozenset'):\n", UNTRUSTED,
        'getattr added to the SMPL pickle allow-list'),
    Mutant('guard-never-resets', 'mmjotr/engine/hooks/nonfinite_guard_hook.py',
           '            self.consecutive = 0\n            return\n',
           '            return\n',
           ('tests/test_reliability/test_nonfinite.py', ),
           'NonFiniteGuardHook never resets its consecutive-skip count'),
    # --- allow-lists and loading
    Mutant('checkpoint-allows-getattr', 'mmjotr/utils/checkpoint_compat.py',
           'torch.serialization.add_safe_globals([HistoryBuffer])',
           'torch.serialization.add_safe_globals([HistoryBuffer, getattr])',
           UNTRUSTED, "getattr added to torch's weights_only allow-list"),
    Mutant(
        'annotation-allows-eval', 'mmjotr/datasets/annotation_pickle.py',
        '_ALLOWED: Dict[Tuple[str, str], Any] = dict(NUMPY_ARRAY_GLOBALS)',
        '_ALLOWED: Dict[Tuple[str, str], Any] = {\n'
        "    **NUMPY_ARRAY_GLOBALS, ('builtins', 'eval'): eval}", UNTRUSTED,
        'eval added to the annotation pickle allow-list'),
    Mutant('nesting-unbounded', 'mmjotr/utils/allowlist_unpickler.py',
           'if depth > max_depth:', 'if depth > max_depth * 10**6:',
           ('tests/test_reliability/test_hostile_pickles.py::'
            'test_deep_nesting_is_named_not_a_recursion_error', ),
           'a deeply nested pickle reaches the readers unbounded'),
    Mutant('history-buffer-numpy', 'mmjotr/utils/checkpoint_compat.py',
           'return HistoryBuffer, (buffer._log_history.tolist(),',
           'return HistoryBuffer, (buffer._log_history,',
           ('tests/test_utils/test_checkpoint_compat.py', ),
           'checkpoints keep numpy arrays, which the allow-list refuses'),
    # --- metrics
    Mutant('pa-mpjpe-swapped', 'mmjotr/evaluation/functional/mesh_errors.py',
           'return mpjpe(similarity_procrustes_np(pred, gt), gt)',
           'return mpjpe(similarity_procrustes_np(gt, pred), pred)',
           ('tests/test_evaluation/', ),
           'PA-MPJPE aligns the ground truth to the prediction'),
    Mutant('visible-protocol-mean', 'mmjotr/evaluation/metrics/mesh_metric.py',
           'return err.sum(-1) / np.maximum(vis[:, idx].sum(-1), 1) * 1000.',
           'return err.mean(-1) * 1000.', ('tests/test_evaluation/', ),
           "MeshMetric's 'visible' protocol divides by all joints"),
    Mutant('mpjpe-weights-dropped',
           'mmjotr/evaluation/functional/mesh_errors.py',
           '        err = err * weights\n', '        err = err\n',
           ('tests/test_evaluation/', ),
           "MPJPE ignores the per-joint weights (Jiang et al.'s protocol)"),
    # --- geometry and codecs
    Mutant(
        'projection-sign', 'mmjotr/geometry/camera.py',
        'return (focal * cam_points[..., :2] / (cam_points[..., 2:] + '
        '1e-4) +',
        'return (-focal * cam_points[..., :2] / (cam_points[..., 2:] + '
        '1e-4) +', ('tests/test_geometry/test_camera.py', ),
        'the perspective projection mirrors the image'),
    Mutant('affine-transposed', 'mmjotr/geometry/camera.py',
           '        return xy @ linear.transpose(-1, -2) + offset',
           '        return xy @ linear + offset',
           ('tests/test_geometry/test_camera.py', ),
           'apply_affine uses the transposed linear part (Tensor path)'),
    Mutant('grid-offset', 'mmjotr/codecs/joint_volume.py',
           '    return points * 2 - 1\n', '    return points * 2 + 1\n',
           ('tests/test_codecs/test_joint_volume.py', ),
           'unit cube to grid_sample coordinates off by 2'),
    Mutant('depth-warp-unclamped', 'mmjotr/codecs/joint_volume.py',
           'z = points[..., 2:].clamp(min=0).pow(depth_exponent)',
           'z = points[..., 2:].pow(depth_exponent)',
           ('tests/test_codecs/test_joint_volume.py', ),
           'the depth warp of a negative depth is NaN'),
    # --- data pipeline
    Mutant('flip-after-rotation', 'mmjotr/datasets/transforms/mesh_affine.py',
           "lin = k * rot @ np.diag([-1. if flip else 1., 1.])",
           "lin = k * np.diag([-1. if flip else 1., 1.]) @ rot",
           ('tests/test_datasets/test_transforms/', ),
           'the crop mirrors after rotating (only differs with both)'),
    # --- losses
    Mutant('l1-mask-dropped', 'mmjotr/models/losses/masked_l1_loss.py',
           '            loss = loss * mask\n', '            loss = loss\n',
           (LOSSES + 'test_masked_l1_loss.py', ),
           'the masked L1 loss ignores its mask'),
    # --- tracking
    Mutant('tracker-no-velocity', 'mmjotr/apis/iou_tracker.py',
           "self._tracks[t]['box'] + self._tracks[t]['velocity'] *",
           "self._tracks[t]['box'] + 0 * self._tracks[t]['velocity'] *",
           ('tests/test_apis/test_tracking.py', ),
           'the tracker matches against the last box, not the predicted'),
    Mutant(
        'tracker-horizon-off-by-one', 'mmjotr/apis/iou_tracker.py',
        "(self._tracks[t]['age'] + 1) for t in track_ids",
        "(self._tracks[t]['age']) for t in track_ids",
        ('tests/test_apis/test_tracking.py', ),
        'a track unseen for k frames is predicted k frames ahead, '
        'not k + 1'),
    Mutant('procrustes-reflection', 'mmjotr/geometry/procrustes.py',
           '    d[..., -1] = det\n', '    d[..., -1] = 1.\n',
           ('tests/test_evaluation/test_functional/test_mesh_errors.py',
            'tests/test_geometry/test_procrustes.py'),
           'Procrustes alignment may mirror the prediction'),
    Mutant('princpt-swapped', 'mmjotr/apis/inference.py',
           'princpt = (width / 2., height / 2.)',
           'princpt = (height / 2., width / 2.)',
           ('tests/test_apis/test_inference_mesh.py', ),
           "the full-image camera's principal point has x and y swapped"),
    Mutant('focal-max-side', 'mmjotr/geometry/camera.py',
           'return float(math.hypot(height, width))',
           'return float(max(height, width))',
           ('tests/test_apis/test_inference_mesh.py', ),
           'the default focal length is the longer side, not the diagonal'),
    Mutant('truncated-video-count', 'mmjotr/apis/frame_source.py',
           'self.num_skipped += self.total - index\n',
           'self.num_skipped += self.total - index - 1\n',
           ('tests/test_apis/test_frame_source.py', ),
           'a given-up video under-counts its skipped frames by one'),
    Mutant('pelvis-check',
           'mmjotr/datasets/transforms/generate_mesh_targets.py',
           'if not cam_valid[0]:', 'if cam_valid[0] < 0:',
           ('tests/test_datasets/test_transforms/'
            'test_generate_mesh_targets.py', ),
           '3D joints without a pelvis are made root-relative anyway'),
    Mutant(
        'detector-nobody', 'mmjotr/apis/inferencers/mesh_inferencer.py',
        'if pred is None or len(pred) == 0 or not self._found_person('
        'bbox_thr):', 'if pred is None or len(pred) == 0:',
        ('tests/test_apis/test_mesh_inferencer.py', ),
        "a frame without persons yields mmpose's whole-image person"),
    Mutant('tracker-step-per-frame', 'mmjotr/apis/iou_tracker.py',
           "step = (box - track['box']) / (track['age'] + 1)",
           "step = (box - track['box'])",
           ('tests/test_apis/test_tracking.py', ),
           'the velocity after a gap is not divided by the frames missed'),
    Mutant('rotation-sign-with-flip',
           'mmjotr/datasets/transforms/mesh_affine.py',
           'theta = np.deg2rad(rot_deg)',
           'theta = np.deg2rad(-rot_deg if flip else rot_deg)',
           ('tests/test_datasets/test_transforms/', ),
           'a flipped crop rotates the other way'),
    Mutant('inverse-sigmoid-input-precision',
           'mmjotr/models/layers/joint_sampling.py',
           'x = x.float().clamp(min=0, max=1)', 'x = x.clamp(min=0, max=1)',
           ('tests/test_models/test_layers/test_joint_sampling.py', ),
           'inverse_sigmoid in fp16 overflows for a saturated joint'),
    Mutant('shutdown-without-destroy', 'mmjotr/utils/distributed_shutdown.py',
           '    dist.destroy_process_group()\n', '    dist.barrier()\n',
           ('tests/test_tools/test_dist_train.py', ),
           "a finished run leaves gloo's threads to interpreter exit"),
    Mutant('directory-fsync-strict', 'mmjotr/utils/checkpoint_io.py',
           'if err.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF,',
           'if err.errno not in (errno.EBADF,',
           ('tests/test_reliability/test_atomic_checkpoint.py', ),
           'a directory fsync refused by the file system fails the save'),
)

# Copyright (c) mmjotr contributors. All rights reserved.
"""The per-person record every mesh dataset adapter produces."""
import contextlib
import io
import json
import os.path as osp
from collections import Counter
from typing import Any, Dict, Optional, Sequence, Tuple

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.logging import print_log
from xtcocotools.coco import COCO

from mmjotr.registry import DATASETS
from .bbox_utils import sanitize_bbox_xywh

#: Largest magnitude a coordinate, angle or shape value of an annotation may
#: have (pixels, millimetres, metres, radians alike); larger finite values
#: (e.g. 3e38 from a broken export) make the record a counted skip, as NaN
#: does, instead of a loss that overflows.
VALUE_LIMIT = 1e6

# Default value of every record field; adapters override what they know.
RECORD_DEFAULTS: Dict[str, Any] = dict(
    img_path='',
    img_id=-1,
    ori_shape=(0, 0),
    bbox=None,
    joint_set=None,
    keypoints=None,
    keypoints_visible=None,
    joints_cam=None,
    derive_joints=(),
    cam_focal=None,
    cam_princpt=None,
    smpl_pose=None,
    smpl_betas=None,
    smpl_transl=None,
    smpl_gender='neutral',
    smpl_valid=False,
    smpl_world_to_cam=None,
    smpl_fit_thr=None,
    input_keypoints=None,
    input_joint_set=None,
    input_score_thr=0.0,
    near_keypoints=None,
    is_3d=False,
    sequence='',
    gt_joints_cam=None,
    gt_joints_visible=None,
)


class AnnotationError(ValueError):
    """A structural problem of an annotation file (named in the message)."""


@DATASETS.register_module()
class BaseMeshDataset(BaseDataset):
    """Base class of the mesh datasets: one data item per person.

    Subclasses override :meth:`load_data_list` only; they read their files,
    build records with :meth:`make_record` and report individual bad
    records with :meth:`skip` (logged with counts once loading ends through
    :meth:`log_skips`). Structural problems (a missing field, a wrong
    shape) raise :class:`AnnotationError` naming the file and the index.

    A record holds, in image pixels and metres:

    - ``img_path``, ``img_id``, ``ori_shape`` (h, w), ``sequence``
    - ``bbox`` (4,): tight person box, xyxy, clipped to the image
    - ``joint_set``: name of the dataset's joint set (see
      :mod:`mmjotr.body_models.joint_sets`); ``keypoints`` (K, 2) and
      ``keypoints_visible`` (K,) in that set; ``joints_cam`` (K, 3) camera
      frame metres (3D datasets) and ``is_3d``
    - ``derive_joints``: JOTR-30 joints computed as midpoints when the set
      lacks them (``'Pelvis'`` from the hips, ``'Neck'`` from the shoulders)
    - ``cam_focal`` (2,), ``cam_princpt`` (2,): the camera that projects the
      SMPL parameters into the image
    - ``smpl_pose`` (72,), ``smpl_betas`` (10,), ``smpl_transl`` (3,),
      ``smpl_gender``, ``smpl_valid``; ``smpl_world_to_cam`` (R (3, 3),
      t (3,) metres) when the parameters live in a world frame;
      ``smpl_fit_thr`` (mm) when the fit is checked against ``joints_cam``
    - ``input_keypoints`` (K_in, 3) x, y, score of the 2D pose input in
      ``input_joint_set`` with ``input_score_thr`` (test sets)
    - ``near_keypoints`` (M, K, 3): x, y, visibility of the overlapping
      people (IoU >= 0.1) in ``joint_set``, for the swap error of the
      synthetic 2D noise
    - ``gt_joints_cam`` (17, 3), ``gt_joints_visible`` (17,): H36M-17
      ground-truth joints for the joint-only evaluation (Panoptic)

    Args:
        ann_file (str): annotation file, relative to ``data_root``.
        data_root (str): dataset root, e.g. ``data/PW3D``.
        data_prefix (dict): ``img`` = image folder relative to data_root.
        pipeline (Sequence[dict]): transforms.
        test_mode (bool): evaluation mode.
        lazy_init (bool): defer :meth:`full_init`.
        indices (int | Sequence[int], optional): keep a subset.
        serialize_data (bool): serialise the record list.
        max_refetch (int): retries when the pipeline returns None.
    """
    METAINFO: dict = dict(dataset_name='mesh')

    def __init__(self,
                 ann_file: str = '',
                 data_root: str = '',
                 data_prefix: dict = dict(img=''),
                 pipeline: Sequence[dict] = (),
                 test_mode: bool = False,
                 lazy_init: bool = False,
                 indices: Optional[Sequence[int]] = None,
                 serialize_data: bool = True,
                 max_refetch: int = 1000) -> None:
        self._skip_counts: Counter = Counter()
        super().__init__(
            ann_file=ann_file,
            data_root=data_root,
            data_prefix=dict(data_prefix),
            pipeline=list(pipeline),
            test_mode=test_mode,
            lazy_init=lazy_init,
            indices=indices,
            serialize_data=serialize_data,
            max_refetch=max_refetch)

    @property
    def dataset_name(self) -> str:
        return self.metainfo['dataset_name']

    @property
    def img_prefix(self) -> str:
        return self.data_prefix.get('img', '')

    def full_init(self) -> None:
        if self._fully_initialized:
            return
        self._skip_counts.clear()
        super().full_init()
        self.log_skips()

    def _serialize_data(self):
        if not self.data_list:
            reasons = ', '.join(f'{n} {r}'
                                for r, n in sorted(self._skip_counts.items()))
            raise ValueError(f'{type(self).__name__} ({self.ann_file}): no '
                             f'usable records (skipped: {reasons or "none"})')
        return super()._serialize_data()

    def skip(self, reason: str) -> None:
        """Count a record dropped for ``reason`` (logged after loading)."""
        self._skip_counts[reason] += 1

    @property
    def skip_counts(self) -> Dict[str, int]:
        """Dropped records per reason during the last load."""
        return dict(self._skip_counts)

    def log_skips(self) -> None:
        """Log how many records were kept and dropped, per reason."""
        if not self._skip_counts:
            return
        reasons = ', '.join(f'{n} {r}'
                            for r, n in sorted(self._skip_counts.items()))
        print_log(
            f'{type(self).__name__} ({self.ann_file}): kept '
            f'{len(self)} records, skipped {reasons}',
            logger='current')

    def make_record(self, **fields) -> dict:
        """A record with every field, ``dataset_name`` filled in.

        Raises:
            KeyError: on a field name that records do not have.
        """
        unknown = set(fields) - set(RECORD_DEFAULTS)
        if unknown:
            raise KeyError(f'unknown record fields {sorted(unknown)}')
        record = dict(RECORD_DEFAULTS)
        record.update(fields)
        record['dataset_name'] = self.dataset_name
        return record

    def usable(self,
               what: str,
               *arrays: Optional[np.ndarray],
               note: str = '') -> bool:
        """True when the arrays are finite and within :data:`VALUE_LIMIT`.

        Otherwise counts a skip ``'non-finite <what><note>'`` or
        ``'out-of-range <what> (|value| > 1e+06)<note>'`` and returns False.
        """
        if not finite(*arrays):
            self.skip(f'non-finite {what}{note}')
            return False
        if not in_range(*arrays):
            self.skip(f'out-of-range {what} (|value| > {VALUE_LIMIT:g})'
                      f'{note}')
            return False
        return True

    def smpl_fit_fields(self, fit: Optional[dict], where: str,
                        **extra) -> dict:
        """Record fields of one SMPL fit (``pose``, ``shape``, ``trans``).

        Returns ``smpl_pose``, ``smpl_betas``, ``smpl_transl``,
        ``smpl_valid=True`` and ``extra``; only ``smpl_valid=False`` when
        there is no fit or it is not :meth:`usable` (a counted skip: the
        person is kept without the fit).
        """
        if fit is None:
            return dict(smpl_valid=False)
        pose, betas, transl = smpl_params(fit, where)
        if not self.usable(
                'SMPL fits', pose, betas, transl, note=' (kept without fit)'):
            return dict(smpl_valid=False)
        return dict(
            smpl_pose=pose,
            smpl_betas=betas,
            smpl_transl=transl,
            smpl_valid=True,
            **extra)

    def image_path(self, file_name: str) -> str:
        return osp.join(self.img_prefix, file_name)

    def tight_bbox(self,
                   bbox_xywh: Sequence[float],
                   img_w: float,
                   img_h: float,
                   where: Optional[str] = None) -> Optional[np.ndarray]:
        """Clip an xywh box; None (and a counted skip) if it is empty.

        With ``where`` the box is first checked to be 4 numbers
        (:class:`AnnotationError` naming ``where`` and ``bbox`` if not).
        """
        if where is not None:
            as_array(bbox_xywh, (4, ), 'bbox', where)
        bbox = sanitize_bbox_xywh(bbox_xywh, img_w, img_h)
        if bbox is None:
            self.skip('zero-area boxes')
        return bbox


def field(ann: dict, name: str, where: str) -> Any:
    """``ann[name]``, or an :class:`AnnotationError` naming ``where``."""
    if not isinstance(ann, dict) or name not in ann:
        raise AnnotationError(f'{where}: missing field "{name}"')
    return ann[name]


def number(value: Any, name: str, where: str) -> float:
    """``value`` as a float, or an :class:`AnnotationError` naming
    ``where`` and the field (strings, lists and None are refused)."""
    if isinstance(value, (bool, str, bytes)) or value is None:
        raise AnnotationError(
            f'{where}: field "{name}" is not a number ({value!r})')
    try:
        return float(value)
    except (TypeError, ValueError) as err:
        raise AnnotationError(
            f'{where}: field "{name}" is not a number ({value!r})') from err


def text(value: Any, name: str, where: str) -> str:
    """``value`` if it is a string, else an :class:`AnnotationError`."""
    if not isinstance(value, str):
        raise AnnotationError(f'{where}: field "{name}" must be a string, '
                              f'got {type(value).__name__} {value!r}')
    return value


def image_entry(img: Any, where: str) -> Tuple[str, float, float]:
    """``file_name``, ``width`` and ``height`` of a COCO-style image record,
    each checked (:func:`field`, :func:`text`, :func:`number`)."""
    return (text(field(img, 'file_name', where), 'file_name',
                 where), number(field(img, 'width', where), 'width', where),
            number(field(img, 'height', where), 'height', where))


def as_array(value: Any, shape: Sequence[int], name: str,
             where: str) -> np.ndarray:
    """``value`` as float32 of ``shape`` (flat lists are reshaped).

    Raises:
        AnnotationError: naming ``where`` and the field on a wrong shape.
    """
    if isinstance(value, (str, bytes)):
        raise AnnotationError(
            f'{where}: field "{name}" is not numeric ({value!r})')
    try:
        array = np.asarray(value, dtype=np.float32)
    except (TypeError, ValueError) as err:
        raise AnnotationError(
            f'{where}: field "{name}" is not numeric ({err})') from err
    if array.size == int(np.prod(shape)):
        array = array.reshape(shape)  # flat lists in the files
    if array.shape != tuple(shape):
        raise AnnotationError(
            f'{where}: field "{name}" has shape {array.shape}, expected '
            f'{tuple(shape)}')
    return array


def smpl_params(param: dict,
                where: str) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The ``pose`` (72), ``shape`` (10) and ``trans`` (3) fields of an
    SMPL parameter dict, as every annotation format here stores them.

    Raises:
        AnnotationError: naming ``where`` and the field when one is missing
            or mis-shaped.
    """
    return (as_array(field(param, 'pose', where), (72, ), 'pose', where),
            as_array(field(param, 'shape', where), (10, ), 'shape', where),
            as_array(field(param, 'trans', where), (3, ), 'trans', where))


def finite(*arrays: Optional[np.ndarray]) -> bool:
    """True when no given array holds NaN or inf (None is skipped)."""
    return all(a is None or bool(np.isfinite(a).all()) for a in arrays)


def in_range(*arrays: Optional[np.ndarray]) -> bool:
    """True when no given array has a value beyond :data:`VALUE_LIMIT`."""
    return all(
        a is None or bool((np.abs(a) <= VALUE_LIMIT).all()) for a in arrays)


def check_file(path: str, what: str) -> str:
    """``path`` if it exists, else FileNotFoundError naming ``what``."""
    if not osp.isfile(path):
        raise FileNotFoundError(
            f'{what} not found: {path} (docs/datasets.md says where it '
            'comes from and where it goes)')
    return path


def load_json(path: str, what: str, expect: type = dict) -> Any:
    """Parse a JSON file whose top level is ``expect``; errors name the
    file."""
    with open(check_file(path, what)) as f:
        try:
            data = json.load(f)
        except json.JSONDecodeError as err:
            raise AnnotationError(f'{path}: not valid JSON ({err})') from err
    if not isinstance(data, expect):
        raise AnnotationError(
            f'{path}: {what} must hold a JSON '
            f'{"object" if expect is dict else expect.__name__} at the top '
            f'level, got {type(data).__name__}')
    return data


def load_coco(path: str, what: str):
    """A COCO-format file through xtcocotools' COCO API.

    The API's four progress prints per file ("loading annotations into
    memory...", "Done", "creating index...", "index created!") are kept off
    stdout: a quick start reads ten files, and these lines said nothing
    about which; a failure still names the file below.
    """
    check_file(path, what)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return COCO(path)
    except (ValueError, KeyError, TypeError, AssertionError) as err:
        raise AnnotationError(f'{path}: not a COCO-format file ({err})') \
            from err

# Copyright (c) mmjotr contributors. All rights reserved.
"""A corrupt JPEG is refused with its path, never decoded into a silently
wrong image (issue 9 #4)."""
import io
import os.path as osp
import random

import cv2
import numpy as np
import pytest
from mmengine.config import Config

from mmjotr.datasets.transforms.loading import (CorruptImageError,
                                                LoadCheckedImage,
                                                decode_image_checked,
                                                exif_orientation)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _jpeg(size=(480, 640)):
    rng = np.random.default_rng(0)
    img = cv2.resize(
        rng.integers(0, 255, (size[0] // 8, size[1] // 8, 3), np.uint8),
        (size[1], size[0]))
    ok, data = cv2.imencode('.jpg', img)
    return img, data.tobytes()


def _corrupt_mid_stream(data: bytes) -> bytes:
    """20 bytes overwritten in the middle of the entropy-coded data, the
    first seed whose damage libjpeg reports (a warning)."""
    import simplejpeg
    for seed in range(100):
        rnd = random.Random(seed)
        bad = bytearray(data)
        pos = len(bad) // 2 + rnd.randrange(-1000, 1000)
        bad[pos:pos + 20] = bytes(rnd.randrange(256) for _ in range(20))
        try:
            simplejpeg.decode_jpeg(bytes(bad), colorspace='BGR', strict=True)
        except ValueError:
            return bytes(bad)
    raise AssertionError('no reported corruption in 100 tries')


def test_corrupted_mid_stream_jpeg_is_refused_with_its_path(tmp_path):
    img, data = _jpeg()
    path = tmp_path / 'person.jpg'
    path.write_bytes(_corrupt_mid_stream(data))
    # OpenCV (mmpose.LoadImage's decoder) returns an image, wrong in part
    silent = cv2.imread(str(path))
    assert silent is not None and silent.shape == img.shape
    wrong = (np.abs(silent.astype(int) - img).max(-1) > 40).mean()
    assert wrong > 0.05
    with pytest.raises(CorruptImageError) as err:
        LoadCheckedImage()(dict(img_path=str(path)))
    assert str(path) in str(err.value)
    assert 'corrupt JPEG data' in str(err.value)


def test_intact_images_equal_mmpose_loadimage(tmp_path):
    from mmjotr.registry import TRANSFORMS
    from mmjotr.utils import register_all_modules
    register_all_modules()
    _, data = _jpeg((240, 320))
    (tmp_path / 'a.jpg').write_bytes(data)
    gray = np.random.default_rng(1).integers(0, 255, (30, 40), np.uint8)
    cv2.imwrite(str(tmp_path / 'g.jpg'), gray)
    cv2.imwrite(str(tmp_path / 'p.png'), gray)
    mmpose_load = TRANSFORMS.build(dict(type='mmpose.LoadImage'))
    checked = TRANSFORMS.build(dict(type='LoadCheckedImage'))
    for name in ('a.jpg', 'g.jpg', 'p.png'):
        ref = mmpose_load(dict(img_path=str(tmp_path / name)))
        out = checked(dict(img_path=str(tmp_path / name)))
        assert out['img'].dtype == np.uint8 and out['img'].shape[2] == 3
        np.testing.assert_array_equal(out['img'], ref['img'])
        assert out['img_shape'] == ref['img_shape'] == ref['ori_shape']
    # an array given directly is used as is
    arr = np.zeros((5, 6, 3), np.uint8)
    out = checked(dict(img=arr))
    assert out['img'] is arr and out['img_shape'] == (5, 6)


@pytest.mark.parametrize('orientation', range(1, 9))
def test_exif_orientation_as_opencv(orientation):
    from PIL import Image
    base = cv2.resize(
        np.random.default_rng(2).integers(0, 255, (8, 12, 3), np.uint8),
        (120, 80),
        interpolation=cv2.INTER_NEAREST)
    exif = Image.Exif()
    exif[0x0112] = orientation
    buf = io.BytesIO()
    Image.fromarray(base[..., ::-1].copy()).save(
        buf, 'JPEG', exif=exif.tobytes(), quality=95)
    data = buf.getvalue()
    assert exif_orientation(data) == orientation
    ref = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    np.testing.assert_array_equal(decode_image_checked(data, 'x.jpg'), ref)


def test_unreadable_files_are_named(tmp_path):
    # the file backend's error type, with the path in front
    with pytest.raises(
            FileNotFoundError, match='missing.jpg: cannot read the image'):
        LoadCheckedImage()(dict(img_path=str(tmp_path / 'missing.jpg')))
    (tmp_path / 'text.jpg').write_bytes(b'not an image')
    with pytest.raises(CorruptImageError, match='text.jpg: not a decodable'):
        LoadCheckedImage()(dict(img_path=str(tmp_path / 'text.jpg')))
    _, data = _jpeg((64, 64))
    (tmp_path / 'cut.jpg').write_bytes(data[:len(data) // 2])
    with pytest.raises(CorruptImageError, match='cut.jpg: corrupt JPEG'):
        LoadCheckedImage()(dict(img_path=str(tmp_path / 'cut.jpg')))


@pytest.mark.parametrize('config', [
    'configs/_base_/datasets/jotr_mix_train.py',
    'configs/_base_/datasets/mesh_test.py',
    'configs/_base_/datasets/3doh.py',
    'configs/jotr/test/jotr_res50_test-panoptic.py',
    'configs/jotr/jotr_res50_8xb16-10k_mix-256x256_contrastive.py',
])
def test_every_config_pipeline_loads_checked_images(config):
    cfg = Config.fromfile(osp.join(ROOT, config))
    pipelines = []

    def visit(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'pipeline':
                    pipelines.append(value)
                visit(value)
        elif isinstance(node, (list, tuple)):
            for item in node:
                visit(item)

    visit(cfg.to_dict())
    assert pipelines
    for pipeline in pipelines:
        assert pipeline[0]['type'] == 'LoadCheckedImage'

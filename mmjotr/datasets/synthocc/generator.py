# Copyright (c) mmjotr contributors. All rights reserved.
"""SynthOcc: the project's procedural occluded-human benchmark.

Each frame shows one *target* person (stand-in body, pose from the
joint-limit prior, random shape, heading, distance and clothing colours)
over a procedural background, under a random light, and, depending on
the scene kind, textured *object occluders* in front of body parts
(``object``, like 3DPW-OC / 3DOH) or one to three *other people* partly
in front (``person``, like 3DPW-Crowd / CrowdPose). Every person has
exact SMPL parameters, the camera, 3D joints and 2D keypoints with
per-joint visibility from the z-buffer; the target has its occlusion
ratio and a fixed noisy 2D detection whose error grows with occlusion.

Splits: ``train`` (the three scene kinds mixed), ``test_clean``,
``test_object_occluded``, ``test_person_occluded``. Frame ``i`` of split
``s`` is drawn from ``default_rng([seed, s, i])``: same seed, same bytes.
"""
import hashlib
import json
import multiprocessing
import multiprocessing.pool
import os
import os.path as osp
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from typing import Dict, List, Optional, Tuple

import cv2
import numpy as np
import torch
from mmengine.logging import print_log
from mmengine.utils import ProgressBar

from mmjotr.body_models import SMPL, joint_indices, smpl_model_path
from mmjotr.visualization import PinholeCamera, RasterRenderer, RenderMesh
from .detector_noise import DetectorNoise
from .procedural import (body_colors, body_part_regions, procedural_background,
                         procedural_texture)
from .scene import (Occluder, Person, coarse_mask, place_root, sample_occluder,
                    sample_person_params)
from .visibility import joint_visibility, occlusion_ratio

__all__ = [
    'SYNTHOCC_VERSION', 'SYNTHOCC_INFO', 'SPLITS', 'SynthOccSettings',
    'SynthOccGenerator', 'write_synthocc', 'is_complete_synthocc',
    'ensure_synthocc'
]

#: Bump when the generated files change, so old copies regenerate.
SYNTHOCC_VERSION = 2
#: Written last; its presence marks a complete directory.
SYNTHOCC_INFO = 'synthocc_info.json'
SPLITS = ('train', 'test_clean', 'test_object_occluded',
          'test_person_occluded')
#: Scene kind of each test split; train mixes all three.
SPLIT_SCENES = {
    'test_clean': 'clean',
    'test_object_occluded': 'object',
    'test_person_occluded': 'person'
}
SCENES = ('clean', 'object', 'person')
#: JOTR-30 indices of the COCO-17 joints.
COCO_IN_JOTR = tuple(joint_indices('jotr_30', 'coco_17'))


@dataclass
class SynthOccSettings:
    """What a SynthOcc copy is generated from (stored in its info file;
    a copy whose settings differ is regenerated).

    Args:
        seed (int): the random seed of every frame.
        num_frames (dict): frames per split.
        height, width (int): frame size, pixels.
        focal (float): focal length, pixels (principal point centred).
        depth_range (tuple): target root distance, metres.
        occlusion_range (tuple): occlusion ratio aimed at by the occluded
            scenes (redrawn up to ``max_tries`` times outside it).
        max_tries (int): redraws of an occlusion.
    """
    seed: int = 0
    num_frames: Dict[str, int] = field(default_factory=lambda: dict(
        train=2000,
        test_clean=200,
        test_object_occluded=200,
        test_person_occluded=200))
    height: int = 240
    width: int = 320
    focal: float = 400.
    depth_range: Tuple[float, float] = (3.5, 7.0)
    occlusion_range: Tuple[float, float] = (0.15, 0.7)
    max_tries: int = 12

    def __post_init__(self) -> None:
        unknown = set(self.num_frames) - set(SPLITS)
        if unknown:
            raise ValueError(f'SynthOccSettings: unknown splits '
                             f'{sorted(unknown)}; splits are {SPLITS}')
        self.num_frames = {s: int(self.num_frames.get(s, 0)) for s in SPLITS}
        self.depth_range = tuple(self.depth_range)
        self.occlusion_range = tuple(self.occlusion_range)

    @property
    def princpt(self) -> Tuple[float, float]:
        return (self.width - 1) / 2., (self.height - 1) / 2.


@dataclass
class Frame:
    """One generated frame.

    Attributes:
        image (ndarray[H, W, 3]): uint8 BGR.
        image_info (dict): the COCO ``images`` entry (without file name).
        people (list[dict]): COCO ``annotations`` entries, target first.
    """
    image: np.ndarray
    image_info: dict
    people: List[dict]


def _r(array, decimals: int) -> list:
    """Rounded nested list (compact, byte-stable JSON)."""
    return np.round(np.asarray(array, np.float64), decimals).tolist()


class SynthOccGenerator:
    """Draws SynthOcc frames with the stand-in (or any) body model.

    Args:
        body_model_dir (str): body model directory (neutral model used).
        settings (SynthOccSettings): what to draw.
    """

    def __init__(self, body_model_dir: str,
                 settings: SynthOccSettings) -> None:
        self.settings = settings
        self.body_model_dir = body_model_dir
        self.body_model = SMPL(body_model_dir).eval()
        self.faces = self.body_model.faces.numpy()
        self.regions = body_part_regions(self.body_model.lbs_weights.numpy(),
                                         self.body_model.v_template.numpy())
        self.camera = PinholeCamera(settings.focal, settings.focal,
                                    *settings.princpt, settings.width,
                                    settings.height)
        self.noise = DetectorNoise()

    # ------------------------------------------------------------ people
    def pose_people(
        self, params: List[Tuple[np.ndarray, np.ndarray]]
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Pose and shape bodies (no translation).

        Args:
            params (list): (pose (72,), betas (10,)) per person.

        Returns:
            tuple: vertices (N, V, 3) and JOTR-30 joints (N, 30, 3).
        """
        pose = torch.as_tensor(
            np.stack([p for p, _ in params]), dtype=torch.float32)
        betas = torch.as_tensor(
            np.stack([b for _, b in params]), dtype=torch.float32)
        with torch.no_grad():
            out = self.body_model(pose, betas)
        return (out.vertices.double().numpy(), out.joints.double().numpy())

    def place_person(self, rng, params, vertices, joints, uv, depth) -> Person:
        """Move a posed body (from :meth:`pose_people`) so that its root
        is at pixel ``uv`` and ``depth`` metres; draw its colours."""
        s = self.settings
        transl = place_root(joints[0], uv, depth, s.focal, s.princpt)
        return Person(params[0], params[1], transl, vertices + transl,
                      joints + transl, body_colors(rng, self.regions))

    def _box(self, points: np.ndarray) -> np.ndarray:
        px = self.camera.project(points)
        return np.concatenate([px.min(0), px.max(0)])

    def _inside_share(self, box: np.ndarray) -> float:
        s = self.settings
        x1, y1 = max(box[0], 0), max(box[1], 0)
        x2, y2 = min(box[2], s.width), min(box[3], s.height)
        area = (box[2] - box[0]) * (box[3] - box[1])
        return max(x2 - x1, 0) * max(y2 - y1, 0) / max(area, 1e-9)

    def sample_target(self, rng) -> Person:
        """A target person, placed so that >= 85 % of its box is in the
        frame (redrawn up to ``max_tries`` times)."""
        s = self.settings
        params = sample_person_params(rng)
        vertices, joints = self.pose_people([params])
        for _ in range(s.max_tries):
            uv = (rng.uniform(0.35, 0.65) * s.width,
                  rng.uniform(0.4, 0.6) * s.height)
            person = self.place_person(rng, params, vertices[0], joints[0], uv,
                                       rng.uniform(*s.depth_range))
            if self._inside_share(self._box(person.vertices)) >= 0.85:
                break
        return person

    def _others(self, rng, target: Person, height_px: float) -> List[Person]:
        count = int(rng.integers(1, 4))
        params = [sample_person_params(rng) for _ in range(count)]
        vertices, joints = self.pose_people(params)
        root_px = self.camera.project(target.joints[:1])[0]
        people = []
        for k in range(count):
            side = rng.choice([-1., 1.])
            uv = (root_px[0] + side * rng.uniform(0.1, 0.4) * height_px,
                  root_px[1] + rng.uniform(-0.1, 0.15) * height_px)
            depth = max(2.0, target.joints[0, 2] - rng.uniform(0.6, 2.0))
            people.append(
                self.place_person(rng, params[k], vertices[k], joints[k], uv,
                                  depth))
        return people

    # --------------------------------------------------------- occlusion
    def _coverage(self, target: Person, others: list) -> float:
        """Approximate share of the target hidden by ``others``."""
        shape = (self.settings.height, self.settings.width)
        body = coarse_mask(self.camera.project(target.vertices), shape)
        cover = np.zeros_like(body)
        for other in others:
            convex = isinstance(other, Occluder)
            coarse_mask(
                self.camera.project(other.vertices),
                shape,
                convex=convex,
                mask=cover)
        area = body.sum()
        return float((body & cover).sum() / area) if area else 0.

    def _occlude(self, rng, scene: str, target: Person) -> list:
        s = self.settings
        if scene == 'clean':
            return []
        box = self._box(target.vertices)
        height_px = box[3] - box[1]
        joints_px = self.camera.project(target.joints)
        lo, hi = s.occlusion_range
        best, best_gap = [], np.inf
        for _ in range(s.max_tries):
            if scene == 'person':
                others = self._others(rng, target, height_px)
            else:
                others = [
                    sample_occluder(rng, target, joints_px, height_px, s.focal,
                                    s.princpt, s.height)
                    for _ in range(int(rng.integers(1, 3)))
                ]
            cover = self._coverage(target, others)
            gap = max(lo - cover, cover - hi, 0.)
            if gap < best_gap:
                best, best_gap = others, gap
            if gap == 0.:
                break
        return best

    # --------------------------------------------------------- rendering
    def render_scene(self, rng, target: Person, others: list):
        """Render the target alone and the whole scene (under a random
        light).

        Returns:
            tuple: ``(solo, scene)`` renderings; in ``scene`` the target is
            instance 0 and ``others[k]`` instance ``k + 1``.
        """
        light = rng.normal(size=3) * [0.6, 0.6, 0.3] + [0, -0.3, -1]
        ambient = rng.uniform(0.25, 0.5)
        renderer = RasterRenderer(
            ambient=ambient,
            diffuse=1 - ambient,
            light_dir=light,
            cull_back_faces=True)
        solo = renderer.render(
            [RenderMesh(target.vertices, self.faces, target.colors)],
            self.camera)
        meshes = []
        for other in others:
            if isinstance(other, Person):
                meshes.append(
                    RenderMesh(other.vertices, self.faces, other.colors))
            else:
                meshes.append(
                    RenderMesh(other.vertices, other.faces, np.ones(3)))
        rest = renderer.render(meshes, self.camera)
        # z-buffering two renderings = rendering everything at once, and
        # the target's own silhouette comes for free
        front = rest.depth < solo.depth
        scene = type(solo)(
            color=np.where(front[..., None], rest.color, solo.color),
            depth=np.where(front, rest.depth, solo.depth),
            instance_id=np.where(front, rest.instance_id + 1,
                                 solo.instance_id),
            face_id=np.where(front, rest.face_id, solo.face_id))
        return solo, scene

    def _image(self, rng, scene, others: list) -> np.ndarray:
        s = self.settings
        shape = (s.height, s.width)
        img = procedural_background(rng, shape)
        fg = scene.mask
        tint = rng.uniform(0.85, 1.15, 3)
        img[fg] = np.clip(scene.color[fg] * tint, 0, 1)
        for k, other in enumerate(others):
            if isinstance(other, Occluder):
                sel = scene.instance_id == k + 1
                if sel.any():
                    img[sel] *= procedural_texture(rng, shape)[sel]
        return cv2.cvtColor((img * 255 + 0.5).astype(np.uint8),
                            cv2.COLOR_RGB2BGR)

    # ------------------------------------------------------- annotation
    def annotate_person(self, person: Person, instance: int, scene) -> dict:
        """The COCO annotation of a person who is ``instance`` in
        ``scene``: box, COCO-17 keypoints and JOTR-30 ``joints_img`` with
        z-buffer visibility, camera joints and SMPL parameters."""
        joints_px = self.camera.project(person.joints)
        vis = joint_visibility(person.joints, joints_px, scene, instance)
        x1, y1, x2, y2 = self._box(person.vertices)
        x1, y1 = max(x1, 0.), max(y1, 0.)
        x2 = min(x2, self.settings.width - 1.)
        y2 = min(y2, self.settings.height - 1.)
        joints_img = np.concatenate([joints_px, vis[:, None]], 1)
        coco = joints_img[list(COCO_IN_JOTR)]
        return dict(
            category_id=1,
            iscrowd=0,
            bbox=_r([x1, y1, max(x2 - x1, 0),
                     max(y2 - y1, 0)], 2),
            area=round(float(max(x2 - x1, 0) * max(y2 - y1, 0)), 2),
            keypoints=_r(coco, 3),
            num_keypoints=int((coco[:, 2] > 0).sum()),
            joints_img=_r(joints_img, 3),
            joints_cam=_r(person.joints, 5),
            smpl_param=dict(
                pose=_r(person.pose, 6),
                shape=_r(person.betas, 6),
                trans=_r(person.transl, 6),
                gender='neutral'))

    def _detections(self, rng, target: dict, people: Dict[int, dict],
                    scene) -> list:
        """The target's fixed noisy detection (COCO-17, x, y, score).

        ``people`` maps scene instance indices to annotations; a hidden
        joint may be swapped with the same joint of the person hiding it.
        """
        kpts = np.asarray(target['keypoints'])
        occluder = np.zeros_like(kpts)
        px = np.round(kpts[:, :2]).astype(int)
        h, w = scene.instance_id.shape
        for j, (u, v) in enumerate(px):
            if kpts[j, 2] == 1 and 0 <= u < w and 0 <= v < h:
                k = int(scene.instance_id[v, u])
                if k > 0 and k in people:
                    occluder[j] = people[k]['keypoints'][j]
        x, y, bw, bh = target['bbox']
        det = self.noise(rng, kpts, max(bw, bh), occluder)
        return _r(det, 3)

    def frame(self, split: str, index: int) -> Frame:
        """Draw frame ``index`` of ``split`` (deterministic)."""
        s = self.settings
        rng = np.random.default_rng([s.seed, SPLITS.index(split), index])
        scene_kind = SPLIT_SCENES.get(split) or SCENES[int(rng.integers(3))]
        target = self.sample_target(rng)
        others = self._occlude(rng, scene_kind, target)
        solo, scene = self.render_scene(rng, target, others)
        ratio, area = occlusion_ratio(solo, scene, 0)
        by_instance = {0: self.annotate_person(target, 0, scene)}
        for k, other in enumerate(others):
            if isinstance(other, Person):
                by_instance[k + 1] = self.annotate_person(other, k + 1, scene)
        for k, person in by_instance.items():
            person['is_target'] = k == 0
        by_instance[0].update(
            occlusion_ratio=round(ratio, 4),
            silhouette_area=area,
            input_keypoints=self._detections(rng, by_instance[0], by_instance,
                                             scene))
        people = list(by_instance.values())
        image_info = dict(
            width=s.width,
            height=s.height,
            scene=scene_kind,
            occluders=[o.kind for o in others if isinstance(o, Occluder)],
            cam_param=dict(focal=[s.focal, s.focal], princpt=list(s.princpt)))
        image = self._image(rng, scene, others)
        return Frame(image, image_info, people)

    def encoded_frame(self, split: str,
                      index: int) -> Tuple[bytes, dict, List[dict]]:
        """:meth:`frame` with the image JPEG-encoded (what is written)."""
        frame = self.frame(split, index)
        ok, jpeg = cv2.imencode('.jpg', frame.image,
                                [cv2.IMWRITE_JPEG_QUALITY, 92])
        if not ok:
            raise RuntimeError(f'SynthOcc: JPEG encoding of {split} frame '
                               f'{index} failed')
        return jpeg.tobytes(), frame.image_info, frame.people

    def pool(self, workers: int) -> Optional[multiprocessing.pool.Pool]:
        """``workers`` processes that draw frames (None for one); pass it
        to :meth:`write_split` and ``terminate`` it when done."""
        if workers <= 1:
            return None
        return multiprocessing.get_context('fork').Pool(
            workers, _init_worker, (self.body_model_dir, self.settings))

    def write_split(self,
                    root: str,
                    split: str,
                    pool: Optional[multiprocessing.pool.Pool] = None) -> str:
        """Write ``images/<split>/*.jpg`` and
        ``annotations/synthocc_<split>.json`` under ``root``.

        Args:
            root (str): the copy's directory.
            split (str): one of ``SPLITS``.
            pool (Pool, optional): worker processes from :meth:`pool`.
                Frames are independent (one seed each), so the files are
                the same for any number of workers.

        Returns:
            str: the annotation file.
        """
        num = self.settings.num_frames[split]
        img_dir = osp.join(root, 'images', split)
        os.makedirs(img_dir, exist_ok=True)
        os.makedirs(osp.join(root, 'annotations'), exist_ok=True)
        images, annotations = [], []
        progress = ProgressBar(num) if num >= 50 else None
        tasks = [(split, i) for i in range(num)]
        if pool is not None:
            frames = pool.imap(_encoded_frame, tasks, chunksize=2)
        else:
            frames = (self.encoded_frame(*task) for task in tasks)
        for i, (jpeg, image_info, people) in enumerate(frames):
            name = f'{split}/{i:06d}.jpg'
            with open(osp.join(root, 'images', name), 'wb') as f:
                f.write(jpeg)
            images.append(dict(id=i, file_name=name, **image_info))
            for person in people:
                person.update(id=len(annotations) + 1, image_id=i)
                annotations.append(person)
            if progress is not None:
                progress.update()
        if progress is not None:
            progress.file.write('\n')
        ann_file = osp.join(root, 'annotations', f'synthocc_{split}.json')
        with open(ann_file, 'w') as f:
            json.dump(
                dict(
                    info=dict(
                        description='SynthOcc (mmjotr, procedural; NOT real '
                        'people, bodies are the stand-in model)',
                        version=SYNTHOCC_VERSION,
                        split=split,
                        settings=asdict(self.settings)),
                    images=images,
                    annotations=annotations,
                    categories=[dict(id=1, name='person')]),
                f,
                sort_keys=True,
                separators=(',', ':'))
        return ann_file


#: The generator of a worker process (see ``write_split``).
_WORKER: Optional[SynthOccGenerator] = None


def _init_worker(body_model_dir: str, settings: SynthOccSettings) -> None:
    global _WORKER
    torch.set_num_threads(1)
    _WORKER = SynthOccGenerator(body_model_dir, settings)


def _encoded_frame(task: Tuple[str, int]) -> Tuple[bytes, dict, List[dict]]:
    return _WORKER.encoded_frame(*task)


def _body_model_digest(body_model_dir: str) -> str:
    """Short hash of the neutral model file the ground truth refers to."""
    with open(smpl_model_path(body_model_dir, 'neutral'), 'rb') as f:
        return hashlib.sha1(f.read()).hexdigest()[:12]


def _info(settings: SynthOccSettings, body_model_dir: str) -> dict:
    return dict(
        version=SYNTHOCC_VERSION,
        settings=json.loads(json.dumps(asdict(settings))),
        body_model=_body_model_digest(body_model_dir))


def write_synthocc(root: str,
                   body_model_dir: str,
                   settings: SynthOccSettings,
                   workers: int = 1) -> dict:
    """Generate every split into ``root`` (files there are overwritten)
    with ``workers`` processes; the info file is written last.

    Returns:
        dict: the content of the info file.
    """
    generator = SynthOccGenerator(body_model_dir, settings)
    pool = generator.pool(workers)
    try:
        for split in SPLITS:
            if settings.num_frames[split]:
                print_log(
                    f'SynthOcc: {settings.num_frames[split]} frames of '
                    f'{split}',
                    logger='current')
                generator.write_split(root, split, pool)
    finally:
        if pool is not None:
            pool.terminate()
    info = _info(settings, body_model_dir)
    with open(osp.join(root, SYNTHOCC_INFO), 'w') as f:
        json.dump(info, f, indent=2, sort_keys=True)
    return info


def is_complete_synthocc(root: str, body_model_dir: str,
                         settings: SynthOccSettings) -> bool:
    """True when ``root`` holds a finished generation of these settings,
    this generator version and this body model."""
    path = osp.join(root, SYNTHOCC_INFO)
    if not osp.isfile(path):
        return False
    try:
        with open(path) as f:
            info = json.load(f)
    except (OSError, ValueError):
        return False
    return info == _info(settings, body_model_dir)


def ensure_synthocc(root: str,
                    body_model_dir: str,
                    settings: Optional[SynthOccSettings] = None,
                    workers: int = 1) -> str:
    """Return ``root``, generating SynthOcc there unless an identical copy
    is present.

    A SynthOcc copy of other settings (it has the info file) is replaced;
    a non-empty directory without the info file is someone else's, and is
    never touched. ``workers`` processes draw the frames.

    Raises:
        FileExistsError: ``root`` is a non-empty directory that is not a
            SynthOcc copy.
    """
    settings = settings or SynthOccSettings()
    if is_complete_synthocc(root, body_model_dir, settings):
        print_log(f'SynthOcc: using {root}', logger='current')
        return root
    if osp.exists(root) and not osp.isfile(osp.join(root, SYNTHOCC_INFO)):
        if not osp.isdir(root) or os.listdir(root):
            raise FileExistsError(
                f'{root} exists and is not a SynthOcc copy (no '
                f'{SYNTHOCC_INFO}); refusing to overwrite it. Remove it or '
                'choose another directory.')
    parent = osp.dirname(osp.abspath(root))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix='.synthocc-', dir=parent)
    try:
        write_synthocc(tmp, body_model_dir, settings, workers)
        if osp.isdir(root):
            shutil.rmtree(root)
        os.rename(tmp, root)
    finally:
        if osp.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)
    print_log(f'SynthOcc: wrote {root}', logger='current')
    return root

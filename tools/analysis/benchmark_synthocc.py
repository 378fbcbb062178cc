# Copyright (c) mmjotr contributors. All rights reserved.
"""Time SynthOcc generation: frames and person crops per second.

    OMP_NUM_THREADS=1 python tools/analysis/benchmark_synthocc.py \
        [--frames 40] [--workers 2] [--body-model-dir DIR]

Each split's frames are drawn, rendered, annotated, JPEG-encoded and
written as ``make_synthocc.py`` does (into a temporary directory), with
``--workers`` processes. The baseline, measured in the same run, is one
rasterisation of a single stand-in body at the frame size in this
process: ``x baseline`` says how many such renderings one frame costs.
"""
import argparse
import json
import tempfile
import time

import numpy as np
from mmengine.logging import print_log

from mmjotr.body_models.standin import ensure_standin_body_model
from mmjotr.datasets.synthocc import (SPLITS, SynthOccGenerator,
                                      SynthOccSettings)
from mmjotr.visualization import RasterRenderer, RenderMesh


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--frames', type=int, default=40)
    parser.add_argument('--workers', type=int, default=1)
    parser.add_argument('--body-model-dir', default='data/standin/body_models')
    return parser.parse_args()


def main():
    args = parse_args()
    ensure_standin_body_model(args.body_model_dir, vposer_steps=1000)
    settings = SynthOccSettings(num_frames=dict.fromkeys(SPLITS, args.frames))
    generator = SynthOccGenerator(args.body_model_dir, settings)
    body = generator.sample_target(np.random.default_rng(0))
    renderer = RasterRenderer(cull_back_faces=True)
    mesh = RenderMesh(body.vertices, generator.faces, body.colors)
    renderer.render([mesh], generator.camera)  # warm-up
    start = time.perf_counter()
    for _ in range(args.frames):
        renderer.render([mesh], generator.camera)
    body_ms = (time.perf_counter() - start) / args.frames * 1e3
    lines = [
        f'baseline: one body rendered at {generator.camera.width}x'
        f'{generator.camera.height}: {body_ms:.1f} ms',
        f'{"split":<22} {"crops/s":>8} {"all people/s":>13} '
        f'{"ms/frame":>9} {"x baseline":>11}'
    ]
    total = 0.
    pool = generator.pool(args.workers)  # started outside the timing
    with tempfile.TemporaryDirectory() as root:
        for split in SPLITS:
            start = time.perf_counter()
            ann_file = generator.write_split(root, split, pool)
            sec = time.perf_counter() - start
            total += sec
            with open(ann_file) as f:
                people = len(json.load(f)['annotations'])
            ms = sec / args.frames * 1e3
            lines.append(f'{split:<22} {args.frames / sec:>8.1f} '
                         f'{people / sec:>13.1f} {ms:>9.1f} '
                         f'{ms / body_ms:>11.2f}')
    if pool is not None:
        pool.terminate()
    lines.append(
        f'{"all splits":<22} {len(SPLITS) * args.frames / total:>8.1f}')
    print_log(
        f'SynthOcc generation, {args.workers} worker process(es); crops = '
        'annotated target people (one per frame), all people = targets and '
        'the other people in the frames:\n' + '\n'.join(lines),
        logger='current')


if __name__ == '__main__':
    main()

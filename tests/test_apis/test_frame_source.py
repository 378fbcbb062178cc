# Copyright (c) mmjotr contributors. All rights reserved.
import cv2
import numpy as np
import pytest

from mmjotr.apis import FrameSource, load_image, to_bgr_uint8
from mmjotr.apis.frame_source import MAX_CONSECUTIVE_FAILURES


def write_video(path, frames, fps=10.):
    writer = cv2.VideoWriter(
        str(path), cv2.VideoWriter_fourcc(*'MJPG'), fps,
        (frames[0].shape[1], frames[0].shape[0]))
    for frame in frames:
        writer.write(frame)
    writer.release()


def damage_video(path, frame, truncate=False):
    """Destroy one frame's JPEG data in an MJPG AVI, or cut the file there
    (the header still announces every frame)."""
    data = bytearray(path.read_bytes())
    starts = [
        i for i in range(len(data) - 1)
        if data[i] == 0xFF and data[i + 1] == 0xD8
    ]  # JPEG start-of-image markers, one per frame
    start = starts[frame]
    if truncate:
        path.write_bytes(bytes(data[:start - 8]))  # from its chunk header
    else:  # zero the frame's whole JPEG, up to the next frame's chunk
        end = starts[frame + 1] - 8 if frame + 1 < len(starts) else len(data)
        data[start:end] = bytes(end - start)
        path.write_bytes(bytes(data))


def test_image_conversions():
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4)
    np.testing.assert_array_equal(
        to_bgr_uint8(gray), np.repeat(gray[..., None], 3, 2))
    deep = gray.astype(np.uint16) * 257
    np.testing.assert_array_equal(to_bgr_uint8(deep), to_bgr_uint8(gray))
    np.testing.assert_array_equal(
        to_bgr_uint8(gray / 255.), to_bgr_uint8(gray))
    bgra = np.dstack([np.repeat(gray[..., None], 3, 2), gray])
    np.testing.assert_array_equal(to_bgr_uint8(bgra), to_bgr_uint8(gray))
    with pytest.raises(ValueError, match=r'frame 3: expected .* \(2, 2, 5\)'):
        to_bgr_uint8(np.zeros((2, 2, 5), np.uint8), 'frame 3')
    with pytest.raises(ValueError, match='unsupported image dtype int32'):
        to_bgr_uint8(np.zeros((2, 2), np.int32))


def test_folder_with_an_unreadable_file(tmp_path):
    img = np.full((20, 30, 3), 90, np.uint8)
    cv2.imwrite(str(tmp_path / 'a.png'), img)
    (tmp_path / 'b.jpg').write_bytes(b'not an image')
    cv2.imwrite(str(tmp_path / 'c.png'), img[..., 0])  # grayscale file
    (tmp_path / 'notes.txt').write_text('ignored')
    source = FrameSource(str(tmp_path))
    frames = list(source)
    assert source.kind == 'folder' and source.total == 3
    assert [f.name for f in frames] == ['a.png', 'b.jpg', 'c.png']
    assert frames[1].image is None
    assert 'not a readable image' in frames[1].error
    assert frames[2].image.shape == (20, 30, 3)
    assert source.num_skipped == 1 and source.skipped[0].startswith('b.jpg')
    with pytest.raises(ValueError, match='not a readable image'):
        load_image(str(tmp_path / 'b.jpg'))


def test_video_frames_and_a_truncated_video(tmp_path):
    frames = [np.full((48, 64, 3), 10 * i, np.uint8) for i in range(12)]
    path = tmp_path / 'clip.avi'
    write_video(path, frames)
    source = FrameSource(str(path))
    read = list(source)
    assert source.kind == 'video' and source.fps == pytest.approx(10.)
    assert len(read) == 12 and source.num_skipped == 0
    assert read[5].name == 'clip_000005'
    assert abs(int(read[5].image.mean()) - 50) <= 2
    # one corrupt frame: skipped, counted, the rest read
    damage_video(path, 5)
    source = FrameSource(str(path))
    read = list(source)
    assert [f.index for f in read if f.image is None] == [5]
    assert len(read) == 12 and source.num_skipped == 1
    assert 'clip_000005: unreadable frame' in source.skipped[0]
    assert abs(int(read[6].image.mean()) - 60) <= 2
    # a truncated file: the missing tail is counted
    write_video(path, frames)
    damage_video(path, 8, truncate=True)
    source = FrameSource(str(path))
    good = [f for f in source if f.image is not None]
    assert len(good) == 8 and source.num_skipped == 4


def test_bad_sources(tmp_path):
    with pytest.raises(FileNotFoundError, match='video not found'):
        FrameSource(str(tmp_path / 'missing.mp4'))
    with pytest.raises(ValueError, match='holds no images'):
        FrameSource(str(tmp_path))
    assert FrameSource('webcam').kind == 'webcam'
    with pytest.raises(ValueError, match='not a readable image'):
        (tmp_path / 'x.png').write_bytes(b'')
        list(FrameSource(str(tmp_path / 'x.png')))


def test_corrupt_video_files_raise_naming_the_file(tmp_path):
    """A file with a video extension that no decoder opens: the source
    refuses it at once, naming the file (nothing is iterated)."""
    rng = np.random.default_rng(0)
    garbage = tmp_path / 'garbage.mp4'
    garbage.write_bytes(rng.integers(0, 256, 4096, np.uint8).tobytes())
    with pytest.raises(ValueError, match=f'{garbage}: cannot open the video'):
        FrameSource(str(garbage))
    # a real video cut inside its header
    clip = tmp_path / 'cut.avi'
    write_video(clip, [np.full((48, 64, 3), 90, np.uint8)] * 3)
    clip.write_bytes(clip.read_bytes()[:64])
    with pytest.raises(ValueError, match=f'{clip}: cannot open the video'):
        FrameSource(str(clip))


def test_video_given_up_after_consecutive_failures(tmp_path):
    """Past ``MAX_CONSECUTIVE_FAILURES`` unreadable frames in a row the
    video is taken to have ended: the failed frames were yielded and
    counted one by one, the rest of the frames its header announced are
    counted at once, in one ``skipped`` entry."""
    limit = MAX_CONSECUTIVE_FAILURES
    num, cut = limit + 15, 5
    path = tmp_path / 'long.avi'
    write_video(path,
                [np.full((32, 48, 3), 7 * i, np.uint8) for i in range(num)])
    damage_video(path, cut, truncate=True)
    source = FrameSource(str(path))
    assert source.total == num  # the header still announces every frame
    frames = list(source)
    # read: the good frames, then `limit` failures, then the give-up
    assert [f.index for f in frames] == list(range(cut + limit))
    assert all(f.image is not None for f in frames[:cut])
    assert all(f.image is None for f in frames[cut:])
    assert frames[cut].error == 'unreadable frame (corrupt video data)'
    assert source.num_skipped == num - cut
    assert len(source.skipped) == limit + 1
    assert source.skipped[0] == ('long_000005: unreadable frame (corrupt '
                                 'video data)')
    first_lost = cut + limit
    assert source.skipped[-1] == (
        f'long_{first_lost:06d}: frames {first_lost}-{num - 1} unreadable '
        '(truncated or corrupt video)')

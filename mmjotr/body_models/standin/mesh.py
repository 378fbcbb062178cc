# Copyright (c) mmjotr contributors. All rights reserved.
"""The stand-in body surface: one closed, genus-0 mesh with SMPL's sizes.

The body is built from ten capped tubes (torso, head with neck, two legs,
feet, arms and hands) laid around SMPL's rest skeleton. Each tube is a
stack of elliptic rings closed by a pole vertex at either end, which is a
closed genus-0 surface with ``F = 2 V - 4``. Every child tube starts inside
its parent; a hidden three-sided "bridge" joins a face of the parent that
lies inside the child to the child's start cap, which merges the two
surfaces into one genus-0 surface and keeps ``F = 2 V - 4``. Ring counts
are solved so that the whole mesh has exactly SMPL's 6890 vertices, hence
13776 faces.
"""
from dataclasses import dataclass
from typing import Dict, List, Sequence, Tuple

import numpy as np

__all__ = [
    'TubeSpec', 'TubeMesh', 'BodyMesh', 'make_tube', 'solve_ring_counts',
    'build_body_mesh'
]

NUM_VERTICES = 6890


@dataclass
class TubeSpec:
    """A capped tube through elliptic sections.

    Attributes:
        name (str): part name.
        parent (str): the part it is bridged to ('' for the root part).
        sections (ndarray[S, 5]): ``(x, y, z, a, b)``: section centres and
            ellipse half-axes along the frame's ``u`` and ``v``.
        ref (tuple): reference direction for ``u`` (projected off the
            tube's tangent).
        segments (int): vertices per ring.
        rings (int): nominal ring count (the solver adjusts it).
    """
    name: str
    parent: str
    sections: np.ndarray
    ref: Tuple[float, float, float]
    segments: int
    rings: int


@dataclass
class TubeMesh:
    """One generated tube (indices local to the tube).

    Attributes:
        vertices (ndarray[V, 3]): ``rings * segments`` ring vertices, then
            the start pole and the end pole.
        faces (ndarray[F, 3]): outward-oriented triangles.
        centers (ndarray[R, 3]): ring centres.
        ring_of_vertex (ndarray[V]): ring index of each vertex (poles take
            the nearest ring).
    """
    vertices: np.ndarray
    faces: np.ndarray
    centers: np.ndarray
    ring_of_vertex: np.ndarray


@dataclass
class BodyMesh:
    """The merged body.

    Attributes:
        vertices (ndarray[6890, 3]): rest-pose vertices, metres.
        faces (ndarray[13776, 3]): triangles (int64).
        part_of_vertex (ndarray[6890]): index into ``part_names``.
        center_of_vertex (ndarray[6890, 3]): centre of the vertex's ring
            (the local axis point, used for radial shape directions).
        part_names (list of str): tube names.
        part_rings (dict): name -> (global vertex offset, segments, ring
            centres ``ndarray[R, 3]``) to regress centreline points.
    """
    vertices: np.ndarray
    faces: np.ndarray
    part_of_vertex: np.ndarray
    center_of_vertex: np.ndarray
    part_names: List[str]
    part_rings: Dict[str, Tuple[int, int, np.ndarray]]


def _polyline_sample(sections: np.ndarray, count: int) -> np.ndarray:
    """Resample section rows at ``count`` points evenly along arc length."""
    seg = np.linalg.norm(np.diff(sections[:, :3], axis=0), axis=1)
    arc = np.concatenate([[0.0], np.cumsum(seg)])
    targets = np.linspace(0.0, arc[-1], count)
    return np.stack(
        [np.interp(targets, arc, sections[:, c]) for c in range(5)], axis=1)


def _frames(centers: np.ndarray, ref: Sequence[float]) -> tuple:
    tangent = np.gradient(centers, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    ref = np.asarray(ref, dtype=np.float64)
    u = ref - (tangent @ ref)[:, None] * tangent
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    v = np.cross(tangent, u)
    return tangent, u, v


def make_tube(spec: TubeSpec, rings: int) -> TubeMesh:
    """Generate the vertices and outward faces of one capped tube."""
    samples = _polyline_sample(np.asarray(spec.sections, float), rings)
    centers = samples[:, :3]
    tangent, u, v = _frames(centers, spec.ref)
    # Phase -pi/2 puts a vertex on the -v axis (the front of the torso and
    # head), so mirrored parts mirror vertex for vertex.
    theta = -np.pi / 2 + np.linspace(
        0, 2 * np.pi, spec.segments, endpoint=False)
    cos, sin = np.cos(theta)[None, :, None], np.sin(theta)[None, :, None]
    ring_verts = (centers[:, None] + samples[:, None, 3:4] * cos * u[:, None] +
                  samples[:, None, 4:5] * sin * v[:, None])  # (R, S, 3)
    step = np.linalg.norm(centers[1] - centers[0])
    poles = np.stack([
        centers[0] - 0.5 * step * tangent[0],
        centers[-1] + 0.5 * step * tangent[-1]
    ])
    vertices = np.concatenate([ring_verts.reshape(-1, 3), poles])
    s = spec.segments
    idx = np.arange(rings * s).reshape(rings, s)
    a, b = idx[:-1], np.roll(idx[:-1], -1, axis=1)
    c, d = np.roll(idx[1:], -1, axis=1), idx[1:]
    side = np.concatenate([
        np.stack([a, b, c], -1).reshape(-1, 3),
        np.stack([a, c, d], -1).reshape(-1, 3)
    ])
    start, end = rings * s, rings * s + 1
    first, last = idx[0], idx[-1]
    cap0 = np.stack([np.full(s, start), np.roll(first, -1), first], axis=1)
    cap1 = np.stack([np.full(s, end), last, np.roll(last, -1)], axis=1)
    faces = np.concatenate([side, cap0, cap1])
    ring_of_vertex = np.concatenate(
        [np.repeat(np.arange(rings), s), [0, rings - 1]])
    return TubeMesh(vertices, faces, centers, ring_of_vertex)


def _signed_volume(vertices: np.ndarray, faces: np.ndarray) -> float:
    tri = vertices[faces]
    return float(
        np.einsum('ij,ij->i', tri[:, 0], np.cross(tri[:, 1], tri[:, 2])).sum()
        / 6)


def _group(name: str) -> str:
    return name[2:] if name[:2] in ('L_', 'R_') else name


def solve_ring_counts(specs: Sequence[TubeSpec],
                      total: int = NUM_VERTICES,
                      slack: int = 6) -> List[int]:
    """Ring counts near the nominal ones giving exactly ``total`` vertices.

    Mirrored parts (``L_x``/``R_x``) share one count so that the body stays
    left-right symmetric. A dynamic programme over the parts minimises the
    summed deviation from the nominal ``rings``.
    """
    groups: Dict[str, List[int]] = {}
    for i, spec in enumerate(specs):
        groups.setdefault(_group(spec.name), []).append(i)
    keys = list(groups)
    # reach[vertex count] = (cost, chosen rings per group so far)
    reach = {0: (0, ())}
    for key in keys:
        members = groups[key]
        spec = specs[members[0]]
        nxt: Dict[int, tuple] = {}
        for used, (cost, chosen) in reach.items():
            for rings in range(
                    max(2, spec.rings - slack), spec.rings + slack + 1):
                count = used + len(members) * (rings * spec.segments + 2)
                new_cost = cost + len(members) * abs(rings - spec.rings)
                if count <= total and (count not in nxt
                                       or new_cost < nxt[count][0]):
                    nxt[count] = (new_cost, chosen + (rings, ))
        reach = nxt
    if total not in reach:
        raise ValueError(f'no ring counts give exactly {total} vertices')
    chosen = dict(zip(keys, reach[total][1]))
    return [chosen[_group(spec.name)] for spec in specs]


def _bridge(vertices: np.ndarray, parent_face: np.ndarray,
            child_face: np.ndarray) -> np.ndarray:
    """Six triangles joining two removed, outward-oriented triangles."""
    ring_a = list(parent_face)
    d, e, f = child_face
    best, best_cost = None, None
    for rot in range(3):  # pair each parent corner with a child corner
        ring_p = list(np.roll([d, f, e], rot))
        cost = sum(((vertices[x] - vertices[y])**2).sum()
                   for x, y in zip(ring_a, ring_p))
        if best_cost is None or cost < best_cost:
            best, best_cost = ring_p, cost
    faces = []
    for i in range(3):
        j = (i + 1) % 3
        faces += [(ring_a[i], ring_a[j], best[j]),
                  (ring_a[i], best[j], best[i])]
    return np.asarray(faces, dtype=np.int64)


def _pick_parent_face(vertices: np.ndarray, faces: np.ndarray,
                      owner: np.ndarray, child_spec: TubeSpec) -> int:
    """Index of a parent face lying well inside the child tube."""
    centroids = vertices[faces].mean(axis=1)
    sections = np.asarray(child_spec.sections, float)
    best = (np.inf, -1)
    for k in range(len(sections) - 1):
        p0, p1 = sections[k, :3], sections[k + 1, :3]
        seg = p1 - p0
        lam = np.clip((centroids - p0) @ seg / (seg @ seg), 0, 1)
        foot = p0 + lam[:, None] * seg
        dist = np.linalg.norm(centroids - foot, axis=1)
        radius = np.minimum(*(sections[k, 3:] + lam[:, None] *
                              (sections[k + 1, 3:] - sections[k, 3:])).T)
        inside = (dist < 0.6 * radius) & owner
        along = k + lam  # prefer faces near the child's start
        score = np.where(inside, along + dist, np.inf)
        i = int(np.argmin(score))
        if score[i] < best[0]:
            best = (score[i], i)
    if best[1] < 0:
        raise RuntimeError(f'no face of "{child_spec.parent}" lies inside '
                           f'"{child_spec.name}"; cannot bridge them')
    return best[1]


def build_body_mesh(specs: Sequence[TubeSpec]) -> BodyMesh:
    """Build and merge the tubes (parents must precede their children)."""
    counts = solve_ring_counts(specs)
    tubes, offsets = [], []
    names = [sp.name for sp in specs]
    vertices, faces, part, centers = [], [], [], []
    offset = 0
    for pid, (spec, rings) in enumerate(zip(specs, counts)):
        tube = make_tube(spec, rings)
        if _signed_volume(tube.vertices, tube.faces) < 0:
            tube.faces = tube.faces[:, ::-1].copy()
        tubes.append(tube)
        offsets.append(offset)
        vertices.append(tube.vertices)
        faces.append(tube.faces + offset)
        part.append(np.full(len(tube.vertices), pid))
        centers.append(tube.centers[tube.ring_of_vertex])
        offset += len(tube.vertices)
    vertices = np.concatenate(vertices)
    face_part = np.concatenate(
        [np.full(len(f), i) for i, f in enumerate(faces)])
    faces = np.concatenate(faces)
    keep = np.ones(len(faces), dtype=bool)
    bridges = []
    for cid, spec in enumerate(specs):
        if not spec.parent:
            continue
        pid = names.index(spec.parent)
        owner = (face_part == pid) & keep
        fi = _pick_parent_face(vertices, faces, owner, spec)
        # The child's first start-cap triangle (inside the parent).
        rings = counts[cid]
        ci = np.flatnonzero(face_part == cid)[2 * (rings - 1) * spec.segments]
        keep[[fi, ci]] = False
        bridges.append(_bridge(vertices, faces[fi], faces[ci]))
    faces = np.concatenate([faces[keep]] + bridges).astype(np.int64)
    part_rings = {
        sp.name: (offsets[i], sp.segments, tubes[i].centers)
        for i, sp in enumerate(specs)
    }
    return BodyMesh(vertices, faces, np.concatenate(part),
                    np.concatenate(centers), names, part_rings)

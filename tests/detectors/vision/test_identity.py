"""Identity on the shared clips and stills: SFace on MediaPipe-aligned faces, through the session."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from numpy.typing import NDArray

from interview_monitor.detectors.vision import VisionConfig, VisionModels, VisionSession
from interview_monitor.detectors.vision.faces import detect_faces, fit_mesh, to_rgb
from interview_monitor.detectors.vision.identity import (
    FaceEmbedder,
    ReferenceFace,
    ReferenceFaceError,
    load_face_embedder,
    reference_from_image,
)
from interview_monitor.media.video import iter_frames
from interview_monitor.signals import DetectedEvent

THRESHOLD = VisionConfig().identity.threshold
MAX_YAW = VisionConfig().identity.max_yaw_deg
MALE, FEMALE = "head-pose-face-detection-male.mp4", "head-pose-face-detection-female.mp4"
ALL_FRAMES = 100.0  # sample rate above every clip's own: each frame once


@pytest.fixture(scope="module")
def embedder() -> FaceEmbedder:
    return load_face_embedder()


def clip(test_data: Path, name: str, fps: float = ALL_FRAMES) -> list[NDArray[np.uint8]]:
    return [frame for _, frame in iter_frames(test_data / "video" / name, fps)]


def judged_vectors(
    models: VisionModels, embedder: FaceEmbedder, frames: list[NDArray[np.uint8]]
) -> list[NDArray[np.float32]]:
    """The main face's vector in every frame where the session would judge it."""
    vectors = []
    for frame in frames:
        rgb = to_rgb(frame)
        faces = detect_faces(models, rgb, VisionConfig().face_min_score)
        fit = fit_mesh(models, rgb, faces[0]) if faces else None
        if fit is not None and abs(fit.pose.yaw) <= MAX_YAW:
            vector = embedder.embed(rgb, fit.points)
            assert vector is not None
            vectors.append(vector)
    return vectors


def photo(test_data: Path, relative: str) -> NDArray[np.uint8]:
    image = cv2.imread(str(test_data / relative))
    assert image is not None
    return np.asarray(image, dtype=np.uint8)


def test_the_same_person_matches_across_clips_and_stills(
    vision_models: VisionModels, embedder: FaceEmbedder, test_data: Path
) -> None:
    still = photo(test_data, "images/headpose/intel_female_frame18_near_frontal.png")
    woman = reference_from_image(still, "uploaded photo", 0.5, vision_models, embedder)
    her_frames = judged_vectors(vision_models, embedder, clip(test_data, FEMALE))
    assert len(her_frames) >= 8
    assert min(float(woman.vector @ vector) for vector in her_frames) >= THRESHOLD

    # The two phone clips show one man in a red hoodie, recorded apart.
    first = judged_vectors(vision_models, embedder, clip(test_data, "center_focus.mp4", 2.0))
    second = judged_vectors(vision_models, embedder, clip(test_data, "center_left_center.mp4", 2.0))
    assert min(float(a @ b) for a in first for b in second) >= THRESHOLD


def test_the_female_and_male_clips_do_not_match(
    vision_models: VisionModels, embedder: FaceEmbedder, test_data: Path
) -> None:
    her = judged_vectors(vision_models, embedder, clip(test_data, FEMALE))
    him = judged_vectors(vision_models, embedder, clip(test_data, MALE, 4.0))
    assert her and him
    assert max(float(a @ b) for a in her for b in him) < THRESHOLD


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("images/faces/dogs.jpg", "no_face"),
        ("images/faces/group_selfie_4_faces.jpg", "several_faces"),
    ],
)
def test_a_photo_without_exactly_one_face_is_refused(
    vision_models: VisionModels, test_data: Path, relative: str, reason: str
) -> None:
    with pytest.raises(ReferenceFaceError) as refused:
        reference_from_image(photo(test_data, relative), "uploaded photo", 0.5, vision_models)
    assert refused.value.reason == reason


def identity_events(events: list[DetectedEvent]) -> list[DetectedEvent]:
    return [event for event in events if event.columns.get("event_type") == "identity_mismatch"]


def run_stream(session: VisionSession, frames: list[NDArray[np.uint8]]) -> list[DetectedEvent]:
    """Frames half a second apart, as the candidate's page sends them."""
    events = [
        event
        for index, frame in enumerate(frames)
        for event in session.feed_frame(frame, index * 0.5)
    ]
    return events + session.close(len(frames) * 0.5)


def test_a_stream_that_switches_person_raises_one_identity_mismatch(
    vision_models: VisionModels, test_data: Path
) -> None:
    man, woman = clip(test_data, MALE), clip(test_data, FEMALE)
    session = VisionSession(VisionConfig(), vision_models)
    events = identity_events(run_stream(session, man + woman + woman))
    assert len(events) == 1
    mismatch = events[0]
    switch_s = len(man) * 0.5
    assert switch_s < mismatch.start_s < switch_s + 10.0
    assert mismatch.details["reference"] == "first stable face"
    assert mismatch.details["similarity"] < THRESHOLD
    # The snapshot is the reference face beside the current frame (480x270), at its height.
    assert mismatch.snapshot_jpeg is not None
    snapshot = cv2.imdecode(np.frombuffer(mismatch.snapshot_jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert snapshot.shape[0] == 270 and snapshot.shape[1] > 480 + 100
    assert mismatch.columns["severity_score"] >= 2


def test_the_same_person_all_along_raises_no_identity_mismatch(
    vision_models: VisionModels, test_data: Path
) -> None:
    session = VisionSession(VisionConfig(), vision_models)
    man = clip(test_data, MALE)
    assert identity_events(run_stream(session, man + man[::-1])) == []
    assert session.reference_face is not None


def test_an_uploaded_reference_of_someone_else_raises_a_mismatch_from_the_start(
    vision_models: VisionModels, test_data: Path
) -> None:
    tom = photo(test_data, "images/faces/Tom_Cruise_avp_2014_4.jpg")
    session = VisionSession(VisionConfig(), vision_models)
    session.set_reference_face(reference_from_image(tom, "uploaded photo", 0.5, vision_models))
    events = identity_events(run_stream(session, clip(test_data, MALE, 4.0)))
    assert [event.details["reference"] for event in events] == ["uploaded photo"]
    assert events[0].start_s == 3.0  # the 4th judged face (0, 1, 2, 3 s): all four mismatch


def test_matching_faces_are_embedded_every_few_seconds_not_every_frame(
    vision_models: VisionModels, test_data: Path
) -> None:
    """The male clip at its own 12 frames/s for 5.2 s: four embeddings, not 62."""
    config = VisionConfig()
    assert (config.identity.recheck_interval_s, config.identity.embed_interval_s) == (1.0, 5.0)
    session = VisionSession(config, vision_models)
    for t_s, frame in iter_frames(test_data / "video" / MALE, ALL_FRAMES):
        session.feed_frame(frame, t_s)
    assert session.stats["frames"] == 62
    # Enrolling at 0, 1 and 2 s, the first comparison at 3 s (one a second); all matching,
    # the next is due at 8 s, after the clip.
    assert session.stats["identity_embeddings"] == 4


def test_a_face_coming_back_into_view_is_checked_at_once(
    vision_models: VisionModels, test_data: Path
) -> None:
    man = clip(test_data, MALE, 4.0)
    empty = np.full_like(man[0], 90)
    session = VisionSession(VisionConfig(), vision_models)
    for index, frame in enumerate(man[:10]):  # 0-4.5 s: enrolled at 0-2 s, compared at 3 s
        session.feed_frame(frame, index * 0.5)
    assert session.stats["identity_embeddings"] == 4
    session.feed_frame(empty, 5.0)
    session.feed_frame(man[10], 5.5)  # 2.5 s after the last one, under 5 s, yet checked
    assert session.stats["identity_embeddings"] == 5
    session.feed_frame(man[11], 6.0)  # and then it is back to one every 5 s
    assert session.stats["identity_embeddings"] == 5


def test_a_reference_is_a_unit_vector_with_its_snapshot(
    vision_models: VisionModels, test_data: Path
) -> None:
    tom = photo(test_data, "images/faces/Tom_Cruise_avp_2014_4.jpg")
    reference: ReferenceFace = reference_from_image(tom, "system check", 0.5, vision_models)
    assert reference.vector.shape == (128,)
    assert float(np.linalg.norm(reference.vector)) == pytest.approx(1.0, abs=1e-5)
    snapshot = cv2.imdecode(np.frombuffer(reference.jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert snapshot is not None and max(snapshot.shape[:2]) <= 320

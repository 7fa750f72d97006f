from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.ci import unavailable

from interview_monitor.detectors.vision import VisionModels, load_vision_models


@pytest.fixture(scope="session")
def vision_models() -> VisionModels:
    return load_vision_models()


@pytest.fixture(scope="session")
def object_session(vision_models: VisionModels) -> Any:
    """The NanoDet session. Absent model: skip on a developer machine, fail on CI (it has npm)."""
    if vision_models.object_session is None:
        unavailable(vision_models.object_status)
    return vision_models.object_session


@pytest.fixture(scope="session")
def group_photos(ground_truth: dict[str, Any], test_data: Path) -> dict[str, int]:
    """Annotated group photos (with face boxes) -> number of faces."""
    return {
        name: entry["faces"]
        for name, entry in ground_truth.items()
        if "face_boxes_ltwh" in entry or name.endswith("group_selfie_4_faces.jpg")
    }

"""Flags that overlap in time and share a cause are one incident.

Several detectors often fire on one event: a second person walking in raises `extra_person`
(the object detector), `multiple_faces` (the face detector) and `multiple_speakers` (the audio
detector) within a second. A reviewer judges that event once, so it is listed once, with its
parts. "Share a cause" is the table below: two kinds are related when one cause explains both.
Pure: plain `Flag`s in, plain `Incident`s out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from interview_monitor.risk.engine import Flag

# What could have made each detector fire; a kind may have more than one cause (a turned
# head is a look at someone else in the room, or a look away from the screen).
CAUSES: dict[str, frozenset[str]] = {
    "Another person present": frozenset(
        {"extra_person", "multiple_faces", "multiple_speakers", "spoken_cue", "head_turned"}
    ),
    "Candidate away from the screen": frozenset({"no_face", "looking_away", "head_turned"}),
    "Outside material": frozenset({"phone", "other_object", "looking_away"}),
}
# Detections are point-like or sampled: flags this close count as overlapping.
OVERLAP_SLACK = timedelta(seconds=2)


def related(kind_a: str, kind_b: str) -> bool:
    """True when the two kinds may come from one cause (a kind is related to itself)."""
    return kind_a == kind_b or any(kind_a in kinds and kind_b in kinds for kinds in CAUSES.values())


def cause_of(kinds: Iterable[str]) -> str:
    """The cause that explains the most of these kinds (the first listed on a tie)."""
    present = set(kinds)
    best = max(CAUSES, key=lambda cause: len(CAUSES[cause] & present))
    return best if CAUSES[best] & present else "Other"


@dataclass(frozen=True)
class Incident:
    # The first flag's ref: stable while flags are added later, so notes can point to it.
    ref: str
    cause: str
    start: datetime
    end: datetime
    parts: tuple[Flag, ...]

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({part.kind for part in self.parts}))

    @property
    def dismissed(self) -> bool:
        """Every part was dismissed: the reviewer judged the whole event."""
        return all(part.dismissed for part in self.parts)

    @property
    def duration_s(self) -> float:
        return (self.end - self.start).total_seconds()


def group_incidents(flags: Sequence[Flag]) -> list[Incident]:
    """Incidents in time order; each flag is a part of exactly one."""
    ordered = sorted(flags, key=lambda flag: (flag.start, flag.ref))
    parent = list(range(len(ordered)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for i, flag in enumerate(ordered):
        reach = flag.end + OVERLAP_SLACK
        for j in range(i + 1, len(ordered)):
            other = ordered[j]
            if other.start > reach:
                break  # sorted by start: no later flag can overlap this one
            if related(flag.kind, other.kind):
                parent[root(j)] = root(i)
    groups: dict[int, list[Flag]] = {}
    for index, flag in enumerate(ordered):
        groups.setdefault(root(index), []).append(flag)
    incidents = [
        Incident(
            ref=parts[0].ref,
            cause=cause_of(part.kind for part in parts),
            start=parts[0].start,
            end=max(part.end for part in parts),
            parts=tuple(parts),
        )
        for parts in groups.values()
    ]
    return sorted(incidents, key=lambda incident: (incident.start, incident.ref))


def flagged_seconds(incidents: Iterable[Incident]) -> float:
    """How long at least one flag that is not dismissed was raised (overlaps counted once)."""
    spans = sorted(
        (part.start, part.end)
        for incident in incidents
        for part in incident.parts
        if not part.dismissed
    )
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for start, end in spans:
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).total_seconds()
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).total_seconds()
    return total

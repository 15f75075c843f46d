"""Rules for 360 responses, pure: no Flask, pymongo or kombu."""

from __future__ import annotations

from dataclasses import dataclass, replace

from kinerja.errors import ValidationFailed

RATER_GROUPS = ("superior", "peer", "subordinate", "self")
SCORE_MIN, SCORE_MAX = 0, 100


@dataclass(frozen=True)
class Response:
    """One rater's scores for one ratee in one round; each revision replaces the last."""

    round_id: str
    rater_id: str
    ratee_id: str
    rater_group: str
    scores: dict[str, int]
    comment: str = ""
    revision: int = 1

    @property
    def id(self) -> str:
        return response_id(self.round_id, self.rater_id, self.ratee_id)


def response_id(round_id: str, rater_id: str, ratee_id: str) -> str:
    return f"{round_id}:{rater_id}:{ratee_id}"


def submit_response(previous: Response | None, draft: Response) -> Response:
    """Accept a first submission or a revision; a revision keeps the rater group."""
    if (draft.rater_group == "self") != (draft.rater_id == draft.ratee_id):
        raise ValidationFailed(
            "the self group is for rating yourself, and only for that",
            fields={"rater_group": ["must be 'self' exactly when rater and ratee are the same"]},
        )
    out_of_range = [d for d, s in draft.scores.items() if not SCORE_MIN <= s <= SCORE_MAX]
    if out_of_range:
        raise ValidationFailed(
            "scores must be between 0 and 100",
            fields={"scores": {d: ["must be between 0 and 100"] for d in out_of_range}},
        )
    if previous is None:
        return replace(draft, revision=1)
    if previous.rater_group != draft.rater_group:
        raise ValidationFailed(
            "a revision cannot change the rater group",
            fields={"rater_group": [f"was {previous.rater_group!r}"]},
        )
    return replace(draft, revision=previous.revision + 1)

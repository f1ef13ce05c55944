"""The formula units are scored by for the yearly evaluation, as Phòng Nội vụ sets it.

A unit's score is a weighted mean of four shares of the items it was assigned, times 100:

    điểm = 100 × (a·đúng hạn + b·quá hạn đã xong + c·(1 − quá hạn chưa xong) + d·(1 − bị trả lại))
           ÷ (a + b + c + d)

where each share is a count over the items assigned (bị trả lại: items returned at least once).
PAR-Index's own rule, the share of assigned tasks done on time, is a = 1 and b = c = d = 0, the
default while nobody has set a formula. Weights are numbers (negative ones allowed) whose sum is
not zero; a change is audited with the weights before and after."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..deadlines import utcnow
from ..extensions import db
from ..formatting import format_number
from ..models import ScoringFormula
from .queries import Figures

WEIGHTS = ("on_time", "late", "overdue", "returned")
DEFAULT = {"on_time": Decimal(1), "late": Decimal(0), "overdue": Decimal(0),
           "returned": Decimal(0)}
LABELS = {
    "on_time": "tỷ lệ hoàn thành đúng hạn",
    "late": "tỷ lệ hoàn thành quá hạn",
    "overdue": "tỷ lệ không quá hạn (1 − tỷ lệ quá hạn chưa hoàn thành)",
    "returned": "tỷ lệ không bị trả lại (1 − tỷ lệ nhiệm vụ bị yêu cầu bổ sung)",
}


@dataclass(frozen=True)
class Formula:
    on_time: Decimal
    late: Decimal
    overdue: Decimal
    returned: Decimal
    updated_at: object = None

    @property
    def weights(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in WEIGHTS}

    @property
    def is_default(self) -> bool:
        return self.weights == DEFAULT

    def score(self, figures: Figures) -> float:
        """The unit's score from 0 to 100 (beyond, with negative weights)."""
        if not figures.assigned:
            return 0.0
        shares = {
            "on_time": figures.share(figures.on_time),
            "late": figures.share(figures.late),
            "overdue": 1 - figures.share(figures.overdue),
            "returned": 1 - figures.share(figures.returned_items),
        }
        total = sum(self.weights.values())
        return round(100 * sum(float(w) * shares[n] for n, w in self.weights.items())
                     / float(total), 2)

    def text(self) -> str:
        """The formula in words, as printed above the ranking and in the annex."""
        terms = [f"{format_number(weight)} × {LABELS[name]}"
                 for name, weight in self.weights.items() if weight]
        total = format_number(sum(self.weights.values()))
        if self.is_default:
            return ("Điểm = tỷ lệ nhiệm vụ được giao hoàn thành đúng hạn × 100 (cách tính của "
                    "Chỉ số CCHC: số nhiệm vụ hoàn thành đúng hạn / số nhiệm vụ được giao).")
        return f"Điểm = ({' + '.join(terms)}) ÷ {total} × 100."


def current() -> Formula:
    """The formula in force (one statement): the stored one, else PAR-Index's rule."""
    stored = db.session.scalar(select(ScoringFormula).order_by(ScoringFormula.id).limit(1))
    if stored is None:
        return Formula(**DEFAULT)
    return Formula(stored.on_time, stored.late, stored.overdue, stored.returned,
                   stored.updated_at)


def save(weights: dict[str, Decimal]) -> bool:
    """Store the weights, audited with what changed; False when nothing did."""
    stored = db.session.scalar(select(ScoringFormula).order_by(ScoringFormula.id).limit(1))
    before = DEFAULT if stored is None else {n: getattr(stored, n) for n in WEIGHTS}
    changed = [n for n in WEIGHTS if Decimal(before[n]) != weights[n]]
    if not changed and stored is not None:
        return False
    if stored is None:
        stored = ScoringFormula()
        db.session.add(stored)
    for name in WEIGHTS:
        setattr(stored, name, weights[name])
    stored.updated_at = utcnow()
    stored.updated_by_id = current_user.id
    db.session.flush()
    audit.record("scoring.update", stored,
                 before={n: str(before[n]) for n in WEIGHTS},
                 after={n: str(weights[n]) for n in WEIGHTS})
    db.session.commit()
    return True

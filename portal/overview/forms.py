"""The scoring formula's form: four weights, numbers written as Vietnamese write them (0,5)."""

from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from wtforms import StringField

from .scoring import WEIGHTS

NUMBER = re.compile(r"[+-]?[0-9]{1,3}([.,][0-9]{1,2})?")
LIMIT = Decimal(100)


def _weight(label: str, hint: str) -> StringField:
    return StringField(label, description=hint)


class FormulaForm(FlaskForm):
    on_time = _weight("Trọng số: hoàn thành đúng hạn",
                      "Chỉ số CCHC chỉ tính tỷ lệ này: trọng số 1, các trọng số khác 0.")
    late = _weight("Trọng số: hoàn thành quá hạn", "Ví dụ 0,5: việc xong muộn được nửa điểm.")
    overdue = _weight("Trọng số: không quá hạn", "Tỷ lệ nhiệm vụ không quá hạn chưa hoàn thành.")
    returned = _weight("Trọng số: không bị trả lại",
                       "Tỷ lệ nhiệm vụ chưa lần nào bị yêu cầu bổ sung.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weights: dict[str, Decimal] = {}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name in WEIGHTS:
            field = getattr(self, name)
            text = (field.data or "").strip().replace(" ", "")
            if not NUMBER.fullmatch(text):
                field.errors = [*field.errors, (
                    "Trọng số phải là một số từ -100 đến 100, tối đa hai chữ số thập phân, "
                    "ví dụ 1 hoặc 0,5.")]
                valid = False
                continue
            value = Decimal(text.replace(",", "."))
            if abs(value) > LIMIT:
                field.errors = [*field.errors, "Trọng số phải từ -100 đến 100."]
                valid = False
                continue
            self.weights[name] = value
        if valid and sum(self.weights.values()) == 0:
            self.on_time.errors = [*self.on_time.errors, (
                "Tổng các trọng số phải khác 0 (điểm là bình quân có trọng số). Ví dụ cách "
                "tính của Chỉ số CCHC: 1, 0, 0, 0.")]
            valid = False
        return valid


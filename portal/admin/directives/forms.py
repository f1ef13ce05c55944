"""The forms of the directive administration: a directive's metadata, a letter to import, a copy
for the next cycle, the units the inspection visited. Every message is Vietnamese and shown next
to its field; each form hands the route values ready to store (`values`, `draft`, `unit_ids`)."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from ...deadlines import today
from ...directives import drafts, letter_reads
from ...directives.importer import LetterImportError, import_letter, read_letter_file
from ...formatting import format_date, format_number, parse_date
from ...models import Directive
from ..fields import StoredLength, clean, required

# A công văn is a few pages; a hundred pages of text is far more than any letter to import.
LETTER_MAX_CHARS = 200_000
# A pasted letter the portal would not even read (past MAX_FORM_MEMORY_SIZE, 413): its length is
# not known, only that it is over.
LETTER_TOO_LONG = ("Văn bản dán vào quá dài; công văn nhập được tối đa "
                   f"{format_number(LETTER_MAX_CHARS)} ký tự. Hãy kiểm tra đã dán đúng một công "
                   "văn, hoặc chọn tệp .docx của công văn. Chưa có gì được lưu.")
YEAR_MIN, YEAR_MAX = 1900, 2999
SLUG_RULE = ("Mã văn bản chỉ gồm chữ thường không dấu, chữ số và dấu gạch ngang, tối đa "
             f"{drafts.SLUG_MAX} ký tự, ví dụ sa-dec-2024-cchc.")
SLUG_HINT = "Dùng trong địa chỉ và tệp xuất; chữ thường không dấu, số, gạch ngang."
# How the directive reads "trước ngày …" (Directive.deadline_day_counts, portal/deadlines.py).
DEADLINE_READINGS = [
    ("counts", "Tính cả ngày ghi trong văn bản (trước ngày 16/6: hạn cuối 16/6)"),
    ("strict", "Hạn cuối là ngày liền trước (trước ngày 16/6: hạn cuối 15/6)"),
]

# Whether a unit's officers send an item up to their head, who sends it on (Directive.sign_off_
# required), or send it to Phòng Nội vụ themselves.
SIGN_OFF_CHOICES = [
    ("required", "Cán bộ trình lãnh đạo đơn vị; lãnh đạo đơn vị gửi Phòng Nội vụ"),
    ("direct", "Cán bộ đơn vị gửi thẳng Phòng Nội vụ"),
]


def _length(label: str, maximum: int) -> StoredLength:
    return StoredLength(max=maximum, message=f"{label} tối đa {maximum} ký tự.")


def _year(field) -> int:
    text = (field.data or "").strip()
    field.data = text
    if not text:
        raise ValidationError("Hãy nhập năm, ví dụ 2024.")
    if not (text.isdecimal() and len(text) == 4 and YEAR_MIN <= int(text) <= YEAR_MAX):
        raise ValidationError("Năm là số có bốn chữ số, ví dụ 2024.")
    return int(text)


def _slug(field, except_id: int | None = None) -> str:
    """The code typed, checked; "" when left blank (the caller derives one)."""
    slug = (field.data or "").strip().lower()
    field.data = slug
    if not slug:
        return ""
    if len(slug) > drafts.SLUG_MAX or not drafts.SLUG.fullmatch(slug):
        raise ValidationError(SLUG_RULE)
    if drafts.slug_taken(slug, except_id=except_id):
        raise ValidationError(f"Đã có văn bản với mã «{slug}»; mã văn bản không được trùng.")
    return slug


class DirectiveForm(FlaskForm):
    """What a directive says about itself; its code (slug) only while it is a draft."""

    title = StringField("Tiêu đề", validators=[_length("Tiêu đề", 300)],
                        description="Tên ngắn mà đơn vị đọc trong danh sách văn bản.")
    subject = TextAreaField("Trích yếu", validators=[_length("Trích yếu", 2000)],
                            description="Như trên văn bản, ví dụ «V/v chấn chỉnh, khắc phục …».")
    number = StringField("Số, ký hiệu", validators=[_length("Số, ký hiệu", 80)],
                         description="Ví dụ 123/UBND-HC; để trống khi văn bản chưa có số.")
    issuer = StringField("Cơ quan ban hành", validators=[_length("Cơ quan ban hành", 200)])
    date_line = StringField("Địa danh, ngày tháng", validators=[_length("Dòng ngày tháng", 200)],
                            description="Như trên văn bản, ví dụ «Sa Đéc, ngày 05 tháng 6 năm "
                                        "2023».")
    issued_on = StringField("Ngày ban hành",
                            description="dd/mm/yyyy; để trống khi văn bản chưa có ngày.")
    year = StringField("Năm", description="Năm của chu kỳ thực hiện, ví dụ 2024.")
    signer = StringField("Người ký", validators=[_length("Người ký", 200)])
    signer_title = StringField("Chức vụ người ký", validators=[_length("Chức vụ người ký", 200)])
    deadline_reading = SelectField(
        "Cách hiểu hạn «trước ngày …»", default="counts",
        choices=[SelectChoice(value, label) for value, label in DEADLINE_READINGS],
        validate_choice=False,
        description="Áp dụng cho mọi hạn của văn bản (cả hạn đã gia hạn): trạng thái quá hạn, "
                    "sắp đến hạn, hoàn thành quá hạn và lịch nhắc hạn tính theo cách này.")
    sign_off = SelectField(
        "Gửi duyệt trong đơn vị", default="required",
        choices=[SelectChoice(value, label) for value, label in SIGN_OFF_CHOICES],
        validate_choice=False,
        description="Mặc định lãnh đạo đơn vị xem lại (ký duyệt) trước khi nhiệm vụ đến Phòng "
                    "Nội vụ.")
    slug = StringField("Mã văn bản", description=SLUG_HINT + " Để trống thì tạo từ tiêu đề.")

    def __init__(self, *args, directive: Directive | None = None, **kwargs):
        if directive is not None and "data" not in kwargs:
            kwargs["data"] = self.data_of(directive)
        super().__init__(*args, **kwargs)
        self.directive = directive
        if directive is not None and not directive.is_draft:
            del self.slug  # a published directive keeps its code
        self.issued_on_value: date | None = None
        self.year_value: int | None = None
        self.slug_value = ""

    @staticmethod
    def data_of(directive: Directive) -> dict:
        return {name: getattr(directive, name) for name in
                ("title", "subject", "number", "issuer", "date_line", "signer",
                 "signer_title", "slug")} | {
            "issued_on": format_date(directive.issued_on), "year": str(directive.year),
            "deadline_reading": "counts" if directive.deadline_day_counts else "strict",
            "sign_off": "required" if directive.sign_off_required else "direct"}

    def validate_title(self, field) -> None:
        required(field, "Hãy nhập tiêu đề văn bản.")

    def validate_issued_on(self, field) -> None:
        text = (field.data or "").strip()
        field.data = text
        if not text:
            return
        try:
            self.issued_on_value = parse_date(text)
        except ValueError as error:
            raise ValidationError(str(error)) from None

    def validate_year(self, field) -> None:
        self.year_value = _year(field)

    def validate_deadline_reading(self, field) -> None:
        if field.data not in dict(DEADLINE_READINGS):
            raise ValidationError("Hãy chọn một trong hai cách hiểu hạn «trước ngày …».")

    def validate_sign_off(self, field) -> None:
        if field.data not in dict(SIGN_OFF_CHOICES):
            raise ValidationError("Hãy chọn cách gửi duyệt trong đơn vị.")

    def validate_slug(self, field) -> None:
        self.slug_value = _slug(field, except_id=self.directive.id if self.directive else None)

    def values(self) -> dict:
        """The validated fields as the directive's columns."""
        values = {name: clean(getattr(self, name).data) for name in
                  ("title", "number", "issuer", "date_line", "signer", "signer_title")}
        values["subject"] = (self.subject.data or "").strip()
        values["issued_on"] = self.issued_on_value
        values["year"] = self.year_value
        values["deadline_day_counts"] = self.deadline_reading.data == "counts"
        values["sign_off_required"] = self.sign_off.data == "required"
        if "slug" in self:
            values["slug"] = self.slug_value or drafts.slug_from(values["title"], self.year_value)
        return values


class LetterForm(FlaskForm):
    """A letter to import: its text pasted, or its file. A .txt or .docx is read here; a PDF,
    a scan or a .doc only checked (`slow_file`), to be read outside the request
    (directives/letter_reads.py)."""

    text = TextAreaField("Nội dung công văn",
                         description="Dán toàn bộ văn bản, từ tên cơ quan ban hành đến "
                                     "«Nơi nhận».")
    file = FileField("Hoặc tệp công văn (.docx, .doc, PDF, ảnh quét JPG/PNG/TIFF, .txt)",
                     description="PDF ký số đọc được cả chữ ký; bản quét được nhận dạng chữ "
                                 "(tiếng Việt) trên máy chủ, từng trang một.")
    slug = StringField("Mã văn bản", description=SLUG_HINT + " Để trống thì tạo từ tiêu đề.")

    def __init__(self, *args, units: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units or []
        self.draft = None
        self.slug_value = ""
        self.slow_file: tuple[bytes, str] | None = None

    def validate_sign_off(self, field) -> None:
        if field.data not in dict(SIGN_OFF_CHOICES):
            raise ValidationError("Hãy chọn cách gửi duyệt trong đơn vị.")

    def validate_slug(self, field) -> None:
        self.slug_value = _slug(field)

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        upload = self.file.data
        has_file = upload is not None and bool(getattr(upload, "filename", ""))
        pasted = self.text.data or ""
        if has_file and pasted.strip():
            self.text.errors.append("Chỉ dán nội dung hoặc chọn tệp, không cả hai.")
            return False
        if not has_file and not pasted.strip():
            self.text.errors.append("Hãy dán nội dung công văn hoặc chọn tệp công văn.")
            return False
        field = self.file if has_file else self.text
        try:
            data = upload.read() if has_file else b""
            if has_file and letter_reads.is_slow(data, upload.filename):
                letter_reads.quick_check(data, upload.filename)
                if self.slug_value and drafts.slug_taken(self.slug_value):
                    self.slug.errors.append(f"Đã có văn bản với mã «{self.slug_value}».")
                    return False
                self.slow_file = (data, upload.filename)
                return True
            text = read_letter_file(data, upload.filename) if has_file else pasted
            if len(text) > LETTER_MAX_CHARS:
                raise LetterImportError(
                    f"Văn bản quá dài ({len(text):,} ký tự); công văn nhập được tối đa "
                    f"{LETTER_MAX_CHARS:,} ký tự.".replace(",", "."))
            self.draft = import_letter(text, self.units, received=today())
        except LetterImportError as error:
            field.errors.append(str(error))
            return False
        return True


class LetterTextForm(FlaskForm):
    """A draft's letter text corrected by the editor (an OCR slip fixed), to be imported
    again."""

    text = TextAreaField("Văn bản đã đọc từ tệp",
                         description="Sửa chỗ đọc sai rồi bấm «Nhập lại từ văn bản này»: "
                                     "các mục và nhiệm vụ của bản nháp được lập lại.")

    def __init__(self, *args, units: list | None = None, received: date | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units or []
        self.received = received  # the day the letter first reached the portal
        self.draft = None

    def validate_text(self, field) -> None:
        text = field.data or ""
        if not text.strip():
            raise ValidationError("Văn bản trống: không có nội dung nào để nhập.")
        if len(text) > LETTER_MAX_CHARS:
            raise ValidationError(LETTER_TOO_LONG)
        try:
            self.draft = import_letter(text, self.units, received=self.received)
        except LetterImportError as error:
            raise ValidationError(str(error)) from None


class CopyForm(FlaskForm):
    """The next cycle's draft: its year, title and code."""

    year = StringField("Năm của chu kỳ mới")
    title = StringField("Tiêu đề", validators=[_length("Tiêu đề", 300)])
    slug = StringField("Mã văn bản", description=SLUG_HINT)
    carry_findings = BooleanField(
        "Chuyển các hạn chế, khuyết điểm chưa khắc phục sang văn bản mới",
        description="Khi ban hành văn bản mới, mỗi đơn vị nhận lại các hạn chế chưa khắc phục "
                    "dưới nhiệm vụ cùng số hiệu.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year_value: int | None = None

    def validate_year(self, field) -> None:
        self.year_value = _year(field)

    def validate_title(self, field) -> None:
        required(field, "Hãy nhập tiêu đề văn bản.")

    def validate_slug(self, field) -> None:
        if not _slug(field):
            raise ValidationError("Hãy nhập mã văn bản. " + SLUG_RULE)


class InspectedForm(FlaskForm):
    """The units the inspection visited, among the active ones."""

    units = SelectMultipleField("Đơn vị được kiểm tra", validate_choice=False)

    def __init__(self, *args, offered: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = offered
        self.unit_ids: set[int] = set()

    def validate_units(self, field) -> None:
        chosen = field.data or []
        if not all(value.isdecimal() and int(value) in self.offered for value in chosen):
            raise ValidationError("Đơn vị không có hoặc đã ngừng hoạt động; hãy tải lại trang.")
        self.unit_ids = {int(value) for value in chosen}

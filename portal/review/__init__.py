"""Phòng Nội vụ's follow-up: the live matrix of a directive, the review of submitted items
("Đạt" / "Yêu cầu bổ sung"), extension decisions and the review queue. Leadership reads the same
matrix without any control."""

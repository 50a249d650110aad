"""Tests for ult.nik: NIK validation at SOP step 7 and masking."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ult.nik import MESSAGES, PROVINCES, NikCheck, NikError, check_nik, clean_nik, mask_nik

# 12 71 01 = Sumatera Utara / Kota Medan / a kecamatan; born 17-08-85; serial 0001.
MALE = "1271011708850001"
# Same, female: day 17 + 40 = 57.
FEMALE = "1271015708850002"


def nik(
    *,
    province: str = "12",
    regency: str = "71",
    district: str = "01",
    dd: str = "17",
    mm: str = "08",
    yy: str = "85",
    serial: str = "0001",
) -> str:
    return province + regency + district + dd + mm + yy + serial


def reason_of(value: str) -> str:
    with pytest.raises(NikError) as info:
        check_nik(value)
    return info.value.reason


def test_valid_male() -> None:
    assert check_nik(MALE) == NikCheck(
        nik=MALE,
        province_code="12",
        birth_date_day=17,
        birth_month=8,
        birth_year_2digit=85,
        female=False,
        warnings=(),
    )


def test_valid_female_day_minus_40() -> None:
    result = check_nik(FEMALE)
    assert result.female is True
    assert result.birth_date_day == 17
    assert (result.birth_month, result.birth_year_2digit) == (8, 85)
    assert result.warnings == ()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("", "empty"),
        (" - . ", "empty"),  # only separators: nothing typed
        ("127101170885000", "length"),  # 15
        ("12710117088500011", "length"),  # 17
        ("1271 0117 0885 00011", "length"),  # separators removed, then 17 digits
        ("1271_0117_0885_0001", "digits"),  # an underscore is no separator
        ("127101170885000O", "digits"),  # letter O for zero
        ("１２７１０１１７０８８５０００１", "digits"),  # full-width digits
        ("١٢٧١٠١١٧٠٨٨٥٠٠٠١", "digits"),  # Arabic-Indic digits: isdigit() but not ASCII
        (nik(province="00"), "province"),
        (nik(regency="00"), "regency"),
        (nik(district="00"), "district"),
        (nik(dd="00"), "day"),
        (nik(dd="32"), "day"),
        (nik(dd="40"), "day"),
        (nik(dd="72"), "day"),
        (nik(dd="99"), "day"),
        (nik(mm="00"), "month"),
        (nik(mm="13"), "month"),
        (nik(dd="30", mm="02"), "date"),
        (nik(dd="70", mm="02"), "date"),  # female 30 Feb
        (nik(dd="31", mm="04"), "date"),
        (nik(dd="71", mm="11"), "date"),  # female 31 Nov
        (nik(serial="0000"), "serial"),
    ],
)
def test_rejections(value: str, reason: str) -> None:
    assert reason_of(value) == reason


def test_messages_are_indonesian_and_specific() -> None:
    with pytest.raises(NikError) as info:
        check_nik(nik(mm="13"))
    assert str(info.value) == "NIK tidak valid: bulan lahir 13 tidak ada."
    with pytest.raises(NikError) as info:
        check_nik("123")
    assert str(info.value) == "NIK harus 16 angka (terbaca 3 angka)."
    with pytest.raises(NikError) as info:
        check_nik("  ")
    assert str(info.value) == "NIK wajib diisi."
    with pytest.raises(NikError) as info:
        check_nik(nik(dd="30", mm="02", yy="85"))
    assert "30-02-85" in str(info.value)


def test_nik_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        check_nik("x")


@pytest.mark.parametrize(
    ("dd", "yy", "ok"),
    [
        ("29", "00", True),  # 2000 is a leap year (1900 is not, but either century counts)
        ("29", "04", True),
        ("29", "96", True),
        ("29", "01", False),
        ("29", "99", False),
        ("69", "00", True),  # female, 29 Feb 2000
        ("69", "01", False),
        ("28", "01", True),
    ],
)
def test_29_february_across_centuries(dd: str, yy: str, ok: bool) -> None:
    value = nik(dd=dd, mm="02", yy=yy)
    if ok:
        assert check_nik(value).birth_month == 2
    else:
        assert reason_of(value) == "date"


@pytest.mark.parametrize(
    ("dd", "day", "female"),
    [("01", 1, False), ("31", 31, False), ("41", 1, True), ("71", 31, True)],
)
def test_day_bounds(dd: str, day: int, female: bool) -> None:
    result = check_nik(nik(dd=dd, mm="01"))
    assert (result.birth_date_day, result.female) == (day, female)


@pytest.mark.parametrize("province", ["10", "20", "99", "37", "97"])
def test_unknown_province_is_warning_not_error(province: str) -> None:
    result = check_nik(nik(province=province))
    assert result.province_code == province
    assert result.warnings == (MESSAGES["warning_province"].format(code=province),)
    assert province in result.warnings[0]


def test_province_table() -> None:
    expected = [
        *range(11, 20),
        21,
        *range(31, 37),
        *range(51, 54),
        *range(61, 66),
        *range(71, 77),
        81,
        82,
        *range(91, 97),
    ]
    assert sorted(PROVINCES) == [str(code) for code in expected]
    assert len(PROVINCES) == 38  # 38 provinces since the 2022 Papua split


@pytest.mark.parametrize("value", [f"  {MALE}  ", f"\t{MALE}\n", f"\u00a0{MALE}\r\n"])
def test_surrounding_whitespace_is_stripped(value: str) -> None:
    assert check_nik(value).nik == MALE


@pytest.mark.parametrize(
    "value",
    ["1271 0117 0885 0001", "1271.0117.0885.0001", "1271-0117-0885-0001", "12710117 0885-00.01"],
)
def test_spaces_dots_and_dashes_inside_are_removed(value: str) -> None:
    """Issue 11: a NIK written in groups is the same NIK (it used to be refused)."""
    assert check_nik(value).nik == MALE
    assert clean_nik(value) == MALE


def test_mask() -> None:
    assert mask_nik(MALE) == "1271**********01"
    assert mask_nik(f" {FEMALE} ") == "1271**********02"
    masked = mask_nik(FEMALE)
    assert len(masked) == 16
    assert "5708" not in masked  # birth date (and sex) hidden


@pytest.mark.parametrize("value", ["", "123", "1271-0117-0885-0001", "12710117088500011"])
def test_mask_fails_closed(value: str) -> None:
    assert mask_nik(value) == "*" * 16


# --- properties --------------------------------------------------------------------

two_digits_nonzero = st.integers(1, 99).map(lambda n: f"{n:02d}")
birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))


@given(
    province=st.sampled_from(sorted(PROVINCES)),
    regency=two_digits_nonzero,
    district=two_digits_nonzero,
    born=birth_dates,
    female=st.booleans(),
    serial=st.integers(1, 9999).map(lambda n: f"{n:04d}"),
)
def test_built_from_valid_parts_passes_and_round_trips(
    province: str, regency: str, district: str, born: dt.date, female: bool, serial: str
) -> None:
    dd = born.day + (40 if female else 0)
    value = nik(
        province=province,
        regency=regency,
        district=district,
        dd=f"{dd:02d}",
        mm=f"{born.month:02d}",
        yy=f"{born.year % 100:02d}",
        serial=serial,
    )
    result = check_nik(value)
    assert result == NikCheck(
        nik=value,
        province_code=province,
        birth_date_day=born.day,
        birth_month=born.month,
        birth_year_2digit=born.year % 100,
        female=female,
        warnings=(),
    )
    assert mask_nik(value) == value[:4] + "*" * 10 + value[-2:]


@given(
    head=st.text(alphabet="0123456789", min_size=8, max_size=8),
    month=st.integers(13, 99),
    tail=st.text(alphabet="0123456789", min_size=6, max_size=6),
)
def test_any_month_13_to_99_fails(head: str, month: int, tail: str) -> None:
    with pytest.raises(NikError):
        check_nik(f"{head}{month}{tail}")


@given(born=birth_dates, month=st.integers(13, 99))
def test_month_13_to_99_with_otherwise_valid_parts_reports_month(born: dt.date, month: int) -> None:
    value = nik(dd=f"{min(born.day, 28):02d}", mm=f"{month}", yy=f"{born.year % 100:02d}")
    assert reason_of(value) == "month"


@given(st.text(max_size=24))
def test_arbitrary_text_only_ever_raises_nik_error(value: str) -> None:
    try:
        result = check_nik(value)
    except NikError as error:
        assert error.reason in MESSAGES
        assert str(error)
    else:
        assert len(result.nik) == 16 and result.nik.isascii() and result.nik.isdigit()

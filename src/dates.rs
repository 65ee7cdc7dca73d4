//! Calendar dates as users type them and as forms print them.
//!
//! Contract: data holds ISO dates (`2026-11-22`); [`parse`] accepts that form (and
//! `2026/11/22`, `2026.11.22`, `2026年11月22日`) and fails with a Chinese message naming the
//! field; [`chinese`] prints `2026年11月22日` for paper.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

/// Parses a user-entered date for the field `field` (Chinese label `label`).
pub fn parse<T: crate::input::Text + ?Sized>(field: &str, label: &str, s: &T) -> Result<NaiveDate> {
    let t = s.text().trim();
    if t.is_empty() {
        return Err(Error::field(field, label, "不能为空"));
    }
    let normalized: String = t
        .replace(['年', '月'], "-")
        .replace('日', "")
        .replace(['/', '.'], "-");
    NaiveDate::parse_from_str(&normalized, "%Y-%m-%d")
        .ok()
        .filter(|d| (1949..=2199).contains(&d.year()))
        .ok_or_else(|| {
            Error::field(
                field,
                label,
                format!("“{t}”不是有效日期，请按 2026-11-22 的格式填写"),
            )
        })
}

/// Parses an optional date: empty or missing is `None`.
pub fn parse_opt(field: &str, label: &str, s: Option<&str>) -> Result<Option<NaiveDate>> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => parse(field, label, v).map(Some),
    }
}

pub fn iso(d: NaiveDate) -> String {
    // chrono writes a date as ISO 8601 (`YYYY-MM-DD`) by itself; `format("%Y-%m-%d")` read
    // its pattern again for every date, a hundredth of a large sheet's import (`make bench`).
    d.to_string()
}

/// The day [`iso`] wrote (`YYYY-MM-DD` exactly; `None` for any other text): how the vault's
/// stored days are read back, where an officer's input goes through [`parse`].
pub fn from_iso(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// `2026年11月22日`, as printed on forms.
pub fn chinese(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// `d` plus `years` calendar years (29 February becomes 28 February when needed).
pub fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    let y = d.year() + years as i32;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_day_is_written_as_its_pattern_writes_it_and_read_back() {
        let mut d = NaiveDate::from_ymd_opt(1, 1, 1).unwrap();
        let mut seen = 0;
        while d.year() <= 9999 {
            let text = iso(d);
            assert_eq!(text, d.format("%Y-%m-%d").to_string());
            assert_eq!(from_iso(&text), Some(d), "{text}");
            seen += 1;
            // Every day of the years people use, then one day in 97 (every month and year
            // length over the rest).
            d = if (1990..=2100).contains(&d.year()) {
                d.succ_opt()
            } else {
                d.checked_add_days(chrono::Days::new(97))
            }
            .unwrap();
        }
        assert!(seen > 70_000, "{seen}");
        assert_eq!(
            iso(NaiveDate::from_ymd_opt(2026, 3, 5).unwrap()),
            "2026-03-05"
        );
    }

    #[test]
    fn accepts_the_forms_people_type() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        for s in ["2026-11-22", " 2026/11/22 ", "2026.11.22", "2026年11月22日"] {
            assert_eq!(parse("d", "日期", s).unwrap(), d, "{s}");
        }
        assert_eq!(chinese(d), "2026年11月22日");
        let e = parse("received_on", "收到日期", "2026-13-01").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("received_on"));
        assert_eq!(
            e.message,
            "收到日期：“2026-13-01”不是有效日期，请按 2026-11-22 的格式填写"
        );
        assert_eq!(
            parse("d", "日期", "").unwrap_err().message,
            "日期：不能为空"
        );
        assert_eq!(
            add_years(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(), 10),
            NaiveDate::from_ymd_opt(2034, 2, 28).unwrap()
        );
    }
}

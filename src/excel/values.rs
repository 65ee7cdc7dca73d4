//! Cells of officers' own sheets read as the values a register's input takes.
//!
//! Contract: every function here is pure and total — it never panics on any text — and
//! answers either the canonical value (ISO dates, level labels, `1-3、5` copy numbers) or a
//! Chinese reason naming what was wrong with the cell; the caller adds the row and column.
//! Full-width letters and digits (`２０２６`) and the ideographic space are read as their
//! half-width forms first.

use chrono::{Datelike, Duration, NaiveDate};

use super::read::Raw;

/// `s` trimmed, with full-width digits and Latin letters (`２０２６`, `ＳＮ`) made half-width:
/// what an identifier (编号, a serial number) means. Punctuation is left as written, since
/// `，` and `（` are part of Chinese text.
pub fn plain(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' | '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => {
                char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
            }
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// `s` with full-width ASCII (U+FF01–U+FF5E) and the ideographic space made half-width, and
/// trimmed: how a date, a number or a level mark is read.
pub fn half_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '\u{3000}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// The text of a cell as a person reads it (numbers without a trailing `.0`), trimmed.
pub fn text(raw: &Raw) -> String {
    match raw {
        Raw::Empty => String::new(),
        Raw::Text(s) => s.trim().to_string(),
        Raw::Number(n) => number_text(*n),
        Raw::Date(d) => iso(*d),
        Raw::Bool(b) => if *b { "是" } else { "否" }.to_string(),
    }
}

fn number_text(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn iso(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The day of an Excel serial date (1900 system; 60 is Excel's phantom 1900-02-29).
pub fn serial_date(serial: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let days = serial.floor() as i64;
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
    let days = if days < 60 { days + 1 } else { days };
    base.checked_add_signed(Duration::days(days))
}

/// A date cell: an Excel date, a serial number, or text in any of the ways offices write
/// dates; `None` for an empty cell.
pub fn date(raw: &Raw) -> Result<Option<String>, String> {
    let plausible = |d: NaiveDate| (1949..=2199).contains(&d.year());
    match raw {
        Raw::Empty => Ok(None),
        Raw::Date(d) if plausible(*d) => Ok(Some(iso(*d))),
        Raw::Date(d) => Err(format!("“{}”不是有效日期", iso(*d))),
        Raw::Number(serial) => {
            let n = *serial;
            // 20261101 typed as a number.
            if (19_490_101.0..=21_991_231.0).contains(&n) && n.fract() == 0.0 {
                let v = n as i64;
                if let Some(d) = ymd(v / 10_000, (v / 100) % 100, v % 100) {
                    return Ok(Some(iso(d)));
                }
            }
            match serial_date(n).filter(|d| plausible(*d)) {
                Some(d) => Ok(Some(iso(d))),
                None => Err(format!("“{}”不是有效日期", number_text(n))),
            }
        }
        Raw::Bool(_) => Err("不是日期".into()),
        Raw::Text(s) => {
            let t = half_width(s);
            if t.is_empty() {
                return Ok(None);
            }
            date_text(&t)
                .filter(|d| plausible(*d))
                .map(|d| Some(iso(d)))
                .ok_or_else(|| {
                    format!("“{t}”不是有效日期（可写作 2026-11-01、2026.11.1 或 2026年11月1日）")
                })
        }
    }
}

fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    )
}

/// `2026-11-01`, `2026.11.1`, `2026/11/01`, `2026年11月1日`, `2026-11-01 00:00:00`,
/// `20261101`, or a serial number as text.
fn date_text(t: &str) -> Option<NaiveDate> {
    let groups: Vec<&str> = t
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    match groups.as_slice() {
        [one] if one.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) => ymd(
            one[..4].parse().ok()?,
            one[4..6].parse().ok()?,
            one[6..].parse().ok()?,
        ),
        [one] if t.chars().all(|c| c.is_ascii_digit()) && one.len() == 5 => {
            serial_date(one.parse().ok()?)
        }
        [y, m, d, ..] if y.len() == 4 && m.len() <= 2 && d.len() <= 2 => {
            // Only separators a date uses: a time may follow after a space.
            let head = t.split(' ').next().unwrap_or(t);
            let ok = head
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '-' | '.' | '/' | '年' | '月' | '日'));
            if !ok {
                return None;
            }
            ymd(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
        }
        _ => None,
    }
}

/// A level as documents mark it: `机密★10年`, `秘密★`, `机密★长期`, `绝密★2036年12月31日`,
/// `机密级`, `机密`. Answers the level's label and the period written after the star, if any
/// (`10年`, `长期`, an ISO date).
pub fn level(raw: &Raw) -> Result<Option<(String, Option<String>)>, String> {
    let t = half_width(&text(raw));
    if t.is_empty() {
        return Ok(None);
    }
    let t: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    let (head, tail) = match t.find(['★', '☆', '*']) {
        Some(i) => {
            let star = t[i..].chars().next().map_or(1, char::len_utf8);
            (&t[..i], Some(&t[i + star..]))
        }
        None => (t.as_str(), None),
    };
    let head = head.trim_end_matches('级');
    let known = ["绝密", "机密", "秘密", "工作秘密", "内部", "非密", "非涉密"];
    // `机密10年` without the star.
    let (label, rest) = match known.iter().find(|k| head.starts_with(*k)) {
        Some(k) if head.len() > k.len() && tail.is_none() => (*k, Some(&head[k.len()..])),
        Some(k) if head.len() == k.len() => (*k, tail),
        _ => {
            return Err(format!(
            "“{t}”不是密级（应为 绝密、机密、秘密、工作秘密 或 内部，可带保密期限如 机密★10年）"
        ))
        }
    };
    let period = match rest.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some("长期") => Some("长期".to_string()),
        Some(p) => {
            if let Ok(n) = p.trim_end_matches('年').parse::<u32>() {
                Some(format!("{n}年"))
            } else if let Some(d) = date_text(p.trim_start_matches('至').trim_end_matches("止")) {
                Some(iso(d))
            } else {
                return Err(format!(
                    "“{t}”的保密期限“{p}”无法识别（可写作 机密★10年、机密★长期）"
                ));
            }
        }
    };
    Ok(Some((label.to_string(), period)))
}

/// A whole number: `3`, `3份`, `共3件`.
pub fn count(raw: &Raw) -> Result<Option<u32>, String> {
    if let Raw::Number(n) = raw {
        return if n.fract() == 0.0 && (0.0..=1e9).contains(n) {
            Ok(Some(*n as u32))
        } else {
            Err(format!("“{}”不是整数", number_text(*n)))
        };
    }
    let t = half_width(&text(raw));
    if t.is_empty() {
        return Ok(None);
    }
    let digits = t
        .trim_start_matches(['共', '第'])
        .trim_end_matches(['份', '件', '个', '台', '本', '张']);
    digits
        .trim()
        .parse::<u32>()
        .map(Some)
        .map_err(|_| format!("“{t}”不是整数"))
}

/// Copy numbers as ranges and lists (`1-3`, `1～3`, `1、2、5`, `第1-3份`, `1,3-4`): the canonical
/// text (`1-3`, `1、2、5`) and how many copies it names.
pub fn copy_numbers(raw: &Raw) -> Result<Option<(String, u32)>, String> {
    let t = half_width(&text(raw));
    if t.is_empty() {
        return Ok(None);
    }
    let bad = || format!("“{t}”不是份号（可写作 1-3 或 1、2、5）");
    let body = t
        .trim_start_matches('第')
        .trim_end_matches(['份', '号'])
        .replace(['～', '~', '—', '–', '－', '至', '到'], "-");
    let mut parts = Vec::new();
    let mut total: u32 = 0;
    for part in body
        .split(['、', ',', '，', ';', '；', ' ', '/'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a.trim().parse::<u32>(), b.trim().parse::<u32>()),
            None => (part.parse::<u32>(), part.parse::<u32>()),
        };
        let (Ok(a), Ok(b)) = (a, b) else {
            return Err(bad());
        };
        if a == 0 || b < a || b - a >= 10_000 {
            return Err(bad());
        }
        total = total.saturating_add(b - a + 1);
        parts.push(if a == b {
            a.to_string()
        } else {
            format!("{a}-{b}")
        });
    }
    if parts.is_empty() {
        return Err(bad());
    }
    Ok(Some((parts.join("、"), total)))
}

/// Yes or no.
pub fn flag(raw: &Raw) -> Result<Option<bool>, String> {
    if let Raw::Bool(b) = raw {
        return Ok(Some(*b));
    }
    let t = half_width(&text(raw));
    match t.to_ascii_lowercase().as_str() {
        "" => Ok(None),
        "是" | "√" | "✓" | "✔" | "有" | "已" | "已安装" | "已拆除" | "已粘贴" | "y" | "yes"
        | "true" | "1" => Ok(Some(true)),
        "否" | "×" | "✗" | "✘" | "无" | "未" | "没有" | "n" | "no" | "false" | "0" => {
            Ok(Some(false))
        }
        _ => Err(format!("“{t}”应为 是 或 否")),
    }
}

/// A list: items separated by 、 , ; or new lines.
pub fn list(raw: &Raw) -> Vec<String> {
    text(raw)
        .split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether a row is a subtotal or total line (合计, 小计, 总计, 共计) rather than a record.
pub fn is_subtotal(cells: &[Raw]) -> bool {
    cells.iter().any(|c| {
        let t: String = text(c).chars().filter(|c| !c.is_whitespace()).collect();
        ["合计", "小计", "总计", "共计"]
            .iter()
            .any(|k| t.starts_with(k))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Raw {
        Raw::Text(s.to_string())
    }

    #[test]
    fn dates_as_offices_write_them() {
        for (cell, want) in [
            (t("2026.11.1"), "2026-11-01"),
            (t("2026年11月1日"), "2026-11-01"),
            (t("2026/11/01"), "2026-11-01"),
            (t("2026-11-01 00:00:00"), "2026-11-01"),
            (t("２０２６．１１．１"), "2026-11-01"),
            (t("20261101"), "2026-11-01"),
            (t("46327"), "2026-11-01"),
            (Raw::Number(46327.0), "2026-11-01"),
            (Raw::Number(20261101.0), "2026-11-01"),
            (Raw::Number(1.0), "1900-01-01"),
        ] {
            let got = date(&cell);
            if want.starts_with("1900") {
                assert!(got.is_err(), "{cell:?} is out of the plausible range");
            } else {
                assert_eq!(got, Ok(Some(want.to_string())), "{cell:?}");
            }
        }
        assert_eq!(date(&t("")), Ok(None));
        for bad in ["2026.13.1", "明天", "2026年2月30日", "11/1/2026", "2026-11"] {
            let e = date(&t(bad)).unwrap_err();
            assert!(
                e.contains(bad.trim()) || e.contains("不是有效日期"),
                "{bad}: {e}"
            );
        }
        assert_eq!(serial_date(61.0), NaiveDate::from_ymd_opt(1900, 3, 1));
        assert_eq!(serial_date(59.0), NaiveDate::from_ymd_opt(1900, 2, 28));
    }

    #[test]
    fn levels_with_their_periods() {
        let l = |s: &str| level(&t(s));
        assert_eq!(
            l("机密★10年"),
            Ok(Some(("机密".into(), Some("10年".into()))))
        );
        assert_eq!(l("秘密★"), Ok(Some(("秘密".into(), None))));
        assert_eq!(
            l("机密 ★ 长期"),
            Ok(Some(("机密".into(), Some("长期".into()))))
        );
        assert_eq!(
            l("绝密★2036年12月31日"),
            Ok(Some(("绝密".into(), Some("2036-12-31".into()))))
        );
        assert_eq!(l("机密级"), Ok(Some(("机密".into(), None))));
        assert_eq!(
            l("机密20年"),
            Ok(Some(("机密".into(), Some("20年".into()))))
        );
        assert_eq!(
            l("机密＊５年"),
            Ok(Some(("机密".into(), Some("5年".into()))))
        );
        assert_eq!(l("内部"), Ok(Some(("内部".into(), None))));
        assert_eq!(l(""), Ok(None));
        assert!(l("很机密").unwrap_err().contains("不是密级"));
        assert!(l("机密★十年").unwrap_err().contains("十年"));
    }

    #[test]
    fn copy_numbers_as_ranges_and_lists() {
        let c = |s: &str| copy_numbers(&t(s));
        assert_eq!(c("1-3"), Ok(Some(("1-3".into(), 3))));
        assert_eq!(c("1、2、5"), Ok(Some(("1、2、5".into(), 3))));
        assert_eq!(c("第1～3份"), Ok(Some(("1-3".into(), 3))));
        assert_eq!(c("１，３-４"), Ok(Some(("1、3-4".into(), 3))));
        assert_eq!(c("7"), Ok(Some(("7".into(), 1))));
        assert_eq!(copy_numbers(&Raw::Number(2.0)), Ok(Some(("2".into(), 1))));
        for bad in ["3-1", "0", "a-b", "1-", "1-99999"] {
            assert!(c(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn counts_flags_lists_and_subtotals() {
        assert_eq!(count(&t("３份")), Ok(Some(3)));
        assert_eq!(count(&Raw::Number(5.0)), Ok(Some(5)));
        assert!(count(&Raw::Number(2.5)).is_err());
        assert!(count(&t("三")).is_err());
        assert_eq!(flag(&t("√")), Ok(Some(true)));
        assert_eq!(flag(&t("否")), Ok(Some(false)));
        assert!(flag(&t("也许")).is_err());
        assert_eq!(
            list(&t("办公室、 机要室,张三")),
            ["办公室", "机要室", "张三"]
        );
        assert!(is_subtotal(&[Raw::Empty, t("合 计"), Raw::Number(12.0)]));
        assert!(!is_subtotal(&[t("关于合计工作的通知")]));
        assert!(!is_subtotal(&[t("张三"), t("机密")]));
        assert_eq!(half_width("ＡＢ１２　"), "AB12");
        assert_eq!(
            plain(" 机-２０２５-００５０，（甲） "),
            "机-2025-0050，（甲）"
        );
        assert_eq!(
            text(&t(" 关于（２０２６）年，的通知 ")),
            "关于（２０２６）年，的通知"
        );
    }
}

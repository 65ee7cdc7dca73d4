//! Turning raw JSON input into typed DTOs with Chinese errors.
//!
//! Contract: [`from_json`] is how every JSON input (CLI stdin, IPC payloads decoded by hand,
//! bundle records later) becomes a DTO; serde's English messages are translated into a
//! `Validation` error naming the field ("缺少必填字段“title”", "未知字段“foo”"). Text helpers
//! here trim and bound free-text fields the same way everywhere.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};

/// Parses `text` as JSON into `T`, with a Chinese message naming the field at fault.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    if text.trim().is_empty() {
        return Err(Error::validation("输入为空：请在标准输入提供 JSON"));
    }
    serde_json::from_str(text).map_err(translate)
}

/// Converts an already parsed JSON value into `T`.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(translate)
}

/// Reads `T` from a JSON value that stays with its owner (no copy of the value is made).
pub fn from_ref<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T> {
    T::deserialize(value).map_err(translate)
}

fn between(s: &str, open: char, close: char) -> Option<&str> {
    let a = s.find(open)? + open.len_utf8();
    let b = a + s[a..].find(close)?;
    Some(&s[a..b])
}

fn translate(e: serde_json::Error) -> Error {
    let msg = e.to_string();
    if let Some(rest) = msg.strip_prefix("unknown field ") {
        let f = between(rest, '`', '`').unwrap_or("?");
        return Error {
            field: Some(f.to_string()),
            ..Error::validation(format!("未知字段“{f}”：请检查字段名拼写"))
        };
    }
    if let Some(rest) = msg.strip_prefix("missing field ") {
        let f = between(rest, '`', '`').unwrap_or("?");
        return Error {
            field: Some(f.to_string()),
            ..Error::validation(format!("缺少必填字段“{f}”"))
        };
    }
    if msg.starts_with("invalid type") || msg.starts_with("invalid value") {
        return Error::validation(format!(
            "字段类型错误：{}",
            msg.split(" at line").next().unwrap_or(&msg)
        ));
    }
    match e.classify() {
        serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
            Error::validation(format!(
                "输入不是有效的 JSON（第 {} 行第 {} 列）",
                e.line(),
                e.column()
            ))
        }
        _ => Error::validation(format!("输入无效：{msg}")),
    }
}

/// Anything a text field may arrive as: `&str`, `String`, or an optional `String` (absent = "").
pub trait Text {
    fn text(&self) -> &str;
}

impl Text for str {
    fn text(&self) -> &str {
        self
    }
}

impl Text for String {
    fn text(&self) -> &str {
        self
    }
}

impl Text for Option<String> {
    fn text(&self) -> &str {
        self.as_deref().unwrap_or("")
    }
}

/// An optional filter as given: trimmed, `None` when absent or blank.
pub fn given(o: &Option<String>) -> Option<String> {
    o.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// A required free-text field: trimmed, non-empty, at most `max` characters, no control chars.
pub fn required<T: Text + ?Sized>(
    field: &str,
    label: &str,
    value: &T,
    max: usize,
) -> Result<String> {
    let t = value.text().trim();
    if t.is_empty() {
        return Err(Error::field(field, label, "不能为空"));
    }
    optional(field, label, t, max)
}

/// An optional free-text field: trimmed, at most `max` characters, no control characters
/// other than line breaks.
pub fn optional<T: Text + ?Sized>(
    field: &str,
    label: &str,
    value: &T,
    max: usize,
) -> Result<String> {
    let t = value.text().trim();
    if t.chars().count() > max {
        return Err(Error::field(field, label, format!("不得超过 {max} 个字符")));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(Error::field(field, label, "含有不可见的控制字符"));
    }
    Ok(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        count: u32,
    }

    #[test]
    fn serde_errors_become_chinese_and_name_the_field() {
        let e = from_json::<T>(r#"{"count": 1}"#).unwrap_err();
        assert_eq!(
            (e.message.as_str(), e.field.as_deref()),
            ("缺少必填字段“title”", Some("title"))
        );
        let e = from_json::<T>(r#"{"title": "a", "count": 1, "colour": 2}"#).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("colour"));
        assert!(from_json::<T>(r#"{"title": "a", "count": "x"}"#)
            .unwrap_err()
            .message
            .starts_with("字段类型错误"));
        assert!(from_json::<T>("{")
            .unwrap_err()
            .message
            .contains("不是有效的 JSON"));
        assert_eq!(
            from_json::<T>("  ").unwrap_err().message,
            "输入为空：请在标准输入提供 JSON"
        );
    }
}

//! Chinese substring search of any length, on FTS5.
//!
//! Contract: text is indexed as two FTS5 columns of tokens produced here, not by an FTS5
//! tokenizer: `uni` holds every character, `bi` every pair of adjacent characters. A query of
//! one character matches `uni`; two or more characters match `bi` as a phrase of overlapping
//! pairs, which is exactly "contains this substring". Runs of letters, digits and CJK
//! characters are the units; punctuation and spaces separate runs and are not searchable (a
//! query's punctuation splits it into runs that must all occur). ASCII is case-insensitive.
//! FTS5 `trigram` was not used: it returns nothing for 1- and 2-character queries, which are
//! the commonest Chinese searches (一个姓, 一个单位简称).

/// Splits text into runs of searchable characters (lower-cased ASCII).
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The `(uni, bi)` column values for a set of text fields.
pub fn index_columns<'a>(fields: impl IntoIterator<Item = &'a str>) -> (String, String) {
    let mut uni = String::new();
    let mut bi = String::new();
    for field in fields {
        for run in runs(field) {
            for c in &run {
                uni.push(*c);
                uni.push(' ');
            }
            // No pair spans two runs or two fields, so neither can a phrase of pairs.
            for pair in run.windows(2) {
                bi.push(pair[0]);
                bi.push(pair[1]);
                bi.push(' ');
            }
        }
    }
    (uni, bi)
}

/// The FTS5 MATCH expression for a user's query, or `None` if it has nothing searchable.
pub fn match_expression(query: &str) -> Option<String> {
    let parts: Vec<String> = runs(query)
        .into_iter()
        .map(|run| {
            if run.len() == 1 {
                format!("uni : \"{}\"", run[0])
            } else {
                let pairs: Vec<String> = run
                    .windows(2)
                    .map(|p| format!("{}{}", p[0], p[1]))
                    .collect();
                format!("bi : \"{}\"", pairs.join(" "))
            }
        })
        .collect();
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" AND "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn check(texts: &[&str], query: &str, expect: &[usize]) {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(uni, bi, tokenize = 'unicode61 remove_diacritics 0')").unwrap();
        for (i, t) in texts.iter().enumerate() {
            let (u, b) = index_columns([*t]);
            conn.execute(
                "INSERT INTO t (rowid, uni, bi) VALUES (?1, ?2, ?3)",
                rusqlite::params![i as i64, u, b],
            )
            .unwrap();
        }
        let expr = match_expression(query).unwrap();
        let mut got: Vec<usize> = conn
            .prepare("SELECT rowid FROM t WHERE t MATCH ?1 ORDER BY rowid")
            .unwrap()
            .query_map([expr], |r| r.get::<_, i64>(0))
            .unwrap()
            .map(|r| r.unwrap() as usize)
            .collect();
        got.sort();
        // Compare with the naive definition of "contains".
        let naive: Vec<usize> = texts
            .iter()
            .enumerate()
            .filter(|(_, t)| t.to_lowercase().contains(&query.to_lowercase()))
            .map(|(i, _)| i)
            .collect();
        assert_eq!(got, expect, "query {query}");
        assert_eq!(got, naive, "query {query} vs naive contains");
    }

    const TEXTS: [&str; 6] = [
        "关于加强涉密载体管理工作的通知",
        "国保发〔2026〕12号",
        "保密工作领导小组会议纪要",
        "王五",
        "Meeting Notes ABC",
        "密",
    ];

    #[test]
    fn queries_of_every_length_match_exactly_the_containing_texts() {
        check(&TEXTS, "密", &[0, 2, 5]);
        check(&TEXTS, "王", &[3]);
        check(&TEXTS, "保密", &[2]);
        check(&TEXTS, "涉密载", &[0]);
        check(&TEXTS, "领导小组会议", &[2]);
        check(&TEXTS, "2026", &[1]);
        check(&TEXTS, "abc", &[4]);
        check(&TEXTS, "工作", &[0, 2]);
        check(&TEXTS, "作领", &[2]);
        check(&TEXTS, "密保", &[]);
    }

    #[test]
    fn phrases_never_span_fields_or_punctuation() {
        let (u, b) = index_columns(["甲乙", "丙丁"]);
        assert_eq!(u, "甲 乙 丙 丁 ");
        assert!(!b.contains("乙丙"));
        assert_eq!(
            match_expression("〔2026〕12"),
            Some("bi : \"20 02 26\" AND bi : \"12\"".into())
        );
        assert_eq!(match_expression(" 、，"), None);
    }
}

//! Chinese substring search of any length, on FTS5.
//!
//! Contract: text is indexed as two FTS5 columns of tokens produced here, not by an FTS5
//! tokenizer: `uni` holds every character, `bi` every pair of adjacent characters. A query of
//! one character matches `uni`; two or more characters match `bi`, which is exactly "contains
//! this substring". Runs of letters, digits and CJK characters are the units; punctuation and
//! spaces separate runs and are not searchable (a query's punctuation splits it into runs that
//! must all occur). Letters are lower-cased here (any script), so search ignores case. The
//! index splits the columns at their spaces with FTS5's `ascii` tokenizer (migration 0013),
//! which keeps these tokens as they are. FTS5 `trigram` was not used: it returns nothing
//! for 1- and 2-character queries, which are the commonest Chinese searches (一个姓, 一个单位简称).
//!
//! In `bi` a pair's position is its first character's position: two [`BREAK`] tokens stand
//! between runs (one in the place of a run's last character, which starts no pair, one for the
//! gap), so two characters at adjacent positions are always adjacent in one run. A query of
//! two or three characters is the phrase of its overlapping pairs. A longer one is matched by
//! fewer pairs that still cover every character — its pairs at offsets 0, 2, 4 … and the last
//! — each found at its offset by the FTS5 function `search_at` (crate `baomi-fts`): a search
//! then reads the lists of about half the pairs, where the phrase read all of them (`make
//! bench`). Only an index marked as holding the breaks (`search_format`, written before the
//! breaks existed otherwise) is searched this way; the others use the phrase.

/// The token that stands between runs in `bi` (a single character: no pair is ever one).
const BREAK: &str = "0";

/// What a query is matched with: the FTS5 expression and, when some of its phrases must
/// stand at given offsets from each other, the `search_at` spec that checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    pub expression: String,
    pub spec: Option<String>,
}

/// CJK Unified Ideographs: every one a letter, none with a case.
const CJK: std::ops::RangeInclusive<char> = '\u{4e00}'..='\u{9fff}';

/// Splits text into runs of searchable characters, lower-cased.
fn runs(text: &str) -> Vec<Vec<char>> {
    let mut out = Vec::new();
    let mut cur = Vec::new();
    for c in text.chars() {
        // ASCII and the common CJK ideographs without the Unicode tables' lookup (a test
        // checks the block is all letters without case).
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                cur.push(c.to_ascii_lowercase());
                continue;
            }
        } else if CJK.contains(&c) {
            cur.push(c);
            continue;
        } else if c.is_alphanumeric() {
            cur.extend(c.to_lowercase());
            continue;
        }
        if !cur.is_empty() {
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
            // No pair spans two runs or two fields, so neither can a phrase of pairs; the
            // breaks keep each pair at its first character's position.
            if !bi.is_empty() {
                for _ in 0..2 {
                    bi.push_str(BREAK);
                    bi.push(' ');
                }
            }
            for pair in run.windows(2) {
                bi.push(pair[0]);
                bi.push(pair[1]);
                bi.push(' ');
            }
        }
    }
    (uni, bi)
}

/// The offsets of the pairs that cover a run of `n` characters (`n` ≥ 4): every other pair
/// from the first, and the last.
#[cfg(test)]
fn cover(n: usize) -> Vec<usize> {
    let last = n - 2;
    let mut at: Vec<usize> = (0..=last).step_by(2).collect();
    if last % 2 == 1 {
        at.push(last);
    }
    at
}

/// Which of a long run's pairs to match, given how many of the newest `window` records hold
/// each (`seen`, one per pair, in order): `None` for the phrase of all of them, else the
/// offsets of a cover, rarest first.
///
/// A cover pays when one pair is rare: the match is driven by that pair's short list, and the
/// other pairs' lists are only probed at its records. When every pair is common (each in at
/// least one record in twenty), the phrase is kept: such a search finds its first thousand
/// hits early and stops (`SEARCH_COUNT_CAP`), while a cover of common pairs would check far
/// more records than it finds. The cover is the cheapest by the pairs' counts that holds the
/// rarest pair and leaves no character out: the first and last pairs are in every cover, and
/// no two chosen pairs are more than two apart.
pub fn plan(seen: &[u64], window: u64) -> Option<Vec<usize>> {
    let (rarest, &least) = seen.iter().enumerate().min_by_key(|(_, f)| **f)?;
    if seen.len() < 3 || least.saturating_mul(20) >= window.max(1) {
        return None;
    }
    // cost[i]: the cheapest cover of the characters up to pair i's second, ending with pair i.
    let weight = |i: usize| -> i64 {
        if i == rarest {
            -1
        } else {
            i64::try_from(seen[i]).unwrap_or(i64::MAX / 4) + 1
        }
    };
    let mut cost: Vec<i64> = Vec::with_capacity(seen.len());
    let mut from: Vec<usize> = Vec::with_capacity(seen.len());
    for i in 0..seen.len() {
        let (best, back) = match i {
            0 => (0, 0),
            1 => (cost[0], 0),
            _ if cost[i - 1] <= cost[i - 2] => (cost[i - 1], i - 1),
            _ => (cost[i - 2], i - 2),
        };
        cost.push(best.saturating_add(weight(i)));
        from.push(back);
    }
    let mut at = vec![seen.len() - 1];
    let mut i = seen.len() - 1;
    while i > 0 {
        i = from[i];
        at.push(i);
    }
    at.sort_by_key(|&i| (seen[i], i));
    Some(at)
}

/// How a user's query is matched, or `None` if it has nothing searchable. `cover` is asked,
/// for each run of four characters or more, with its pairs: the offsets of the pairs to match
/// it by (see [`plan`]), or `None` for the phrase of them all. Only an index holding the
/// breaks may be matched by a cover.
pub fn matcher<E>(
    query: &str,
    mut cover: impl FnMut(&[String]) -> Result<Option<Vec<usize>>, E>,
) -> Result<Option<Matcher>, E> {
    let mut parts = Vec::new();
    let mut groups = Vec::new();
    for run in runs(query) {
        let pairs: Vec<String> = run
            .windows(2)
            .map(|p| format!("{}{}", p[0], p[1]))
            .collect();
        let chosen = if run.len() >= 4 { cover(&pairs)? } else { None };
        match chosen {
            _ if run.len() == 1 => parts.push(format!("uni : \"{}\"", run[0])),
            Some(at) => {
                groups.push(format!(
                    "{}:{}",
                    parts.len(),
                    at.iter()
                        .map(|o| o.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                ));
                parts.extend(at.iter().map(|&o| format!("bi : \"{}\"", pairs[o])));
            }
            None => parts.push(format!("bi : \"{}\"", pairs.join(" "))),
        }
    }
    if parts.is_empty() {
        return Ok(None);
    }
    Ok(Some(Matcher {
        expression: parts.join(" AND "),
        spec: (!groups.is_empty()).then(|| groups.join(";")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    /// The rows of `texts` that `query` finds: by the phrase of its pairs, or (`positioned`)
    /// by every other pair and the last.
    fn found(conn: &Connection, query: &str, positioned: bool) -> Vec<usize> {
        let m = matcher(query, |p| {
            Ok::<_, ()>(positioned.then(|| cover(p.len() + 1)))
        });
        run(conn, &m.unwrap().unwrap())
    }

    fn run(conn: &Connection, m: &Matcher) -> Vec<usize> {
        let sql = match &m.spec {
            Some(_) => "SELECT rowid FROM t WHERE t MATCH ?1 AND search_at(t, ?2) ORDER BY rowid",
            None => "SELECT rowid FROM t WHERE t MATCH ?1 AND ?2 IS NULL ORDER BY rowid",
        };
        conn.prepare(sql)
            .unwrap()
            .query_map(rusqlite::params![m.expression, m.spec], |r| {
                r.get::<_, i64>(0)
            })
            .unwrap()
            .map(|r| r.unwrap() as usize)
            .collect()
    }

    fn index(texts: &[&str]) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        baomi_fts::register(&conn).unwrap();
        conn.execute_batch("CREATE VIRTUAL TABLE t USING fts5(uni, bi, tokenize = 'ascii')")
            .unwrap();
        for (i, t) in texts.iter().enumerate() {
            let (u, b) = index_columns([*t]);
            conn.execute(
                "INSERT INTO t (rowid, uni, bi) VALUES (?1, ?2, ?3)",
                rusqlite::params![i as i64, u, b],
            )
            .unwrap();
        }
        conn
    }

    /// The naive definition: every run of the query occurs in the text (a run of the query
    /// holds no punctuation, so it can only occur inside one run of the text).
    fn naive(texts: &[&str], query: &str) -> Vec<usize> {
        let q = query.to_lowercase();
        let parts: Vec<&str> = q
            .split(|c: char| !c.is_alphanumeric())
            .filter(|p| !p.is_empty())
            .collect();
        texts
            .iter()
            .enumerate()
            .filter(|(_, t)| parts.iter().all(|p| t.to_lowercase().contains(p)))
            .map(|(i, _)| i)
            .collect()
    }

    fn check(texts: &[&str], query: &str, expect: &[usize]) {
        let conn = index(texts);
        for positioned in [false, true] {
            let got = found(&conn, query, positioned);
            assert_eq!(got, expect, "query {query} (positioned {positioned})");
            assert_eq!(got, naive(texts, query), "query {query} vs naive contains");
        }
    }

    const TEXTS: [&str; 8] = [
        "关于加强涉密载体管理工作的通知",
        "国保发〔2026〕12号",
        "保密工作领导小组会议纪要",
        "王五",
        "Meeting Notes ABC",
        "密",
        "通知保密工作的要求",
        "通知保、Y密工作的要求",
    ];

    #[test]
    fn queries_of_every_length_match_exactly_the_containing_texts() {
        check(&TEXTS, "密", &[0, 2, 5, 6, 7]);
        check(&TEXTS, "王", &[3]);
        check(&TEXTS, "保密", &[2, 6]);
        check(&TEXTS, "涉密载", &[0]);
        check(&TEXTS, "领导小组会议", &[2]);
        check(&TEXTS, "2026", &[1]);
        check(&TEXTS, "abc", &[4]);
        check(&TEXTS, "工作", &[0, 2, 6, 7]);
        check(&TEXTS, "作领", &[2]);
        check(&TEXTS, "密保", &[]);
        check(&TEXTS, "体管理工作的通知", &[0]);
        check(&TEXTS, "meeting notes", &[4]);
        // Without the breaks, the cover of 知保密工作的 (知保, 密工, 作的) would stand at
        // offsets 0, 2, 4 in the last text too, across its 、.
        check(&TEXTS, "知保密工作的", &[6]);
        check(&TEXTS, "知保密工作", &[6]);
    }

    #[test]
    fn letters_of_any_script_match_without_case_and_full_width_forms_stay_apart() {
        let texts = ["ΣΥΣΤΗΜΑ Ⅲ型", "Москва ＡＢ", "ÄRZTE São", "密级Abc"];
        check(&texts, "συστημα", &[0]);
        check(&texts, "ⅲ型", &[0]);
        check(&texts, "МОСКВА", &[1]);
        check(&texts, "ａｂ", &[1]);
        check(&texts, "ab", &[3]);
        check(&texts, "ärzte SÃO", &[2]);
        check(&texts, "级aBC", &[3]);
    }

    #[test]
    fn the_cjk_block_taken_without_the_unicode_tables_is_all_letters_without_case() {
        for c in CJK {
            assert!(c.is_alphanumeric(), "{c:?}");
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
        }
    }

    #[test]
    fn covered_queries_agree_with_the_naive_search_on_random_texts() {
        // A small alphabet makes every pair common and every cover ambiguous.
        let alphabet: Vec<char> = "甲乙丙丁、".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let owned: Vec<String> = (0..300)
            .map(|_| {
                (0..next(24))
                    .map(|_| alphabet[next(alphabet.len())])
                    .collect()
            })
            .collect();
        let texts: Vec<&str> = owned.iter().map(String::as_str).collect();
        let conn = index(&texts);
        let mut covered = 0;
        for _ in 0..400 {
            let len = 1 + next(8);
            let query: String = (0..len).map(|_| alphabet[next(4)]).collect();
            let expect = naive(&texts, &query);
            assert_eq!(
                found(&conn, &query, false),
                expect,
                "query {query} (phrase)"
            );
            assert_eq!(found(&conn, &query, true), expect, "query {query}");
            // Any cover the plan may choose, from made-up counts.
            let m = matcher(&query, |p| {
                let seen: Vec<u64> = p.iter().map(|_| next(100) as u64).collect();
                Ok::<_, ()>(plan(&seen, 2000))
            })
            .unwrap()
            .unwrap();
            covered += usize::from(m.spec.is_some());
            assert_eq!(run(&conn, &m), expect, "query {query} by {m:?}");
        }
        assert!(
            covered > 150,
            "{covered} of 400 queries were matched by a planned cover"
        );
    }

    #[test]
    fn a_long_run_is_matched_by_its_cover_only_when_the_index_is_positioned() {
        let (u, b) = index_columns(["甲乙", "丙丁"]);
        assert_eq!(u, "甲 乙 丙 丁 ");
        assert_eq!(b, "甲乙 0 0 丙丁 ");
        // A run of one character starts no pair but still stands after its breaks.
        let (u, b) = index_columns(["甲乙、丙", "丁Ab"]);
        assert_eq!(u, "甲 乙 丙 丁 a b ");
        assert_eq!(b, "甲乙 0 0 0 0 丁a ab ");
        assert!(!b.contains("乙丙"));
        let phrase = |q: &str| matcher(q, |_| Ok::<_, ()>(None)).unwrap();
        let covered = |q: &str| matcher(q, |p| Ok::<_, ()>(Some(cover(p.len() + 1)))).unwrap();
        assert_eq!(
            phrase("〔2026〕12").map(|m| m.expression),
            Some("bi : \"20 02 26\" AND bi : \"12\"".into())
        );
        assert_eq!(
            covered("知保密工作的"),
            Some(Matcher {
                expression: "bi : \"知保\" AND bi : \"密工\" AND bi : \"作的\"".into(),
                spec: Some("0:0,2,4".into()),
            })
        );
        assert_eq!(
            covered("王 知保密工作").and_then(|m| m.spec),
            Some("1:0,2,3".into())
        );
        assert_eq!(covered(" 、，"), None);
        assert_eq!(cover(4), vec![0, 2]);
        assert_eq!(cover(7), vec![0, 2, 4, 5]);
    }

    #[test]
    fn a_plan_covers_every_character_and_holds_the_rarest_pair() {
        // 管理工作管理 in the bench's titles: only 作管 is rare; 理工 is cheaper than 工作.
        let seen = [4136, 1758, 3307, 152, 4136];
        assert_eq!(plan(&seen, 10_000), Some(vec![3, 1, 0, 4]));
        // Every pair common: the phrase.
        assert_eq!(plan(&[4136, 1758, 3307, 1520, 4136], 10_000), None);
        // 知保密工作的: the two rare pairs and the one common pair between them.
        assert_eq!(
            plan(&[79, 2799, 1769, 3307, 156], 10_000),
            Some(vec![0, 4, 2])
        );
        let mut seed = 7u64;
        for _ in 0..2000 {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = 3 + (seed >> 60) as usize;
            let seen: Vec<u64> = (0..n).map(|i| (seed >> (i * 5 % 50)) % 1000).collect();
            let Some(mut at) = plan(&seen, 1000) else {
                assert!(seen.iter().all(|&f| f * 20 >= 1000));
                continue;
            };
            let rarest = seen.iter().min().unwrap();
            assert_eq!(seen[at[0]], *rarest, "rarest first: {seen:?} {at:?}");
            at.sort();
            assert_eq!((at[0], at[at.len() - 1]), (0, n - 1), "{seen:?} {at:?}");
            assert!(
                at.windows(2).all(|w| w[1] - w[0] <= 2 && w[1] > w[0]),
                "{seen:?} {at:?}"
            );
        }
    }
}

//! The FTS5 auxiliary function `search_at`, for `crate::search` of the core (`baomi`).
//!
//! Contract: `register(conn)` adds to one connection the function
//! `search_at(TABLE, SPEC)`, usable in the `WHERE` clause of a full-text query on any FTS5
//! table of that connection. `SPEC` is text: groups separated by `;`, each group
//! `FIRST:OFF,OFF,…` naming the query's phrases `FIRST`, `FIRST + 1`, … (FTS5 numbers the
//! phrases of a query from 0 in the order they are written) and the token offset each must
//! have from the group's first phrase. The function is 1 when, for every group, one column
//! holds an instance of each of its phrases at those offsets from a common anchor, else 0;
//! a malformed `SPEC` is an SQL error, never a match. Phrases named by no group are not
//! checked. This is the only unsafe code of the product: the core crate forbids it, and this
//! crate holds nothing but the registration and one read-only callback, both through
//! SQLite's documented FTS5 extension API.

use std::collections::HashSet;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::ptr;

use rusqlite::ffi;
use rusqlite::Connection;

/// One group of `SPEC`: the index of its first phrase and each phrase's offset.
#[derive(Debug, PartialEq, Eq)]
pub struct Group {
    pub first: usize,
    pub offsets: Vec<i32>,
}

/// Parses `SPEC` (see the module's contract); `None` when it is malformed.
pub fn parse(spec: &str) -> Option<Vec<Group>> {
    spec.split(';')
        .map(|g| {
            let (first, offsets) = g.split_once(':')?;
            let offsets: Option<Vec<i32>> =
                offsets.split(',').map(|o| o.trim().parse().ok()).collect();
            let offsets = offsets?;
            if offsets.is_empty() || offsets.len() > 64 {
                return None;
            }
            Some(Group {
                first: first.trim().parse().ok()?,
                offsets,
            })
        })
        .collect()
}

/// Whether some anchor `a` has, for every phrase `j` of the group, an instance at
/// `(column, a + offsets[j])`; `instances[j]` lists phrase `j`'s `(column, offset)` pairs.
pub fn aligned(instances: &[Vec<(c_int, c_int)>], offsets: &[i32]) -> bool {
    let Some((first, rest)) = instances.split_first() else {
        return false;
    };
    let sets: Vec<HashSet<(c_int, c_int)>> =
        rest.iter().map(|v| v.iter().copied().collect()).collect();
    first.iter().any(|&(col, at)| {
        let anchor = at - offsets[0];
        sets.iter()
            .zip(&offsets[1..])
            .all(|(set, off)| set.contains(&(col, anchor + off)))
    })
}

/// Adds `search_at` to `conn` (see the module's contract).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    let fail = |what: &str| {
        rusqlite::Error::SqliteFailure(
            ffi::Error::new(ffi::SQLITE_ERROR),
            Some(format!("FTS5 search_at: {what}")),
        )
    };
    // SAFETY: `handle` is the live connection `conn` borrows; the statement is prepared,
    // stepped and finalized on it here, and the pointer it writes is FTS5's own API object,
    // which lives as long as the connection.
    #[allow(unsafe_code)]
    unsafe {
        let db = conn.handle();
        let mut api: *mut ffi::fts5_api = ptr::null_mut();
        let mut stmt: *mut ffi::sqlite3_stmt = ptr::null_mut();
        let sql = c"SELECT fts5(?1)";
        if ffi::sqlite3_prepare_v2(db, sql.as_ptr(), -1, &mut stmt, ptr::null_mut()) != 0 {
            return Err(fail("no FTS5 in this SQLite"));
        }
        ffi::sqlite3_bind_pointer(
            stmt,
            1,
            (&mut api as *mut *mut ffi::fts5_api).cast::<c_void>(),
            c"fts5_api_ptr".as_ptr(),
            None,
        );
        ffi::sqlite3_step(stmt);
        ffi::sqlite3_finalize(stmt);
        if api.is_null() || (*api).iVersion < 2 {
            return Err(fail("FTS5 API unavailable"));
        }
        let create = (*api)
            .xCreateFunction
            .ok_or_else(|| fail("no xCreateFunction"))?;
        let rc = create(
            api,
            c"search_at".as_ptr(),
            ptr::null_mut(),
            Some(search_at),
            None,
        );
        if rc != 0 {
            return Err(fail("could not register"));
        }
    }
    Ok(())
}

/// The callback: reads `SPEC`, the phrases' instances in the current row, and answers.
#[allow(unsafe_code)]
unsafe extern "C" fn search_at(
    api: *const ffi::Fts5ExtensionApi,
    fts: *mut ffi::Fts5Context,
    ctx: *mut ffi::sqlite3_context,
    n: c_int,
    args: *mut *mut ffi::sqlite3_value,
) {
    let error = |msg: &CStr| ffi::sqlite3_result_error(ctx, msg.as_ptr(), -1);
    if n != 1 || api.is_null() {
        return error(c"search_at(TABLE, SPEC) takes one SPEC");
    }
    let text = ffi::sqlite3_value_text(*args);
    if text.is_null() {
        return error(c"search_at: SPEC is NULL");
    }
    let Some(groups) = CStr::from_ptr(text.cast::<c_char>())
        .to_str()
        .ok()
        .and_then(parse)
    else {
        return error(c"search_at: malformed SPEC");
    };
    let (Some(count), Some(first), Some(next)) =
        ((*api).xPhraseCount, (*api).xPhraseFirst, (*api).xPhraseNext)
    else {
        return error(c"search_at: FTS5 API incomplete");
    };
    let phrases = count(fts);
    for g in &groups {
        if g.first + g.offsets.len() > phrases.max(0) as usize {
            return error(c"search_at: SPEC names a phrase the query lacks");
        }
        let mut instances = Vec::with_capacity(g.offsets.len());
        for j in 0..g.offsets.len() {
            let mut iter = ffi::Fts5PhraseIter {
                a: ptr::null(),
                b: ptr::null(),
            };
            let (mut col, mut off): (c_int, c_int) = (0, 0);
            if first(fts, (g.first + j) as c_int, &mut iter, &mut col, &mut off) != 0 {
                return error(c"search_at: cannot read the phrase's positions");
            }
            let mut at = Vec::new();
            while col >= 0 {
                at.push((col, off));
                next(fts, &mut iter, &mut col, &mut off);
            }
            instances.push(at);
        }
        if !aligned(&instances, &g.offsets) {
            ffi::sqlite3_result_int(ctx, 0);
            return;
        }
    }
    ffi::sqlite3_result_int(ctx, 1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_parses_or_is_refused_whole() {
        assert_eq!(
            parse("0:0,2,4;3:0,1"),
            Some(vec![
                Group {
                    first: 0,
                    offsets: vec![0, 2, 4]
                },
                Group {
                    first: 3,
                    offsets: vec![0, 1]
                }
            ])
        );
        assert_eq!(parse(""), None);
        assert_eq!(parse("0:"), None);
        assert_eq!(parse("x:0"), None);
        assert_eq!(parse("0:0,a"), None);
    }

    #[test]
    fn phrases_align_only_in_one_column_at_the_given_offsets() {
        let offsets = [0, 2, 4];
        let hit = vec![vec![(1, 7), (1, 20)], vec![(1, 22)], vec![(1, 3), (1, 24)]];
        assert!(aligned(&hit, &offsets));
        let shifted = vec![vec![(1, 7)], vec![(1, 10)], vec![(1, 11)]];
        assert!(!aligned(&shifted, &offsets));
        let other_column = vec![vec![(1, 7)], vec![(2, 9)], vec![(1, 11)]];
        assert!(!aligned(&other_column, &offsets));
        assert!(!aligned(&[], &offsets));
    }

    #[test]
    fn the_function_filters_a_real_query() {
        let conn = Connection::open_in_memory().unwrap();
        register(&conn).unwrap();
        conn.execute_batch(
            "CREATE VIRTUAL TABLE t USING fts5(a, b);
             INSERT INTO t (rowid, a, b) VALUES (1, 'x', 'p q r s t'), (2, 'x', 'p s q t r');",
        )
        .unwrap();
        let rows = |spec: &str| -> rusqlite::Result<Vec<i64>> {
            conn.prepare("SELECT rowid FROM t WHERE t MATCH 'b : p AND b : r AND b : t' AND search_at(t, ?1) ORDER BY rowid")?
                .query_map([spec], |r| r.get(0))?
                .collect()
        };
        assert_eq!(rows("0:0,2,4").unwrap(), vec![1]);
        assert_eq!(rows("0:0,4,3").unwrap(), vec![2]);
        assert_eq!(rows("0:0,4,2").unwrap(), Vec::<i64>::new());
        assert_eq!(rows("0:0,2;1:0,2").unwrap(), vec![1]);
        assert!(rows("0:0,1,2,3").is_err(), "a phrase the query lacks");
        assert!(rows("nonsense").is_err());
    }
}

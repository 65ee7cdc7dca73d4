//! Where records imported from an officer's own sheet came from: the file, the sheet and each
//! record's row, which its history shows beside the registration.
//!
//! Contract: kept once per run of records with consecutive ids (`sheet_imports`, migration
//! 0012), never once per record: a run holds its first record's id and the sheet rows of its
//! records in id order, written as space-separated items `N` (one row) or `N-M` (the rows N
//! to M, M > N). [`record`] splits what it is given into such runs, so it assumes nothing of
//! the ids; [`of`] finds a record's run by its id and reads its row from it. A text that does
//! not decode (written by no version of this program) is an integrity error, never a guess.

use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Error, Result};

/// Where one record came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub sheet: String,
    pub row: u32,
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "导入自“{}”工作表“{}”第 {} 行",
            self.file, self.sheet, self.row
        )
    }
}

/// Notes that the records `placed` (id, sheet row) of `register` came from `sheet` of `file`,
/// imported at `at`: one row of `sheet_imports` per run of consecutive ids.
pub fn record(
    conn: &Connection,
    register: &str,
    file: &str,
    sheet: &str,
    at: &str,
    placed: &[(i64, u32)],
) -> Result<()> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO sheet_imports (register, file, sheet, imported_at, first_id, rows)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    let mut rest = placed;
    while let Some(&(first, _)) = rest.first() {
        let run = rest
            .iter()
            .enumerate()
            .take_while(|(i, (id, _))| *id == first + *i as i64)
            .count();
        let rows: Vec<u32> = rest[..run].iter().map(|&(_, row)| row).collect();
        insert.execute(params![register, file, sheet, at, first, encode(&rows)])?;
        rest = &rest[run..];
    }
    Ok(())
}

/// Where record `id` of `register` came from, if it was imported from a sheet.
pub fn of(conn: &Connection, register: &str, id: i64) -> Result<Option<Origin>> {
    let run = conn
        .prepare_cached(
            "SELECT file, sheet, first_id, rows FROM sheet_imports
             WHERE register = ?1 AND first_id <= ?2 ORDER BY first_id DESC LIMIT 1",
        )?
        .query_row(params![register, id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })
        .optional()?;
    let Some((file, sheet, first, rows)) = run else {
        return Ok(None);
    };
    let row = nth(&rows, (id - first) as u64).ok_or_else(|| {
        Error::integrity(format!("导入来源记录已损坏（{register} 自 {first} 起）"))
    })?;
    Ok(row.map(|row| Origin { file, sheet, row }))
}

/// `rows` as runs: `3-5 7 9-10` for 3, 4, 5, 7, 9, 10.
fn encode(rows: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start;
        while rows
            .get(i + 1)
            .is_some_and(|&next| Some(next) == end.checked_add(1))
        {
            end += 1;
            i += 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&start.to_string());
        if end > start {
            out.push('-');
            out.push_str(&end.to_string());
        }
        i += 1;
    }
    out
}

/// The `n`th row (0-based) of an [`encode`]d text: `Some(None)` past its end, `None` when the
/// text does not decode.
fn nth(text: &str, mut n: u64) -> Option<Option<u32>> {
    for item in text.split(' ') {
        let (start, end) = match item.split_once('-') {
            Some((a, b)) => (a.parse::<u32>().ok()?, b.parse::<u32>().ok()?),
            None => {
                let one = item.parse::<u32>().ok()?;
                (one, one)
            }
        };
        if end < start {
            return None;
        }
        let len = u64::from(end - start) + 1;
        if n < len {
            return Some(Some(start + n as u32));
        }
        n -= len;
    }
    Some(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand(text: &str) -> Vec<u32> {
        (0..)
            .map_while(|n| nth(text, n).expect("decodes"))
            .collect()
    }

    #[test]
    fn rows_are_written_as_runs_and_read_back_one_by_one() {
        for rows in [
            vec![7],
            vec![3, 4, 5, 7, 9, 10],
            vec![2, 4, 6],
            (5..100_005).collect::<Vec<u32>>(),
            vec![1, 2, u32::MAX - 1, u32::MAX],
        ] {
            let text = encode(&rows);
            assert_eq!(expand(&text), rows, "{text}");
        }
        assert_eq!(encode(&[3, 4, 5, 7, 9, 10]), "3-5 7 9-10");
        assert_eq!(encode(&(5..100_005).collect::<Vec<u32>>()), "5-100004");
    }

    #[test]
    fn a_text_no_version_writes_is_refused() {
        // Read as far as the row asked for: each bad item is refused once it is reached.
        for bad in [
            "x",
            "5-3",
            "1--2",
            "1,2",
            "-1",
            "1 -2",
            "99999999999",
            "1  2",
        ] {
            assert_eq!(nth(bad, 1_000), None, "{bad}");
        }
        // Past the end of a good text is no row, not an error.
        assert_eq!(nth("3-5", 3), Some(None));
    }

    #[test]
    fn a_record_is_found_in_its_run_and_only_there() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(include_str!(
            "../../migrations/registers/0005_sheet_origins.sql"
        ))
        .unwrap();
        // A record imported before migration 0012 keeps its row.
        conn.execute(
            "INSERT INTO sheet_origins VALUES ('documents', 2, '旧.xlsx', '表1', 9, 'then')",
            [],
        )
        .unwrap();
        conn.execute_batch(include_str!(
            "../../migrations/registers/0012_sheet_imports.sql"
        ))
        .unwrap();
        // Records 10 to 14 from rows 3, 4, 6, 7, 8; 15 registered by hand; 16 and 17 from a
        // second sheet; a device with the same ids elsewhere.
        let placed = [
            (10, 3),
            (11, 4),
            (12, 6),
            (13, 7),
            (14, 8),
            (16, 2),
            (17, 3),
        ];
        record(&conn, "documents", "台账.xlsx", "载体", "now", &placed).unwrap();
        record(&conn, "devices", "设备.xlsx", "设备", "now", &[(12, 40)]).unwrap();
        let runs: i64 = conn
            .query_row("SELECT count(*) FROM sheet_imports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(runs, 4, "the old record, two runs of carriers, one device");
        let row = |id| of(&conn, "documents", id).unwrap().map(|o| o.row);
        assert_eq!(row(2), Some(9));
        assert_eq!(
            (1..=18).map(row).collect::<Vec<_>>(),
            [
                None,
                Some(9),
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                Some(3),
                Some(4),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(2),
                Some(3),
                None
            ]
        );
        let origin = of(&conn, "devices", 12).unwrap().unwrap();
        assert_eq!(origin.to_string(), "导入自“设备.xlsx”工作表“设备”第 40 行");
        assert_eq!(of(&conn, "devices", 13).unwrap(), None);

        conn.execute(
            "UPDATE sheet_imports SET rows = '3-x' WHERE first_id = 10",
            [],
        )
        .unwrap();
        let e = of(&conn, "documents", 11).unwrap_err();
        assert!(e.message.contains("导入来源记录已损坏"), "{}", e.message);
    }
}

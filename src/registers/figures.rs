//! The home screen's figures (首页统计图): what the registers hold now, by level, by department
//! and by status, and how many things happened in each of the last twelve months.
//!
//! Contract: a register declares its part in its `REGISTERS` entry (`figures`), from its own
//! projection and events, through the constructors here; this module only holds the shapes,
//! the shared axes (levels, months, the movement groups, the department of nobody known), and
//! [`Session::figures`], which merges the parts: figures with the same key become one, their
//! labels united and series of the same name added up, so that "在管数量（按密级）" shows
//! carriers and devices side by side and the months add every register's 登记 together. No
//! figure names a register here, and the window draws the figures as they come: it computes
//! nothing but the chart. "Held" is each register's own meaning of a record still in the
//! unit's hands; months count events by the day they happened (`occurred_on`), corrections
//! and adoptions from bundles left out (they are no movement of the thing).

use chrono::{Datelike, Months, NaiveDate};
use rusqlite::{Connection, ToSql};
use serde::Serialize;
use ts_rs::TS;

use super::level::Level;
use super::stats::{count_column, crosstab, tabulate, triples, StatTable};
use super::{Choice, REGISTERS};
use crate::dates;
use crate::error::Result;
use crate::vault::roles::Op;
use crate::vault::Session;

/// What a figure counts along: the window picks the kind of chart by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../ui/src/bindings/")]
pub enum FigureAxis {
    Level,
    Department,
    Status,
    Month,
}

/// One named row of counts, one per label of its figure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct FigureSeries {
    pub name: String,
    #[ts(type = "number[]")]
    pub values: Vec<i64>,
}

/// One chart's worth of counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct Figure {
    /// Stable code (`level`, `department`, `movements`, `doc_status`…): parts with the same
    /// key are one figure.
    pub key: String,
    pub title: String,
    pub axis: FigureAxis,
    pub labels: Vec<String>,
    pub series: Vec<FigureSeries>,
}

/// Every figure of the home screen, as of `today`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../ui/src/bindings/")]
pub struct HomeFigures {
    pub today: String,
    pub figures: Vec<Figure>,
}

/// The department of a record whose person in charge the personnel register does not know
/// (or who has none on file).
pub const UNKNOWN_DEPARTMENT: &str = "未登记部门";

/// How many departments a figure shows by name; the rest are added up as 其他部门.
pub const MAX_DEPARTMENTS: usize = 10;

/// How many months the movements cover, this one included.
pub const MONTHS: u32 = 12;

/// The groups every register sorts its events into for the movements per month (the SQL of a
/// register's part returns these codes).
pub fn movement_groups() -> Vec<Choice> {
    [
        ("registered", "登记"),
        ("lent", "借阅借用"),
        ("out", "外出"),
        ("returned", "归还"),
        ("handed_back", "清退"),
        ("destroyed", "销毁"),
        ("personnel", "人员手续"),
        ("other", "其他手续"),
    ]
    .iter()
    .map(|(v, l)| Choice::new(v, l))
    .collect()
}

/// The first day of the oldest month the movements cover.
pub fn first_month(today: NaiveDate) -> NaiveDate {
    let first = today.with_day(1).unwrap_or(today);
    first
        .checked_sub_months(Months::new(MONTHS - 1))
        .unwrap_or(first)
}

/// The months covered, oldest first, as `YYYY-MM` codes with their labels (2026年1月).
fn months(today: NaiveDate) -> Vec<Choice> {
    let mut month = first_month(today);
    let mut out = Vec::new();
    for _ in 0..MONTHS {
        let code = format!("{:04}-{:02}", month.year(), month.month());
        out.push(Choice::new(
            &code,
            &format!("{}年{}月", month.year(), month.month()),
        ));
        month = month.checked_add_months(Months::new(1)).unwrap_or(month);
    }
    out
}

/// A one-column table as one series over its rows.
fn one_series(key: &str, title: &str, axis: FigureAxis, name: &str, t: StatTable) -> Figure {
    Figure {
        key: key.to_string(),
        title: title.to_string(),
        axis,
        labels: t.rows.iter().map(|r| r.label.clone()).collect(),
        series: vec![FigureSeries {
            name: name.to_string(),
            values: t.rows.iter().map(|r| r.total).collect(),
        }],
    }
}

impl Figure {
    /// Records held per level: `sql` returns `(level label, 'n', count)` rows.
    pub fn by_level(conn: &Connection, register: &str, name: &str, sql: &str) -> Result<Figure> {
        Ok(Self::of_levels(register, name, triples(conn, sql, &[])?))
    }

    /// [`Figure::by_level`] from `(level label, 'n', count)` rows already read.
    pub fn of_levels(
        register: &str,
        name: &str,
        found: impl IntoIterator<Item = (String, String, i64)>,
    ) -> Figure {
        let levels: Vec<Choice> = Level::ALL
            .iter()
            .map(|l| Choice::new(l.label(), l.label()))
            .collect();
        let t = tabulate(register, "", found, &levels, &count_column());
        one_series("level", "在管数量（按密级）", FigureAxis::Level, name, t)
    }

    /// Records held per status: `sql` returns `(status code, 'n', count)` rows; `key` and
    /// `title` are the register's own (statuses differ from one register to the next).
    pub fn by_status(
        conn: &Connection,
        register: &str,
        (key, title): (&str, &str),
        statuses: &[Choice],
        sql: &str,
    ) -> Result<Figure> {
        let found = triples(conn, sql, &[])?;
        Ok(Self::of_statuses(register, (key, title), statuses, found))
    }

    /// [`Figure::by_status`] from `(status code, 'n', count)` rows already read.
    pub fn of_statuses(
        register: &str,
        (key, title): (&str, &str),
        statuses: &[Choice],
        found: impl IntoIterator<Item = (String, String, i64)>,
    ) -> Figure {
        let t = tabulate(register, title, found, statuses, &count_column());
        one_series(key, title, FigureAxis::Status, "数量", t)
    }

    /// Records held per department: `sql` returns `(department, count)` rows; an empty or
    /// missing department counts as [`UNKNOWN_DEPARTMENT`].
    pub fn by_department(conn: &Connection, name: &str, sql: &str) -> Result<Figure> {
        let mut found = Vec::new();
        let mut stmt = conn.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            found.push((r.get(0)?, r.get(1)?));
        }
        Ok(Self::of_departments(name, found))
    }

    /// [`Figure::by_department`] from `(department, count)` rows already read.
    pub fn of_departments(
        name: &str,
        found: impl IntoIterator<Item = (Option<String>, i64)>,
    ) -> Figure {
        let mut counts: Vec<(String, i64)> = Vec::new();
        for (department, n) in found {
            let department = department
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty())
                .unwrap_or_else(|| UNKNOWN_DEPARTMENT.to_string());
            match counts.iter_mut().find(|(d, _)| *d == department) {
                Some((_, total)) => *total += n,
                None => counts.push((department, n)),
            }
        }
        Figure {
            key: "department".into(),
            title: "在管数量（按部门）".into(),
            axis: FigureAxis::Department,
            labels: counts.iter().map(|(d, _)| d.clone()).collect(),
            series: vec![FigureSeries {
                name: name.to_string(),
                values: counts.iter().map(|(_, n)| *n).collect(),
            }],
        }
    }

    /// Events per month and group: `sql` returns `(group code, 'YYYY-MM', count)` rows of
    /// the events that happened between `?1` and `?2` (the first day of the oldest month and
    /// today), the groups being [`movement_groups`].
    pub fn movements(
        conn: &Connection,
        register: &str,
        today: NaiveDate,
        sql: &str,
    ) -> Result<Figure> {
        let (from, to) = (dates::iso(first_month(today)), dates::iso(today));
        let args: [&dyn ToSql; 2] = [&from, &to];
        let months = months(today);
        let t = crosstab(conn, register, "", sql, &args, &movement_groups(), &months)?;
        Ok(Figure {
            key: "movements".into(),
            title: "近 12 个月台账变动（按月）".into(),
            axis: FigureAxis::Month,
            labels: t.columns,
            series: t
                .rows
                .into_iter()
                .map(|r| FigureSeries {
                    name: r.label,
                    values: r.values,
                })
                .collect(),
        })
    }

    /// Adds `other` into this figure: labels united in order of first appearance, series of
    /// the same name added up.
    fn absorb(&mut self, other: Figure) {
        for l in &other.labels {
            if !self.labels.contains(l) {
                self.labels.push(l.clone());
            }
        }
        let width = self.labels.len();
        for s in &mut self.series {
            s.values.resize(width, 0);
        }
        for s in other.series {
            let at = match self.series.iter().position(|m| m.name == s.name) {
                Some(i) => i,
                None => {
                    self.series.push(FigureSeries {
                        name: s.name.clone(),
                        values: vec![0; width],
                    });
                    self.series.len() - 1
                }
            };
            for (label, n) in other.labels.iter().zip(s.values) {
                if let Some(j) = self.labels.iter().position(|l| l == label) {
                    self.series[at].values[j] += n;
                }
            }
        }
    }

    fn total(&self, j: usize) -> i64 {
        self.series.iter().map(|s| s.values[j]).sum()
    }

    /// Departments by how much they hold, most first, past [`MAX_DEPARTMENTS`] added up as
    /// 其他部门, and [`UNKNOWN_DEPARTMENT`] last, always by its name (it is what the officer has
    /// to put right).
    fn order_departments(&mut self) {
        let unknown = self.labels.iter().position(|l| l == UNKNOWN_DEPARTMENT);
        let mut order: Vec<usize> = (0..self.labels.len())
            .filter(|&i| Some(i) != unknown)
            .collect();
        order.sort_by(|&a, &b| {
            self.total(b)
                .cmp(&self.total(a))
                .then_with(|| self.labels[a].cmp(&self.labels[b]))
        });
        let rest: Vec<usize> = if order.len() > MAX_DEPARTMENTS {
            order.split_off(MAX_DEPARTMENTS)
        } else {
            Vec::new()
        };
        let mut labels: Vec<String> = order.iter().map(|&i| self.labels[i].clone()).collect();
        if !rest.is_empty() {
            labels.push("其他部门".into());
        }
        if unknown.is_some() {
            labels.push(UNKNOWN_DEPARTMENT.into());
        }
        for s in &mut self.series {
            let mut values: Vec<i64> = order.iter().map(|&i| s.values[i]).collect();
            if !rest.is_empty() {
                values.push(rest.iter().map(|&i| s.values[i]).sum());
            }
            if let Some(u) = unknown {
                values.push(s.values[u]);
            }
            s.values = values;
        }
        self.labels = labels;
    }
}

/// The registers' parts as one list: same keys merged, departments ordered, series that
/// count nothing dropped.
pub fn merge(parts: Vec<Figure>) -> Vec<Figure> {
    let mut out: Vec<Figure> = Vec::new();
    for mut f in parts {
        // Every series as long as its labels, so that no index below falls outside.
        for s in &mut f.series {
            s.values.resize(f.labels.len(), 0);
        }
        match out.iter_mut().find(|m| m.key == f.key) {
            Some(m) => m.absorb(f),
            None => out.push(f),
        }
    }
    for f in &mut out {
        if f.axis == FigureAxis::Department {
            f.order_departments();
        }
        f.series.retain(|s| s.values.iter().any(|n| *n != 0));
    }
    out
}

impl Session {
    /// The home screen's figures (保密员 and 查阅: they read register data).
    pub fn figures(&mut self) -> Result<HomeFigures> {
        self.require(Op::ReadRegisters)?;
        let today = self.today();
        let mut parts = Vec::new();
        for r in REGISTERS {
            parts.extend((r.figures)(self.conn(), today)?);
        }
        Ok(HomeFigures {
            today: dates::iso(today),
            figures: merge(parts),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(key: &str, axis: FigureAxis, labels: &[&str], series: &[(&str, &[i64])]) -> Figure {
        Figure {
            key: key.into(),
            title: key.into(),
            axis,
            labels: labels.iter().map(|l| l.to_string()).collect(),
            series: series
                .iter()
                .map(|(n, v)| FigureSeries {
                    name: n.to_string(),
                    values: v.to_vec(),
                })
                .collect(),
        }
    }

    #[test]
    fn parts_with_one_key_are_one_figure() {
        let merged = merge(vec![
            fig(
                "m",
                FigureAxis::Month,
                &["1月", "2月"],
                &[("登记", &[1, 2]), ("归还", &[0, 0])],
            ),
            fig("s", FigureAxis::Status, &["在管"], &[("数量", &[3])]),
            fig(
                "m",
                FigureAxis::Month,
                &["1月", "2月"],
                &[("登记", &[4, 0]), ("外出", &[0, 1])],
            ),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].labels, ["1月", "2月"]);
        let names: Vec<&str> = merged[0].series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["登记", "外出"], "归还 counts nothing");
        assert_eq!(merged[0].series[0].values, [5, 2]);
        assert_eq!(merged[0].series[1].values, [0, 1]);
    }

    #[test]
    fn departments_are_united_and_ordered_by_what_they_hold() {
        let mut parts = vec![
            fig(
                "d",
                FigureAxis::Department,
                &[UNKNOWN_DEPARTMENT, "办公室"],
                &[("载体", &[5, 1])],
            ),
            fig(
                "d",
                FigureAxis::Department,
                &["科技处", "办公室"],
                &[("设备", &[1, 2])],
            ),
        ];
        for i in 0..MAX_DEPARTMENTS {
            parts.push(fig(
                "d",
                FigureAxis::Department,
                &[&format!("部门{i:02}")],
                &[("设备", &[1])],
            ));
        }
        let merged = merge(parts);
        let f = &merged[0];
        assert_eq!(f.labels[0], "办公室");
        assert_eq!(f.series[0].values[0], 1);
        assert_eq!(f.series[1].values[0], 2);
        assert_eq!(f.labels.len(), MAX_DEPARTMENTS + 2);
        assert_eq!(f.labels[MAX_DEPARTMENTS], "其他部门");
        assert_eq!(
            f.series[1].values[MAX_DEPARTMENTS], 2,
            "two departments of one device"
        );
        assert_eq!(f.labels[MAX_DEPARTMENTS + 1], UNKNOWN_DEPARTMENT);
        assert_eq!(f.series[0].values[MAX_DEPARTMENTS + 1], 5);
    }

    #[test]
    fn twelve_months_end_with_this_one() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            first_month(today),
            NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()
        );
        let m = months(today);
        assert_eq!(m.len(), 12);
        assert_eq!(m[0].value, "2025-04");
        assert_eq!(m[11].label, "2026年3月");
    }
}

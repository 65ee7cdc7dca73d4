//! The personnel register's sheet (涉密人员登记表): its columns, the headers offices write for
//! each, and each record's value for the export. The linked app account is not a column: it
//! names an account of this vault, which a sheet from elsewhere cannot know.

use chrono::NaiveDate;

use super::model::PersonState;
use super::rules::Persons;
use super::store::PersonQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, LEDGER_NO};
use crate::registers::ListSpec;

impl Sheet for Persons {
    const COLUMNS: &'static [Column<PersonState>] = COLUMNS;
    type Query = PersonQuery;
    fn spec(query: &PersonQuery, _today: NaiveDate) -> Result<ListSpec> {
        query.spec()
    }
}

const COLUMNS: &[Column<PersonState>] = &[
    Column::unread("序号", &["顺序号", "行号", "No."]),
    Column::read(
        LEDGER_NO,
        "编号",
        &["登记编号", "人员编号"],
        Kind::Text,
        |s| Cell::text(&s.serial),
    ),
    Column::read("name", "姓名", &["人员姓名"], Kind::Text, |s| {
        Cell::text(&s.fields.name)
    }),
    Column::read(
        "department",
        "部门",
        &["所在部门", "单位及部门", "处室", "科室"],
        Kind::Text,
        |s| Cell::text(&s.fields.department),
    ),
    Column::read(
        "post",
        "岗位",
        &["涉密岗位", "职务", "岗位名称", "职务（岗位）"],
        Kind::Text,
        |s| Cell::text(&s.fields.post),
    ),
    Column::read(
        "class",
        "涉密等级",
        &["涉密人员类别", "类别", "涉密类别", "涉密程度"],
        Kind::Text,
        |s| Cell::text(s.fields.class.label()),
    ),
    Column::written("status", "状态", &["在岗状态", "当前状态"], |s| {
        Cell::text(s.status.label())
    }),
    Column::read("remarks", "备注", &["说明"], Kind::Text, |s| {
        Cell::text(&s.fields.remarks)
    }),
];

//! The personnel register's sheet (涉密人员登记表): its columns, the headers offices write for
//! each, and each record's value for the export. The linked app account is not a column: it
//! names an account of this vault, which a sheet from elsewhere cannot know.

use chrono::NaiveDate;

use super::model::PersonState;
use super::rules::Persons;
use super::store::PersonQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, IGNORED, LEDGER_NO};
use crate::registers::ListSpec;

impl Sheet for Persons {
    const COLUMNS: &'static [Column<PersonState>] = COLUMNS;
    type Query = PersonQuery;
    fn spec(query: &PersonQuery, _today: NaiveDate) -> Result<ListSpec> {
        query.spec()
    }
}

const COLUMNS: &[Column<PersonState>] = &[
    Column {
        field: IGNORED,
        label: "序号",
        aliases: &["顺序号", "行号", "No."],
        kind: Kind::Count,
        import: false,
        get: None,
    },
    Column {
        field: LEDGER_NO,
        label: "编号",
        aliases: &["登记编号", "人员编号"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.serial)),
    },
    Column {
        field: "name",
        label: "姓名",
        aliases: &["人员姓名"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.name)),
    },
    Column {
        field: "department",
        label: "部门",
        aliases: &["所在部门", "单位及部门", "处室", "科室"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.department)),
    },
    Column {
        field: "post",
        label: "岗位",
        aliases: &["涉密岗位", "职务", "岗位名称", "职务（岗位）"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.post)),
    },
    Column {
        field: "class",
        label: "涉密等级",
        aliases: &["涉密人员类别", "类别", "涉密类别", "涉密程度"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(s.fields.class.label())),
    },
    Column {
        field: "status",
        label: "状态",
        aliases: &["在岗状态", "当前状态"],
        kind: Kind::Text,
        import: false,
        get: Some(|s| Cell::text(s.status.label())),
    },
    Column {
        field: "remarks",
        label: "备注",
        aliases: &["说明"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.remarks)),
    },
];

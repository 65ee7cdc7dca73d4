//! The carrier register's sheet (涉密载体登记表): its columns in the order of the paper ledger,
//! the headers offices write for each, and each record's value for the export.

use chrono::NaiveDate;

use super::model::DocState;
use super::rules::Documents;
use super::store::DocQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, IGNORED, LEDGER_NO};
use crate::registers::ListSpec;

impl Sheet for Documents {
    const COLUMNS: &'static [Column<DocState>] = COLUMNS;
    type Query = DocQuery;
    fn spec(query: &DocQuery, today: NaiveDate) -> Result<ListSpec> {
        query.spec(today)
    }
}

const COLUMNS: &[Column<DocState>] = &[
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
        aliases: &["登记编号", "载体编号", "台账编号", "收文编号", "登记号"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.serial)),
    },
    Column {
        field: "doc_no",
        label: "文号",
        aliases: &["文件编号", "发文字号", "发文文号", "来文文号", "文件字号"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.doc_no)),
    },
    Column {
        field: "title",
        label: "标题",
        aliases: &[
            "文件名称",
            "文件标题",
            "名称",
            "载体名称",
            "文件（资料）名称",
            "资料名称",
        ],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.title)),
    },
    Column {
        field: "origin_unit",
        label: "来文单位",
        aliases: &["制文机关", "发文单位", "来文机关", "制发单位", "来源"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.origin_unit)),
    },
    Column {
        field: "level",
        label: "密级",
        aliases: &["密级和保密期限", "密级及保密期限", "密级/保密期限"],
        kind: Kind::Level {
            period: Some("secrecy_period"),
        },
        import: true,
        get: Some(|s| Cell::text(s.fields.level.label())),
    },
    Column {
        field: "secrecy_period",
        label: "保密期限",
        aliases: &["保密期"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.secrecy_period.label())),
    },
    Column {
        field: "copies",
        label: "份数",
        aliases: &["数量", "件数"],
        kind: Kind::Count,
        import: true,
        get: Some(|s| Cell::Number(i64::from(s.fields.copies))),
    },
    Column {
        field: "copy_numbers",
        label: "份号",
        aliases: &["份号（起止）"],
        kind: Kind::CopyNumbers {
            count: Some("copies"),
        },
        import: true,
        get: Some(|s| Cell::text(&s.fields.copy_numbers)),
    },
    Column {
        field: "carrier_type",
        label: "载体类型",
        aliases: &["载体形式", "类型", "介质类型"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.carrier_type)),
    },
    Column {
        field: "scope",
        label: "知悉范围",
        aliases: &["阅知范围", "分发范围"],
        kind: Kind::List,
        import: true,
        get: Some(|s| Cell::list(&s.fields.scope)),
    },
    Column {
        field: "custodian",
        label: "责任人",
        aliases: &["保管人", "承办人", "经办人", "管理人"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.custodian)),
    },
    Column {
        field: "location",
        label: "存放位置",
        aliases: &["存放地点", "保存位置", "存放处"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.location)),
    },
    Column {
        field: "received_on",
        label: "收到日期",
        aliases: &["收文日期", "登记日期", "接收日期", "收文时间", "日期"],
        kind: Kind::Date,
        import: true,
        get: Some(|s| Cell::Date(s.fields.received_on)),
    },
    Column {
        field: "no_copy",
        label: "不准复印",
        aliases: &["禁止复印"],
        kind: Kind::Flag,
        import: true,
        get: Some(|s| Cell::Flag(s.fields.no_copy)),
    },
    Column {
        field: "status",
        label: "状态",
        aliases: &["当前状态"],
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

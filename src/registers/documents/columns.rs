//! The carrier register's sheet (涉密载体登记表): its columns in the order of the paper ledger,
//! the headers offices write for each, and each record's value for the export.

use chrono::NaiveDate;

use super::model::DocState;
use super::rules::Documents;
use super::store::DocQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, LEDGER_NO};
use crate::registers::ListSpec;

impl Sheet for Documents {
    const COLUMNS: &'static [Column<DocState>] = COLUMNS;
    type Query = DocQuery;
    fn spec(query: &DocQuery, today: NaiveDate) -> Result<ListSpec> {
        query.spec(today)
    }
}

const COLUMNS: &[Column<DocState>] = &[
    Column::unread("序号", &["顺序号", "行号", "No."]),
    Column::read(
        LEDGER_NO,
        "编号",
        &["登记编号", "载体编号", "台账编号", "收文编号", "登记号"],
        Kind::Text,
        |s| Cell::text(&s.serial),
    ),
    Column::read(
        "doc_no",
        "文号",
        &["文件编号", "发文字号", "发文文号", "来文文号", "文件字号"],
        Kind::Text,
        |s| Cell::text(&s.fields.doc_no),
    ),
    Column::read(
        "title",
        "标题",
        &[
            "文件名称",
            "文件标题",
            "名称",
            "载体名称",
            "文件（资料）名称",
            "资料名称",
        ],
        Kind::Text,
        |s| Cell::text(&s.fields.title),
    ),
    Column::read(
        "origin_unit",
        "来文单位",
        &["制文机关", "发文单位", "来文机关", "制发单位", "来源"],
        Kind::Text,
        |s| Cell::text(&s.fields.origin_unit),
    ),
    Column::read(
        "level",
        "密级",
        &["密级和保密期限", "密级及保密期限", "密级/保密期限"],
        Kind::Level {
            period: Some("secrecy_period"),
        },
        |s| Cell::text(s.fields.level.label()),
    ),
    Column::read(
        "secrecy_period",
        "保密期限",
        &["保密期"],
        Kind::Text,
        |s| Cell::text(&s.fields.secrecy_period.label()),
    ),
    Column::read(
        "copies",
        "份数",
        &["数量", "件数"],
        Kind::Count,
        |s| Cell::Number(i64::from(s.fields.copies)),
    ),
    Column::read(
        "copy_numbers",
        "份号",
        &["份号（起止）"],
        Kind::CopyNumbers {
            count: Some("copies"),
        },
        |s| Cell::text(&s.fields.copy_numbers),
    ),
    Column::read(
        "carrier_type",
        "载体类型",
        &["载体形式", "类型", "介质类型"],
        Kind::Text,
        |s| Cell::text(&s.fields.carrier_type),
    ),
    Column::read(
        "scope",
        "知悉范围",
        &["阅知范围", "分发范围"],
        Kind::List,
        |s| Cell::list(&s.fields.scope),
    ),
    Column::read(
        "custodian",
        "责任人",
        &["保管人", "承办人", "经办人", "管理人"],
        Kind::Text,
        |s| Cell::text(&s.fields.custodian),
    ),
    Column::read(
        "location",
        "存放位置",
        &["存放地点", "保存位置", "存放处"],
        Kind::Text,
        |s| Cell::text(&s.fields.location),
    ),
    Column::read(
        "received_on",
        "收到日期",
        &["收文日期", "登记日期", "接收日期", "收文时间", "日期"],
        Kind::Date,
        |s| Cell::Date(s.fields.received_on),
    ),
    Column::read(
        "no_copy",
        "不准复印",
        &["禁止复印"],
        Kind::Flag,
        |s| Cell::Flag(s.fields.no_copy),
    ),
    Column::written("status", "状态", &["当前状态"], |s| {
        Cell::text(s.status.label())
    }),
    Column::read("remarks", "备注", &["说明"], Kind::Text, |s| {
        Cell::text(&s.fields.remarks)
    }),
];

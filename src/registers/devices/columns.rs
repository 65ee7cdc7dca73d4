//! The device ledger's sheet (涉密信息设备台账): its columns, the headers offices write for
//! each, and each record's value for the export.

use chrono::NaiveDate;

use super::model::DeviceState;
use super::rules::Devices;
use super::store::DeviceQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, LEDGER_NO};
use crate::registers::ListSpec;

impl Sheet for Devices {
    const COLUMNS: &'static [Column<DeviceState>] = COLUMNS;
    type Query = DeviceQuery;
    fn spec(query: &DeviceQuery, today: NaiveDate) -> Result<ListSpec> {
        query.spec(today)
    }

    /// A sheet that gives a level but no 是否涉密 column means a classified device by the level
    /// (非密 meaning not classified).
    fn complete(row: &mut serde_json::Map<String, serde_json::Value>) {
        if row.contains_key("classified") {
            return;
        }
        let level = row
            .get("level")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .trim();
        let classified = !matches!(level, "" | "非密" | "非涉密" | "无");
        if !classified {
            row.remove("level");
        }
        row.insert("classified".into(), classified.into());
    }
}

const COLUMNS: &[Column<DeviceState>] = &[
    Column::unread("序号", &["顺序号", "行号", "No."]),
    Column::read(
        LEDGER_NO,
        "编号",
        &["台账编号", "设备编号", "登记编号", "资产编号"],
        Kind::Text,
        |s| Cell::text(&s.serial),
    ),
    Column::read(
        "kind",
        "设备类型",
        &["类型", "设备类别", "类别", "种类"],
        Kind::Text,
        |s| Cell::text(s.fields.kind.label()),
    ),
    Column::read(
        "name",
        "设备名称",
        &["名称", "设备"],
        Kind::Text,
        |s| Cell::text(&s.fields.name),
    ),
    Column::read(
        "model",
        "品牌型号",
        &["型号", "品牌", "规格型号", "品牌及型号"],
        Kind::Text,
        |s| Cell::text(&s.fields.model),
    ),
    Column::read(
        "serial",
        "设备序列号",
        &["序列号", "出厂编号", "SN"],
        Kind::Text,
        |s| Cell::text(&s.fields.device_serial),
    ),
    Column::read(
        "storage_serials",
        "硬盘序列号",
        &["硬盘（存储部件）序列号", "存储部件序列号", "硬盘号"],
        Kind::List,
        |s| Cell::list(&s.fields.storage_serials),
    ),
    Column::read("classified", "是否涉密", &["涉密"], Kind::Flag, |s| {
        Cell::Flag(s.fields.classified)
    }),
    Column::read(
        "level",
        "密级",
        &["涉密等级", "设备密级"],
        Kind::Level { period: None },
        |s| Cell::text(s.fields.level.map_or("", |l| l.label())),
    ),
    Column::read(
        "label_no",
        "保密编号",
        &["涉密标签", "涉密标签号", "标签号", "保密标签"],
        Kind::Text,
        |s| Cell::text(&s.fields.label_no),
    ),
    Column::read(
        "department",
        "使用部门",
        &["部门", "所属部门", "使用单位"],
        Kind::Text,
        |s| Cell::text(&s.fields.department),
    ),
    Column::read(
        "custodian",
        "责任人",
        &["使用人", "保管人", "管理人"],
        Kind::Text,
        |s| Cell::text(&s.fields.custodian),
    ),
    Column::read(
        "location",
        "放置地点",
        &["存放地点", "存放位置", "放置位置", "安装地点"],
        Kind::Text,
        |s| Cell::text(&s.fields.location),
    ),
    Column::read(
        "in_service_on",
        "启用日期",
        &["启用时间", "购置日期", "登记日期", "日期"],
        Kind::Date,
        |s| Cell::Date(s.fields.in_service_on),
    ),
    Column::read(
        "three_in_one",
        "三合一",
        &["已安装三合一", "安装三合一"],
        Kind::Flag,
        |s| Cell::Flag(s.fields.three_in_one),
    ),
    Column::read(
        "wireless_removed",
        "已拆除无线模块",
        &["拆除无线模块", "无线模块已拆除"],
        Kind::Flag,
        |s| Cell::Flag(s.fields.wireless_removed),
    ),
    Column::read(
        "label_affixed",
        "已粘贴涉密标签",
        &["粘贴涉密标签", "标签已粘贴"],
        Kind::Flag,
        |s| Cell::Flag(s.fields.label_affixed),
    ),
    Column::written("status", "状态", &["使用状态", "当前状态"], |s| {
        Cell::text(s.status.label())
    }),
    Column::read("remarks", "备注", &["说明"], Kind::Text, |s| {
        Cell::text(&s.fields.remarks)
    }),
];

//! The device ledger's sheet (涉密信息设备台账): its columns, the headers offices write for
//! each, and each record's value for the export.

use chrono::NaiveDate;

use super::model::DeviceState;
use super::rules::Devices;
use super::store::DeviceQuery;
use crate::error::Result;
use crate::registers::columns::{Cell, Column, Kind, Sheet, IGNORED, LEDGER_NO};
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
        aliases: &["台账编号", "设备编号", "登记编号", "资产编号"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.serial)),
    },
    Column {
        field: "kind",
        label: "设备类型",
        aliases: &["类型", "设备类别", "类别", "种类"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(s.fields.kind.label())),
    },
    Column {
        field: "name",
        label: "设备名称",
        aliases: &["名称", "设备"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.name)),
    },
    Column {
        field: "model",
        label: "品牌型号",
        aliases: &["型号", "品牌", "规格型号", "品牌及型号"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.model)),
    },
    Column {
        field: "serial",
        label: "设备序列号",
        aliases: &["序列号", "出厂编号", "SN"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.device_serial)),
    },
    Column {
        field: "storage_serials",
        label: "硬盘序列号",
        aliases: &["硬盘（存储部件）序列号", "存储部件序列号", "硬盘号"],
        kind: Kind::List,
        import: true,
        get: Some(|s| Cell::list(&s.fields.storage_serials)),
    },
    Column {
        field: "classified",
        label: "是否涉密",
        aliases: &["涉密"],
        kind: Kind::Flag,
        import: true,
        get: Some(|s| Cell::Flag(s.fields.classified)),
    },
    Column {
        field: "level",
        label: "密级",
        aliases: &["涉密等级", "设备密级"],
        kind: Kind::Level { period: None },
        import: true,
        get: Some(|s| Cell::text(s.fields.level.map_or("", |l| l.label()))),
    },
    Column {
        field: "label_no",
        label: "保密编号",
        aliases: &["涉密标签", "涉密标签号", "标签号", "保密标签"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.label_no)),
    },
    Column {
        field: "department",
        label: "使用部门",
        aliases: &["部门", "所属部门", "使用单位"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.department)),
    },
    Column {
        field: "custodian",
        label: "责任人",
        aliases: &["使用人", "保管人", "管理人"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.custodian)),
    },
    Column {
        field: "location",
        label: "放置地点",
        aliases: &["存放地点", "存放位置", "放置位置", "安装地点"],
        kind: Kind::Text,
        import: true,
        get: Some(|s| Cell::text(&s.fields.location)),
    },
    Column {
        field: "in_service_on",
        label: "启用日期",
        aliases: &["启用时间", "购置日期", "登记日期", "日期"],
        kind: Kind::Date,
        import: true,
        get: Some(|s| Cell::Date(s.fields.in_service_on)),
    },
    Column {
        field: "three_in_one",
        label: "三合一",
        aliases: &["已安装三合一", "安装三合一"],
        kind: Kind::Flag,
        import: true,
        get: Some(|s| Cell::Flag(s.fields.three_in_one)),
    },
    Column {
        field: "wireless_removed",
        label: "已拆除无线模块",
        aliases: &["拆除无线模块", "无线模块已拆除"],
        kind: Kind::Flag,
        import: true,
        get: Some(|s| Cell::Flag(s.fields.wireless_removed)),
    },
    Column {
        field: "label_affixed",
        label: "已粘贴涉密标签",
        aliases: &["粘贴涉密标签", "标签已粘贴"],
        kind: Kind::Flag,
        import: true,
        get: Some(|s| Cell::Flag(s.fields.label_affixed)),
    },
    Column {
        field: "status",
        label: "状态",
        aliases: &["使用状态", "当前状态"],
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

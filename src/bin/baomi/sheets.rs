//! `baomi import-xlsx` and `baomi export-xlsx`: officers' own Excel ledgers in and out of any
//! register, through the register table (`REGISTERS`), so a new register needs nothing here.

use std::path::PathBuf;

use baomi::excel::{SheetOptions, SheetReport};
use baomi::registers::register_named;
use baomi::Error;
use clap::Args;

use crate::{emit, login, CliResult, Ctx, Failure};

#[derive(Args)]
pub struct ImportArgs {
    /// 台账：doc（涉密载体）、device（设备和介质）、person（涉密人员）
    register: String,
    /// 表格文件（.xlsx、.xls 或 .csv）
    file: PathBuf,
    /// 工作表名称（默认：第一个有内容的工作表）
    #[arg(long, value_name = "NAME")]
    sheet: Option<String>,
    /// 只检查并报告，不导入
    #[arg(long)]
    dry_run: bool,
    /// 指定某列对应的字段：列字母或表头=字段名（如 C=title、备忘=remarks；字段写 - 表示不导入该列），可重复
    #[arg(long = "map", value_name = "COLUMN=FIELD")]
    map: Vec<String>,
    /// 某字段为空时的默认值（如 scope=办公室、carrier_type=纸质文件），可重复
    #[arg(long = "default", value_name = "FIELD=VALUE")]
    defaults: Vec<String>,
}

#[derive(Args)]
pub struct ExportArgs {
    /// 台账：doc、device、person
    register: String,
    /// 保存为（.xlsx）
    #[arg(long, value_name = "F")]
    out: PathBuf,
    /// 筛选条件：台账列表的查询字段（见 `baomi schema doc-query`），如 level=机密、status=in_custody，可重复
    #[arg(long = "filter", value_name = "KEY=VALUE")]
    filters: Vec<String>,
}

fn pairs(flag: &str, items: &[String]) -> CliResult<Vec<(String, String)>> {
    items
        .iter()
        .map(|p| {
            p.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| Failure::Usage(format!("{flag} 应写作 键=值，收到“{p}”")))
        })
        .collect()
}

pub fn import(ctx: &Ctx, a: ImportArgs) -> CliResult<()> {
    let register = register_named(&a.register)?;
    let options = SheetOptions {
        sheet: a.sheet,
        dry_run: a.dry_run,
        map: pairs("--map", &a.map)?,
        defaults: pairs("--default", &a.defaults)?,
    };
    let mut s = login(ctx)?;
    let show = std::io::IsTerminal::is_terminal(&std::io::stderr()) && !ctx.json;
    let mut progress = |done: u32, total: u32| {
        if show && total > 0 {
            eprint!("\r正在导入 {done}/{total}");
        }
    };
    let report = (register.import_sheet)(&mut s, &a.file, &options, &mut progress)?;
    if show {
        eprintln!();
    }
    emit(ctx, &report, || report_text(&report))?;
    if report.errors.is_empty() || report.dry_run {
        Ok(())
    } else {
        Err(Failure::Reported(Error::validation(format!(
            "{} 行无法导入，未导入任何记录",
            report.errors.len()
        ))))
    }
}

fn report_text(r: &SheetReport) -> String {
    let mut out = vec![format!(
        "文件“{}”工作表“{}”：表头在第 {} 行，{} 行有内容",
        r.file, r.sheet, r.header_row, r.rows
    )];
    let read: Vec<String> = r
        .columns
        .iter()
        .filter_map(|c| {
            c.label
                .as_ref()
                .map(|l| format!("{} {}→{l}", c.column, c.header))
        })
        .collect();
    out.push(format!("读取的列：{}", read.join("，")));
    let unread: Vec<String> = r
        .columns
        .iter()
        .filter(|c| c.field.is_none() && !c.header.is_empty())
        .map(|c| format!("{} {}", c.column, c.header))
        .collect();
    if !unread.is_empty() {
        out.push(format!("未读取的列：{}", unread.join("，")));
    }
    for n in &r.skipped {
        out.push(format!("跳过 第 {} 行：{}", n.row, n.reason));
    }
    for n in &r.errors {
        let col = n
            .column
            .as_deref()
            .map(|c| format!("（{c} 列）"))
            .unwrap_or_default();
        out.push(format!("错误 第 {} 行{col}：{}", n.row, n.reason));
    }
    let range = match (&r.first_serial, &r.last_serial) {
        (Some(a), Some(b)) if a != b => format!("，编号 {a} 至 {b}"),
        (Some(a), _) => format!("，编号 {a}"),
        _ => String::new(),
    };
    out.push(if r.committed {
        format!("已导入 {} 条{}{range}", r.imported, r.noun)
    } else if r.dry_run {
        format!(
            "试导入：可导入 {} 条{}{range}，{} 行有错误（未做任何修改）",
            r.imported,
            r.noun,
            r.errors.len()
        )
    } else {
        format!("{} 行有错误，未导入任何记录", r.errors.len())
    });
    out.join("\n")
}

pub fn export(ctx: &Ctx, a: ExportArgs) -> CliResult<()> {
    let register = register_named(&a.register)?;
    let mut query = serde_json::Map::new();
    for (k, v) in pairs("--filter", &a.filters)? {
        let value = match v.as_str() {
            "true" => serde_json::Value::Bool(true),
            "false" => serde_json::Value::Bool(false),
            _ => serde_json::Value::String(v),
        };
        query.insert(k, value);
    }
    let mut s = login(ctx)?;
    let result = (register.export_sheet)(&mut s, serde_json::Value::Object(query), &a.out)?;
    emit(ctx, &result, || {
        format!(
            "已导出 {} 条到 {}{}",
            result.rows,
            result.path,
            result
                .marking
                .as_deref()
                .map(|m| format!("（页眉页脚标注“{m}”）"))
                .unwrap_or_default()
        )
    })
}
